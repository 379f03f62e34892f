/**
 * The backup file's envelope: a fixed header, then the compressed backup cut into chunks, each
 * sealed with AES-256-GCM under a key derived by scrypt from a passphrase (BACKUP_PASSPHRASE).
 *
 *   header (48 bytes)  "CAUSOBK1" · kdf 1 (scrypt) · log2 N · r · p · salt (16) · key check (16) · chunk size (u32)
 *   chunk              flags (1: bit 0 = last chunk) · length L (u32 BE) · ciphertext (L) · GCM tag (16)
 *
 * Each chunk's nonce is its number (0, 1, 2, …; the key is new for every file, from its random
 * salt), and its additional data is the whole header, the chunk number, the flags and the
 * length. So a changed byte anywhere fails authentication, chunks cannot be reordered, dropped
 * or replayed, and a file cut short has no last chunk: truncation is detected too. The key
 * check (an HMAC of a constant under a second derived key) tells a wrong passphrase apart from
 * a damaged file before anything is decrypted.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const MAGIC = Buffer.from('CAUSOBK1', 'ascii');
export const HEADER_BYTES = 48;
const TAG_BYTES = 16;
const FRAME_BYTES = 5;
/** Plaintext (compressed backup) per chunk. */
export const CHUNK_BYTES = 1 << 20;
/** The largest chunk a reader accepts (a damaged length must not make it allocate gigabytes). */
const MAX_CHUNK_BYTES = 16 << 20;
/** scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB, about half a second): OWASP's recommendation. */
export const DEFAULT_LOG_N = 17;
const KEY_CHECK_LABEL = 'causo backup key check v1';
export const MIN_PASSPHRASE = 12;

export type BackupErrorCode =
  | 'passphrase'
  | 'wrong_passphrase'
  | 'not_a_backup'
  | 'damaged'
  | 'truncated'
  | 'unsupported'
  | 'not_empty'
  | 'schema'
  | 'data_key'
  | 'mismatch'
  | 'target'
  | 'config';

/** Everything an operator must be told in plain words: the CLI prints the message, never a stack. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** BACKUP_PASSPHRASE, checked; the value itself never appears in a message. */
export function backupPassphrase(env: NodeJS.ProcessEnv = process.env): string {
  const p = env.BACKUP_PASSPHRASE;
  if (!p) throw new BackupError('passphrase', `BACKUP_PASSPHRASE is not set: set it to a passphrase of at least ${MIN_PASSPHRASE} characters (the same one opens the backup later; keep it apart from the backups, e.g. in the secret store that holds DATA_KEY).`);
  if ([...p].length < MIN_PASSPHRASE) throw new BackupError('passphrase', `BACKUP_PASSPHRASE is too short: use at least ${MIN_PASSPHRASE} characters (a few random words work well).`);
  return p;
}

/**
 * A short fingerprint of DATA_KEY (an HMAC under a key derived from it: it tells nothing about
 * the key), kept in the backup so a restore can tell before loading anything that the target
 * installation could not open the sealed personal data.
 */
export function dataKeyCheck(dataKey: string): string {
  const k = Buffer.from(hkdfSync('sha256', Buffer.from(dataKey, 'utf8'), 'causo', 'backup-data-key-check', 32));
  return createHmac('sha256', k).update('causo data key check v1').digest('hex').slice(0, 16);
}

interface KdfParams {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
}

interface Keys {
  enc: Buffer;
  check: Buffer;
}

function deriveKeys(passphrase: string, k: KdfParams): Promise<Keys> {
  const N = 2 ** k.logN;
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), k.salt, 64, { N, r: k.r, p: k.p, maxmem: 256 * N * k.r + (1 << 20) }, (err, key) => {
      if (err) reject(err);
      else resolve({ enc: key.subarray(0, 32), check: key.subarray(32, 64) });
    }),
  );
}

const keyCheck = (keys: Keys) => createHmac('sha256', keys.check).update(KEY_CHECK_LABEL).digest().subarray(0, 16);

function buildHeader(k: KdfParams, check: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h[8] = 1; // scrypt
  h[9] = k.logN;
  h[10] = k.r;
  h[11] = k.p;
  k.salt.copy(h, 12);
  check.copy(h, 28);
  h.writeUInt32BE(CHUNK_BYTES, 44);
  return h;
}

function nonceOf(counter: bigint): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(counter, 4);
  return n;
}

function aadOf(header: Buffer, counter: bigint, flags: number, length: number): Buffer {
  const a = Buffer.alloc(HEADER_BYTES + 13);
  header.copy(a, 0);
  a.writeBigUInt64BE(counter, HEADER_BYTES);
  a[HEADER_BYTES + 8] = flags;
  a.writeUInt32BE(length, HEADER_BYTES + 9);
  return a;
}

function seal(keys: Keys, header: Buffer, counter: bigint, last: boolean, plain: Buffer): Buffer {
  const flags = last ? 1 : 0;
  const cipher = createCipheriv('aes-256-gcm', keys.enc, nonceOf(counter));
  cipher.setAAD(aadOf(header, counter, flags, plain.length));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const frame = Buffer.alloc(FRAME_BYTES);
  frame[0] = flags;
  frame.writeUInt32BE(body.length, 1);
  return Buffer.concat([frame, body, cipher.getAuthTag()]);
}

