/**
 * A SyncStore in memory: for Node tests and the chaos test's simulated phones. It follows the
 * same rules as the IndexedDB store (localRecords.ts does the merging for both).
 */
import type { Envelope, FileRef, PullPage, PushResult } from '@causo/domain';
import { recordKey, relaid, targetOf, withLocalEdit, withPulled, type LocalEntity, type LocalRecord } from './localRecords.ts';
import { ACKNOWLEDGED, PRUNABLE, UNACKNOWLEDGED, type FileBody, type LocalFile, type OutboxEntry, type SyncStore } from './types.ts';

interface StoredFile extends FileRef {
  body: FileBody;
  uploaded: boolean;
}

export class MemoryStore implements SyncStore {
  private readonly entries: OutboxEntry[] = [];
  private readonly files = new Map<string, StoredFile>();
  private readonly recordMap = new Map<string, LocalRecord>();
  private readonly meta = new Map<string, string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async addEnvelope(envelope: Envelope, files: readonly LocalFile[] = []): Promise<void> {
    if (this.entries.some((e) => e.envelope.id === envelope.id)) return;
    for (const f of files) if (!this.files.has(f.sha256)) this.files.set(f.sha256, { sha256: f.sha256, type: f.type, bytes: f.bytes, body: f.body, uploaded: false });
    this.entries.push({ envelope: structuredClone(envelope), state: 'waiting', files: files.map((f) => f.sha256), code: null, message: null, updatedAt: this.stamp() });
    const t = targetOf(envelope);
    const key = recordKey(t.entity, t.id);
    this.recordMap.set(key, withLocalEdit(this.recordMap.get(key), envelope));
  }

  async waitingEnvelopes(): Promise<OutboxEntry[]> {
    return this.entries.filter((e) => e.state === 'waiting').map((e) => ({ ...e }));
  }

  async filesToUpload(): Promise<FileRef[]> {
    const wanted = new Set(this.entries.filter((e) => e.state === 'waiting').flatMap((e) => e.files));
    return [...this.files.values()].filter((f) => !f.uploaded && wanted.has(f.sha256)).map(({ sha256, type, bytes }) => ({ sha256, type, bytes }));
  }

  async fileBody(sha256: string): Promise<FileBody | null> {
    return this.files.get(sha256)?.body ?? null;
  }

  async setFileUploaded(sha256: string, uploaded: boolean): Promise<void> {
    const f = this.files.get(sha256);
    if (f) f.uploaded = uploaded;
  }

  async markSending(ids: readonly string[]): Promise<void> {
    const set = new Set(ids);
    for (const e of this.entries) if (set.has(e.envelope.id) && e.state === 'waiting') this.setState(e, 'sending');
  }

  async requeueSending(): Promise<number> {
    let n = 0;
    for (const e of this.entries)
      if (e.state === 'sending') {
        this.setState(e, 'waiting');
        n++;
      }
    return n;
  }

  async recordResults(results: readonly PushResult[]): Promise<void> {
    for (const r of results) {
      const e = this.entries.find((x) => x.envelope.id === r.id);
      if (!e || (e.state !== 'sending' && e.state !== 'waiting')) continue;
      if (r.result === 'accepted' || r.result === 'duplicate') this.setState(e, 'sent');
      else if (r.result === 'conflict') this.setState(e, 'conflict');
      else {
        this.setState(e, r.retryable ? 'waiting' : 'needs_fixing');
        e.code = r.code;
        e.message = r.message;
        continue;
      }
      e.code = null;
      e.message = null;
      if (r.version !== null) this.bumpVersion(e.envelope, r.version);
      this.dropUploadedFiles(e);
    }
  }

  async applyPulledPage(page: PullPage): Promise<void> {
    for (const pulled of page.records) {
      const pending = this.entries.filter((e) => UNACKNOWLEDGED.includes(e.state) && sameTarget(e.envelope, pulled.entity, pulled.id)).map((e) => e.envelope);
      this.recordMap.set(recordKey(pulled.entity, pulled.id), withPulled(pulled, pending));
    }
    this.meta.set('cursor', page.cursor);
  }

