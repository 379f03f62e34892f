/**
 * The two sides the sync engine talks to: where the phone keeps its outbox and records
 * (IndexedDB in the app, memory in tests), and the server (HTTP in the app, fakes in tests).
 */
import type { Envelope, FileRef, PullPage, PushResult } from '@causo/domain';
import type { LocalEntity, LocalRecord } from './localRecords.ts';

/**
 * waiting: not yet acknowledged, will be sent; sending: in a request right now; sent: stored by
 * the server (kept visible a while); conflict: stored by the server, another value of the same
 * field won (shown to the member); needs_fixing: refused by the server, the member must correct it.
 *
 * discarded: a needs_fixing envelope the member corrected (a new envelope replaces it, written in
 * the same transaction) or dropped ("Bỏ bản ghi này"). The server never stored it and it is never
 * sent again: it is not pending, its edit is no longer laid over records, and it is pruned with
 * the sent ones (kept a while so the outbox can show what happened to it).
 */
export type OutboxState = 'waiting' | 'sending' | 'sent' | 'conflict' | 'needs_fixing' | 'discarded';
export const OUTBOX_STATES: readonly OutboxState[] = ['waiting', 'sending', 'sent', 'conflict', 'needs_fixing', 'discarded'];
/** States whose edit the server does not have yet: laid over pulled records. */
export const UNACKNOWLEDGED: readonly OutboxState[] = ['waiting', 'sending', 'needs_fixing'];
/** States the server acknowledged: their edit is in the server's copy (once pulled). */
export const ACKNOWLEDGED: readonly OutboxState[] = ['sent', 'conflict'];
/** States pruneSent forgets after a while. */
export const PRUNABLE: readonly OutboxState[] = ['sent', 'discarded'];

export interface OutboxEntry {
  envelope: Envelope;
  state: OutboxState;
  /** sha256 of the photos the envelope refers to (uploaded before it is pushed). */
  files: string[];
  /** The server's problem code and message for needs_fixing (or the last retryable refusal). */
  code: string | null;
  message: string | null;
  /** When the state last changed (device time, ISO). */
  updatedAt: string;
}

export type FileBody = Blob | Uint8Array;
export interface LocalFile extends FileRef {
  body: FileBody;
}

export interface SyncStore {
  /** Durably keeps the envelope and its photos and lays the edit on the local record; resolves after. */
  addEnvelope(envelope: Envelope, files?: readonly LocalFile[]): Promise<void>;
  /** Envelopes to send, oldest first. */
  waitingEnvelopes(): Promise<OutboxEntry[]>;
  /** Photos not yet uploaded that a waiting envelope refers to. */
  filesToUpload(): Promise<FileRef[]>;
  fileBody(sha256: string): Promise<FileBody | null>;
  setFileUploaded(sha256: string, uploaded: boolean): Promise<void>;
  markSending(ids: readonly string[]): Promise<void>;
  /** Back to waiting (a request failed, or the app restarted while sending). Returns how many. */
  requeueSending(): Promise<number>;
  /** One result per envelope: sent, conflict, needs_fixing or back to waiting. */
  recordResults(results: readonly PushResult[]): Promise<void>;
  /** The page's records and its cursor, in one transaction. */
  applyPulledPage(page: PullPage): Promise<void>;
  getCursor(): Promise<string>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /**
   * A needs_fixing envelope corrected by the member: in one transaction the old one becomes
   * discarded and the new one (a new id; the same entity and entityId) waits, with its photos, and
   * the record is laid again from the server copy and what is still pending. False (and nothing
   * changed) when the old one is not needs_fixing any more.
   */
  replaceEnvelope(oldId: string, envelope: Envelope, files?: readonly LocalFile[]): Promise<boolean>;
  /** "Bỏ bản ghi này": a needs_fixing envelope becomes discarded, its edit leaves the record. */
  discardEnvelope(id: string): Promise<boolean>;
  /** One outbox entry (personal fields opened), null when there is none. */
  entry(id: string): Promise<OutboxEntry | null>;
  /** Forgets sent and discarded envelopes whose state changed before the given time (conflicts and the rest stay). */
  pruneSent(before: string): Promise<number>;
  outbox(): Promise<OutboxEntry[]>;
  records(entity: LocalEntity): Promise<LocalRecord[]>;
}

export type TransportFailure = 'network' | 'wiped' | 'unauthorized' | 'server';

/** Why a request to the server failed; the engine stops the round and says why. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    readonly status: number | null = null,
    readonly code: string | null = null,
    detail?: string,
  ) {
    super(detail ?? `${kind}${status ? ` ${status}` : ''}${code ? ` ${code}` : ''}`);
    this.name = 'TransportError';
  }
}

export interface Transport {
  push(deviceId: string, envelopes: readonly Envelope[]): Promise<PushResult[]>;
  pull(cursor: string, limit: number): Promise<PullPage>;
  uploadFile(file: FileRef, body: FileBody): Promise<void>;
}
