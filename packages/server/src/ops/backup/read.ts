/** Reading a backup file back: decrypt → gunzip → records; and `backup --verify`. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BackupError, decrypt } from './crypto.ts';
import { checkedRecords, parseRecords, RecordChecker, type BackupRecord, type CheckedSummary } from './records.ts';

/** The records of a backup file; errors are BackupErrors (wrong passphrase, damaged, truncated). */
export async function* readBackup(file: string, passphrase: string): AsyncGenerator<BackupRecord> {
  const source = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    source.once('open', () => resolve());
    source.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    throw new BackupError('not_a_backup', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const gunzip = createGunzip();
  let failure: unknown = null;
  const fed = pipeline(Readable.from(decrypt(source, passphrase)), gunzip).catch((e: unknown) => {
    failure = e;
  });
  try {
    yield* parseRecords(gunzip);
    await fed;
  } catch (e) {
    await fed;
    const err = failure ?? e;
    if (err instanceof BackupError) throw err;
    throw new BackupError('damaged', `the backup's content is damaged: ${(err as Error).message}`);
  } finally {
    gunzip.destroy();
    source.destroy();
  }
  if (failure) throw failure instanceof BackupError ? failure : new BackupError('damaged', `the backup's content is damaged: ${(failure as Error).message}`);
}

export interface VerifiedBackup extends CheckedSummary {
  bytes: number;
}

/** Decrypts and reads the whole file, recomputing every table's row count and SHA-256. */
export async function verifyBackupFile(file: string, passphrase: string): Promise<VerifiedBackup> {
  const checker = new RecordChecker();
  for await (const _ of checkedRecords(readBackup(file, passphrase), checker)) {
    // the checker does the work
  }
  return { ...checker.finish(), bytes: (await stat(file)).size };
}
