/**
 * The sync engine: send what waits, then fetch what changed. Platform-neutral (no DOM, no
 * IndexedDB): the app gives it the IndexedDB store and the HTTP transport, tests and the chaos
 * test give it a memory store and fakes.
 *
 * The rules that keep records from being lost or doubled:
 * - an envelope leaves the waiting state only through the server's answer for it;
 * - photos are uploaded before the envelope that refers to them;
 * - what was "sending" when the app stopped is sent again (the server answers "duplicate");
 * - the pull cursor is saved with each page applied, so a dropped link resumes where it stopped.
 */
import type { Envelope, PushResult } from '@causo/domain';
import { TransportError, type OutboxEntry, type SyncStore, type Transport } from './types.ts';

export * from './types.ts';
export * from './localRecords.ts';
export { MemoryStore } from './memoryStore.ts';
export { HttpTransport } from './httpTransport.ts';

export const PUSH_BATCH = 200;
export const PULL_LIMIT = 500;
/** A pull that keeps saying "more" this many times is a server bug; stop rather than spin. */
const MAX_PULL_PAGES = 10_000;

export interface SyncReport {
  uploadedFiles: number;
  pushed: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  needsFixing: number;
  retryLater: number;
  pulledPages: number;
  pulledRecords: number;
}

export interface EngineOptions {
  deviceId: string;
  pushBatch?: number;
  pullLimit?: number;
  now?: () => Date;
}

export class SyncEngine {
  private running: Promise<SyncReport> | null = null;
  private readonly now: () => Date;

  constructor(
    private readonly store: SyncStore,
    private readonly transport: Transport,
    private readonly opts: EngineOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** At app start: whatever was in flight when the app stopped is sent again. */
  recover(): Promise<number> {
    return this.store.requeueSending();
  }

  /** One round; a second call while one runs joins it instead of starting another. */
  syncOnce(): Promise<SyncReport> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  private async round(): Promise<SyncReport> {
    const report: SyncReport = { uploadedFiles: 0, pushed: 0, accepted: 0, duplicates: 0, conflicts: 0, needsFixing: 0, retryLater: 0, pulledPages: 0, pulledRecords: 0 };
    await this.store.requeueSending();
    report.uploadedFiles = await this.uploadFiles();
    await this.pushWaiting(report);
    await this.pullAll(report);
    await this.store.setMeta('lastSyncAt', this.now().toISOString());
    return report;
  }

  private async uploadFiles(): Promise<number> {
    let n = 0;
    for (const file of await this.store.filesToUpload()) {
      const body = await this.store.fileBody(file.sha256);
      if (!body) continue; // already gone: the server will say file_missing and the member re-takes it
      await this.transport.uploadFile(file, body);
      await this.store.setFileUploaded(file.sha256, true);
      n++;
    }
    return n;
  }

  /** The envelopes waiting now, in batches; ones that come back "retry later" wait for the next round. */
  private async pushWaiting(report: SyncReport): Promise<void> {
    const waiting = await this.store.waitingEnvelopes();
    const size = Math.max(1, Math.min(this.opts.pushBatch ?? PUSH_BATCH, 500));
    for (let i = 0; i < waiting.length; i += size) {
      const batch = waiting.slice(i, i + size);
      const ids = batch.map((e) => e.envelope.id);
      await this.store.markSending(ids);
      let results: PushResult[];
      try {
        results = await this.transport.push(this.opts.deviceId, batch.map((e) => e.envelope));
      } catch (err) {
        await this.store.requeueSending();
        throw err;
      }
      const answered = matchResults(batch, results);
      await this.store.recordResults(answered);
      await this.store.requeueSending(); // any envelope the server did not answer for waits again
      for (const r of answered) this.count(report, r);
      await this.refileMissingPhotos(batch, answered);
    }
  }

  private count(report: SyncReport, r: PushResult): void {
    report.pushed++;
    if (r.result === 'accepted') report.accepted++;
    else if (r.result === 'duplicate') report.duplicates++;
    else if (r.result === 'conflict') report.conflicts++;
    else if (r.retryable) report.retryLater++;
    else report.needsFixing++;
  }

  /** The server lost or never got a photo: upload it again next round. */
  private async refileMissingPhotos(batch: readonly OutboxEntry[], results: readonly PushResult[]): Promise<void> {
    for (const r of results) {
      if (r.result !== 'rejected' || r.code !== 'sync.file_missing') continue;
      const entry = batch.find((e) => e.envelope.id === r.id);
      for (const sha of entry?.files ?? []) await this.store.setFileUploaded(sha, false);
    }
  }

  private async pullAll(report: SyncReport): Promise<void> {
    let cursor = await this.store.getCursor();
    for (let page = 0; page < MAX_PULL_PAGES; page++) {
      const got = await this.transport.pull(cursor, this.opts.pullLimit ?? PULL_LIMIT);
      await this.store.applyPulledPage(got);
      report.pulledPages++;
      report.pulledRecords += got.records.length;
      cursor = got.cursor;
      if (!got.more) return;
    }
    throw new TransportError('server', null, 'sync.pull_endless');
  }
}

/** Only answers for envelopes we sent, each once: a confused or replayed answer cannot ack anything else. */
function matchResults(batch: readonly OutboxEntry[], results: readonly PushResult[]): PushResult[] {
  const sent = new Set(batch.map((e) => e.envelope.id));
  const out: PushResult[] = [];
  for (const r of results) {
    if (!sent.has(r.id)) continue;
    sent.delete(r.id);
    out.push(r);
  }
  return out;
}

export type { Envelope };
