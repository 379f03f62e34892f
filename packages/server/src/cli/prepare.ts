import { PREPARED_MARK, prepareInThisThread } from '../db/prepare.ts';

/** Internal: `causo serve` runs this in a child process to migrate and seed (see db/prepare.ts). */
export async function runPrepare(): Promise<void> {
  const result = await prepareInThisThread({ ...process.env });
  process.stdout.write(`${PREPARED_MARK}${JSON.stringify(result)}\n`);
}
