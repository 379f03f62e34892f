/**
 * `causo bench sync` at a tiny size, so its code paths (the byte-counting proxy, the app's
 * engine with gzipped pushes, the OpenRosa baseline, the first sync of a village, push() timing)
 * keep working between the times someone runs the real benchmark.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchSync } from '../../src/bench/syncBench.ts';
import { freshDatabase } from '../support/engines.ts';

it('bench sync runs end to end at a tiny size and reports every figure', { timeout: 180_000 }, async () => {
  const lines: string[] = [];
  const f = await benchSync({ engines: ['pglite'], log: (l) => lines.push(l), visits: 40, edits: 10, households: 20, residents: 60, envelopes: 60, browser: false, database: freshDatabase });
  assert.ok(f.upload.requests >= 2 && f.upload.bytes > 0, lines.join('\n'));
  assert.ok(f.upload.bytesPerVisit > 20 && f.upload.bytesPerVisit < 1000, `bytes per visit ${f.upload.bytesPerVisit}`);
  assert.equal(f.odk.requests, 50);
  assert.ok(f.odk.bytes > f.upload.bytes, 'the OpenRosa baseline costs more bytes than our sync');
  assert.equal(f.download.records, 80);
  assert.ok(f.download.requests >= 1 && f.download.bytes > 0);
  assert.ok((f.serverMs.pglite ?? 0) > 0);
  for (const tag of ['a. upload', 'b. the ODK way', 'c. first sync', 'd. [pglite]']) assert.ok(lines.some((l) => l.startsWith(tag)), `no "${tag}" line in:\n${lines.join('\n')}`);
});