/** A stream that encrypts what is written to it into the backup format. */
export async function createEncryptor(passphrase: string, opts: { logN?: number } = {}): Promise<Transform> {
  const kdf: KdfParams = { logN: opts.logN ?? DEFAULT_LOG_N, r: 8, p: 1, salt: randomBytes(16) };
  const keys = await deriveKeys(passphrase, kdf);
  const header = buildHeader(kdf, keyCheck(keys));
  let counter = 0n;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let headerSent = false;
  const sendHeader = (t: Transform) => {
    if (!headerSent) t.push(header);
    headerSent = true;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      sendHeader(this);
      pending.push(chunk);
      pendingBytes += chunk.length;
      // Keep at least one byte back: the last chunk must carry the "last" flag.
      if (pendingBytes > CHUNK_BYTES) {
        let all = Buffer.concat(pending);
        while (all.length > CHUNK_BYTES) {
          this.push(seal(keys, header, counter++, false, all.subarray(0, CHUNK_BYTES)));
          all = all.subarray(CHUNK_BYTES);
        }
        pending = [all];
        pendingBytes = all.length;
      }
      done();
    },
    flush(done: TransformCallback) {
      sendHeader(this);
      this.push(seal(keys, header, counter++, true, Buffer.concat(pending)));
      pending = [];
      done();
    },
  });
}

/** Reads exactly what it is asked for from a byte stream; a shorter buffer (or null) at the end. */
class ByteReader {
  #parts: Buffer[] = [];
  #length = 0;
  #done = false;
  readonly #it: AsyncIterator<Buffer | string>;
  constructor(source: AsyncIterable<Buffer | string>) {
    this.#it = source[Symbol.asyncIterator]();
  }
  async read(n: number): Promise<Buffer | null> {
    while (this.#length < n && !this.#done) {
      const next = await this.#it.next();
      if (next.done) this.#done = true;
      else {
        const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        this.#parts.push(b);
        this.#length += b.length;
      }
    }
    if (this.#length === 0) return null;
    const all = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#length);
    const take = Math.min(n, all.length);
    const rest = all.subarray(take);
    this.#parts = rest.length ? [rest] : [];
    this.#length = rest.length;
    return all.subarray(0, take);
  }
  async atEnd(): Promise<boolean> {
    return (await this.read(1)) === null;
  }
  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

/** Decrypts a backup file's bytes; throws BackupError for a wrong passphrase, damage or truncation. */
export async function* decrypt(source: AsyncIterable<Buffer | string>, passphrase: string): AsyncGenerator<Buffer> {
  const r = new ByteReader(source);
  try {
    const header = await r.read(HEADER_BYTES);
    if (!header) throw new BackupError('truncated', 'the backup file is empty');
    if (header.length < MAGIC.length && MAGIC.subarray(0, header.length).equals(header)) throw new BackupError('truncated', 'the backup file is truncated (it ends inside its header)');
    if (header.length < MAGIC.length || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
      const newer = header.subarray(0, 7).toString('ascii') === 'CAUSOBK';
      throw new BackupError(newer ? 'unsupported' : 'not_a_backup', newer ? 'this backup was written in a newer format: restore it with a newer version of Cầu Số' : 'not a Cầu Số backup file (it does not start with CAUSOBK1)');
    }
    if (header.length < HEADER_BYTES) throw new BackupError('truncated', 'the backup file is truncated (it ends inside its header)');
    const kdf: KdfParams = { logN: header[9] ?? 0, r: header[10] ?? 0, p: header[11] ?? 0, salt: header.subarray(12, 28) };
    if (header[8] !== 1 || kdf.logN < 10 || kdf.logN > 20 || kdf.r < 1 || kdf.r > 32 || kdf.p < 1 || kdf.p > 16)
      throw new BackupError('damaged', 'the backup file is damaged: its header names key-derivation settings this version never writes');
    const keys = await deriveKeys(passphrase, kdf);
    const stored = header.subarray(28, 44);
    if (!timingSafeEqual(stored, keyCheck(keys)))
      throw new BackupError('wrong_passphrase', 'wrong passphrase: BACKUP_PASSPHRASE does not open this backup (or the file header is damaged)');
    let counter = 0n;
    for (;;) {
      const frame = await r.read(FRAME_BYTES);
      if (!frame || frame.length < FRAME_BYTES) throw new BackupError('truncated', `the backup file is truncated: it ends after ${counter} chunk(s) without its last chunk`);
      const flags = frame[0] ?? 0;
      const length = frame.readUInt32BE(1);
      if ((flags & ~1) !== 0 || length > MAX_CHUNK_BYTES) throw new BackupError('damaged', `the backup file is damaged at chunk ${counter} (bad chunk frame)`);
      const body = await r.read(length + TAG_BYTES);
      if (!body || body.length < length + TAG_BYTES) throw new BackupError('truncated', `the backup file is truncated: chunk ${counter} is cut short`);
      const d = createDecipheriv('aes-256-gcm', keys.enc, nonceOf(counter));
      d.setAAD(aadOf(header, counter, flags, length));
      d.setAuthTag(body.subarray(length));
      let plain: Buffer;
      try {
        plain = Buffer.concat([d.update(body.subarray(0, length)), d.final()]);
      } catch {
        throw new BackupError('damaged', `the backup file is damaged: chunk ${counter} fails authentication (the file was changed or corrupted after it was written)`);
      }
      counter++;
      if (plain.length) yield plain;
      if (flags & 1) break;
    }
    if (!(await r.atEnd())) throw new BackupError('damaged', 'the backup file is damaged: there are bytes after its last chunk');
  } finally {
    await r.close();
  }
}