  async getCursor(): Promise<string> {
    return this.meta.get('cursor') ?? '';
  }

  async getMeta(key: string): Promise<string | null> {
    return this.meta.get(key) ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.meta.set(key, value);
  }

  async replaceEnvelope(oldId: string, envelope: Envelope, files: readonly LocalFile[] = []): Promise<boolean> {
    return this.discard(oldId, { envelope, files });
  }

  async discardEnvelope(id: string): Promise<boolean> {
    return this.discard(id, null);
  }

  /** Both in one step (the memory store has no transactions to open: nothing awaits in between). */
  private discard(oldId: string, replacement: { envelope: Envelope; files: readonly LocalFile[] } | null): boolean {
    const old = this.entries.find((e) => e.envelope.id === oldId);
    if (!old || old.state !== 'needs_fixing') return false;
    if (replacement && this.entries.some((e) => e.envelope.id === replacement.envelope.id)) return false;
    this.setState(old, 'discarded');
    if (replacement) {
      const { envelope, files } = replacement;
      for (const f of files) if (!this.files.has(f.sha256)) this.files.set(f.sha256, { sha256: f.sha256, type: f.type, bytes: f.bytes, body: f.body, uploaded: false });
      this.entries.push({ envelope: structuredClone(envelope), state: 'waiting', files: files.map((f) => f.sha256), code: null, message: null, updatedAt: this.stamp() });
    }
    const targets = new Map([old.envelope, ...(replacement ? [replacement.envelope] : [])].map((env) => {
      const t = targetOf(env);
      return [recordKey(t.entity, t.id), t] as const;
    }));
    for (const [key, t] of targets) {
      const of = (states: readonly OutboxEntry['state'][]) => this.entries.filter((e) => states.includes(e.state) && sameTarget(e.envelope, t.entity, t.id)).map((e) => e.envelope);
      const rec = relaid(t, this.recordMap.get(key) ?? null, of(ACKNOWLEDGED), of(UNACKNOWLEDGED));
      if (rec) this.recordMap.set(key, rec);
      else this.recordMap.delete(key);
    }
    this.dropUploadedFiles(old);
    return true;
  }

  async entry(id: string): Promise<OutboxEntry | null> {
    const e = this.entries.find((x) => x.envelope.id === id);
    return e ? { ...e, envelope: structuredClone(e.envelope) } : null;
  }

  async pruneSent(before: string): Promise<number> {
    let n = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e && PRUNABLE.includes(e.state) && e.updatedAt < before) {
        this.entries.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  async outbox(): Promise<OutboxEntry[]> {
    return this.entries.map((e) => ({ ...e }));
  }

  async records(entity: LocalEntity): Promise<LocalRecord[]> {
    return [...this.recordMap.values()].filter((r) => r.entity === entity).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async record(entity: LocalEntity, id: string): Promise<LocalRecord | null> {
    return this.recordMap.get(recordKey(entity, id)) ?? null;
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private setState(e: OutboxEntry, state: OutboxEntry['state']): void {
    e.state = state;
    e.updatedAt = this.stamp();
  }

  /** The server's version after our acknowledged edit: the base of the next edit. */
  private bumpVersion(env: Envelope, version: number): void {
    if (env.entity !== 'household' && env.entity !== 'resident') return;
    const rec = this.recordMap.get(recordKey(env.entity, env.entityId));
    if (rec && rec.version < version) rec.version = version;
  }

  private dropUploadedFiles(e: OutboxEntry): void {
    for (const sha of e.files) {
      const stillWanted = this.entries.some((x) => x !== e && UNACKNOWLEDGED.includes(x.state) && x.files.includes(sha));
      if (!stillWanted) this.files.delete(sha);
    }
  }
}

function sameTarget(env: Envelope, entity: LocalEntity, id: string): boolean {
  const t = targetOf(env);
  return t.entity === entity && t.id === id;
}
