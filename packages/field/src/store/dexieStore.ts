/**
 * The SyncStore of the app, on IndexedDB. Same rules as MemoryStore (localRecords.ts merges);
 * in addition residents' personal fields are sealed with the data key. Writes run one at a time
 * (crypto is awaited before each Dexie transaction opens: IndexedDB transactions close on
 * foreign awaits), so a pull and a save never interleave.
 */
import type { Envelope, FileRef, PullPage, PulledRecord, PushResult } from '@causo/domain';
import { recordKey, relaid, targetOf, withLocalEdit, withPulled, type LocalEntity, type LocalRecord } from '../sync/localRecords.ts';
import { ACKNOWLEDGED, PRUNABLE, UNACKNOWLEDGED, type FileBody, type LocalFile, type OutboxEntry, type SyncStore } from '../sync/types.ts';
import { RECORD_TABLES, type FieldDb, type OutboxRow, type RecordRow } from './db.ts';
import { sealParts, splitPersonal, unsealParts } from './personal.ts';

const toBlob = (b: FileBody, type: string): Blob => (b instanceof Blob ? b : new Blob([b as Uint8Array<ArrayBuffer>], { type }));

export class DexieSyncStore implements SyncStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly db: FieldDb,
    private readonly key: CryptoKey,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs writes one after another. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  // ---- records ------------------------------------------------------------------------------

  async record(entity: LocalEntity, id: string): Promise<LocalRecord | null> {
    const row = await this.db.recordTable(entity).get(id);
    return row ? this.openRow(entity, row) : null;
  }

  async records(entity: LocalEntity): Promise<LocalRecord[]> {
    const rows = await this.db.recordTable(entity).toArray();
    return Promise.all(rows.map((r) => this.openRow(entity, r)));
  }

  /** A row back to a record, personal fields unsealed. */
  async openRow(entity: LocalEntity, row: RecordRow): Promise<LocalRecord> {
    const parts = await unsealParts(this.key, row.sealed);
    return {
      entity,
      id: row.id,
      version: row.version,
      data: { ...row.data, ...(parts.data ?? {}) },
      server: row.server ? { ...row.server, ...(parts.server ?? {}) } : null,
    };
  }

  private async rowOf(rec: LocalRecord): Promise<RecordRow> {
    const d = splitPersonal(rec.data, rec.entity);
    const s = rec.server ? splitPersonal(rec.server, rec.entity) : { plain: rec.server, personal: null };
    const row: RecordRow = { id: rec.id, version: rec.version, data: d.plain, server: s.plain, sealed: await sealParts(this.key, { data: d.personal, server: s.personal }) };
    const str = (k: string): string | undefined => (typeof rec.data[k] === 'string' ? (rec.data[k] as string) : undefined);
    if (str('villageCode')) row.villageCode = str('villageCode');
    if (str('householdId')) row.householdId = str('householdId');
    if (str('residentId')) row.residentId = str('residentId');
    if (str('dueDate')) row.dueDate = str('dueDate');
    if (str('status')) row.status = str('status');
    return row;
  }

  // ---- outbox -------------------------------------------------------------------------------

  private async outboxRowOf(envelope: Envelope, files: string[]): Promise<OutboxRow> {
    let sealed: string | null = null;
    let stored = envelope;
    if (envelope.entity === 'resident' || envelope.entity === 'application') {
      const { plain, personal } = splitPersonal(envelope.payload, envelope.entity);
      sealed = await sealParts(this.key, { data: personal, server: null });
      stored = { ...envelope, payload: plain } as Envelope;
    }
    const t = targetOf(envelope);
    return { id: envelope.id, target: recordKey(t.entity, t.id), state: 'waiting', envelope: stored, sealed, files, code: null, message: null, updatedAt: this.now().toISOString() };
  }

  private async envelopeOf(row: OutboxRow): Promise<Envelope> {
    if (!row.sealed) return row.envelope;
    const parts = await unsealParts(this.key, row.sealed);
    return { ...row.envelope, payload: { ...row.envelope.payload, ...(parts.data ?? {}) } } as Envelope;
  }

  private async entryOf(row: OutboxRow): Promise<OutboxEntry> {
    return { envelope: await this.envelopeOf(row), state: row.state, files: row.files, code: row.code, message: row.message, updatedAt: row.updatedAt };
  }

  addEnvelope(envelope: Envelope, files: readonly LocalFile[] = []): Promise<void> {
    return this.serial(async () => {
      if (await this.db.outbox.where('id').equals(envelope.id).count()) return;
      const t = targetOf(envelope);
      const current = await this.record(t.entity, t.id);
      const rec = withLocalEdit(current ?? undefined, envelope);
      const row = await this.rowOf(rec);
      const out = await this.outboxRowOf(envelope, files.map((f) => f.sha256));
      const table = this.db.recordTable(t.entity);
      await this.db.transaction('rw', [this.db.outbox, this.db.files, table], async () => {
        for (const f of files) if (!(await this.db.files.get(f.sha256))) await this.db.files.put({ sha256: f.sha256, type: f.type, bytes: f.bytes, body: toBlob(f.body, f.type), uploaded: 0 });
        await this.db.outbox.add(out);
        await table.put(row);
      });
    });
  }

  async waitingEnvelopes(): Promise<OutboxEntry[]> {
    const rows = await this.db.outbox.where('state').equals('waiting').sortBy('seq');
    return Promise.all(rows.map((r) => this.entryOf(r)));
  }

  async outbox(): Promise<OutboxEntry[]> {
    const rows = await this.db.outbox.orderBy('seq').toArray();
    return Promise.all(rows.map((r) => this.entryOf(r)));
  }

  async filesToUpload(): Promise<FileRef[]> {
    const waiting = await this.db.outbox.where('state').equals('waiting').toArray();
    const wanted = new Set(waiting.flatMap((r) => r.files));
    const files = await this.db.files.bulkGet([...wanted]);
    return files.filter((f) => f && !f.uploaded).map((f) => ({ sha256: f!.sha256, type: f!.type, bytes: f!.bytes }));
  }

  async fileBody(sha256: string): Promise<FileBody | null> {
    return (await this.db.files.get(sha256))?.body ?? null;
  }

  setFileUploaded(sha256: string, uploaded: boolean): Promise<void> {
    return this.serial(async () => {
      await this.db.files.update(sha256, { uploaded: uploaded ? 1 : 0 });
    });
  }

  markSending(ids: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const at = this.now().toISOString();
      await this.db.outbox.where('id').anyOf([...ids]).and((r) => r.state === 'waiting').modify({ state: 'sending', updatedAt: at });
    });
  }

  requeueSending(): Promise<number> {
    return this.serial(() => this.db.outbox.where('state').equals('sending').modify({ state: 'waiting', updatedAt: this.now().toISOString() }));
  }

  recordResults(results: readonly PushResult[]): Promise<void> {
    return this.serial(async () => {
      const at = this.now().toISOString();
      await this.db.transaction('rw', [this.db.outbox, this.db.files, this.db.households, this.db.residents], async () => {
        for (const r of results) {
          const row = await this.db.outbox.where('id').equals(r.id).first();
          if (!row || (row.state !== 'sending' && row.state !== 'waiting')) continue;
          if (r.result === 'rejected') {
            await this.db.outbox.update(row.seq!, { state: r.retryable ? 'waiting' : 'needs_fixing', code: r.code, message: r.message, updatedAt: at });
            continue;
          }
          await this.db.outbox.update(row.seq!, { state: r.result === 'conflict' ? 'conflict' : 'sent', code: null, message: null, updatedAt: at });
          const env = row.envelope;
          if (r.version !== null && (env.entity === 'household' || env.entity === 'resident')) {
            const table = this.db.recordTable(env.entity);
            const rec = await table.get(env.entityId);
            if (rec && rec.version < r.version) await table.update(env.entityId, { version: r.version });
          }
          for (const sha of row.files) {
            const others = await this.db.outbox.filter((x) => x.id !== row.id && UNACKNOWLEDGED.includes(x.state) && x.files.includes(sha)).count();
            if (!others) await this.db.files.delete(sha);
          }
        }
      });
    });
  }

  applyPulledPage(page: PullPage): Promise<void> {
    return this.serial(async () => {
      const pendingRows = await this.db.outbox.where('state').anyOf([...UNACKNOWLEDGED]).sortBy('seq');
      const pending = new Map<string, Envelope[]>();
      for (const row of pendingRows) {
        const list = pending.get(row.target) ?? [];
        list.push(await this.envelopeOf(row));
        pending.set(row.target, list);
      }
      const rows = new Map<LocalEntity, RecordRow[]>();
      for (const pulled of page.records as PulledRecord[]) {
        if (!(pulled.entity in RECORD_TABLES)) continue; // an entity this version does not know yet
        const rec = withPulled(pulled, pending.get(recordKey(pulled.entity, pulled.id)) ?? []);
        const list = rows.get(pulled.entity) ?? [];
        list.push(await this.rowOf(rec));
        rows.set(pulled.entity, list);
      }
      const tables = [...rows.keys()].map((e) => this.db.recordTable(e));
      await this.db.transaction('rw', [this.db.meta, ...tables], async () => {
        for (const [entity, list] of rows) await this.db.recordTable(entity).bulkPut(list);
        await this.db.meta.put({ key: 'cursor', value: page.cursor });
      });
    });
  }

  async getCursor(): Promise<string> {
    return (await this.getMeta('cursor')) ?? '';
  }

  async getMeta(key: string): Promise<string | null> {
    return (await this.db.meta.get(key))?.value ?? null;
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.serial(async () => {
      await this.db.meta.put({ key, value });
    });
  }

  pruneSent(before: string): Promise<number> {
    return this.serial(() => this.db.outbox.where('state').anyOf([...PRUNABLE]).and((r) => r.updatedAt < before).delete());
  }

  async entry(id: string): Promise<OutboxEntry | null> {
    const row = await this.db.outbox.where('id').equals(id).first();
    return row ? this.entryOf(row) : null;
  }

  replaceEnvelope(oldId: string, envelope: Envelope, files: readonly LocalFile[] = []): Promise<boolean> {
    return this.serial(() => this.discard(oldId, { envelope, files }));
  }

  discardEnvelope(id: string): Promise<boolean> {
    return this.serial(() => this.discard(id, null));
  }

  /**
   * Everything is read and sealed first (crypto cannot be awaited inside an IndexedDB
   * transaction), then written in one transaction that checks again that the old envelope still
   * needs fixing: the old one discarded, the new one waiting with its photos, the records laid
   * again, and photos nobody pending refers to any more dropped.
   */
  private async discard(oldId: string, replacement: { envelope: Envelope; files: readonly LocalFile[] } | null): Promise<boolean> {
    const old = await this.db.outbox.where('id').equals(oldId).first();
    if (!old || old.state !== 'needs_fixing') return false;
    if (replacement && (await this.db.outbox.where('id').equals(replacement.envelope.id).count())) return false;
    const newRow = replacement ? await this.outboxRowOf(replacement.envelope, replacement.files.map((f) => f.sha256)) : null;
    const targets = new Set([old.target, ...(newRow ? [newRow.target] : [])]);
    const relaidRows: { entity: LocalEntity; id: string; row: RecordRow | null }[] = [];
    for (const target of targets) {
      const rows = (await this.db.outbox.where('target').equals(target).sortBy('seq')).filter((r) => r.id !== oldId);
      const of = async (states: readonly OutboxRow['state'][]) => Promise.all(rows.filter((r) => states.includes(r.state)).map((r) => this.envelopeOf(r)));
      const pending = await of(UNACKNOWLEDGED);
      if (replacement && newRow?.target === target) pending.push(replacement.envelope);
      const sep = target.indexOf(':');
      const t = { entity: target.slice(0, sep) as LocalEntity, id: target.slice(sep + 1) };
      const rec = relaid(t, await this.record(t.entity, t.id), await of(ACKNOWLEDGED), pending);
      relaidRows.push({ ...t, row: rec ? await this.rowOf(rec) : null });
    }
    const tables = [...new Set(relaidRows.map((r) => this.db.recordTable(r.entity)))];
    const at = this.now().toISOString();
    return this.db.transaction('rw', [this.db.outbox, this.db.files, ...tables], async () => {
      const again = await this.db.outbox.get(old.seq!);
      if (!again || again.state !== 'needs_fixing') return false;
      await this.db.outbox.update(old.seq!, { state: 'discarded', updatedAt: at });
      if (replacement && newRow) {
        for (const f of replacement.files) if (!(await this.db.files.get(f.sha256))) await this.db.files.put({ sha256: f.sha256, type: f.type, bytes: f.bytes, body: toBlob(f.body, f.type), uploaded: 0 });
        await this.db.outbox.add(newRow);
      }
      for (const r of relaidRows) {
        const table = this.db.recordTable(r.entity);
        if (r.row) await table.put(r.row);
        else await table.delete(r.id);
      }
      for (const sha of old.files) {
        const wanted = await this.db.outbox.filter((x) => UNACKNOWLEDGED.includes(x.state) && x.files.includes(sha)).count();
        if (!wanted) await this.db.files.delete(sha);
      }
      return true;
    });
  }
}
