/**
 * Issue 7's soak test at CI size: the real server (`causo serve`, its own process) under the
 * mixed load of `causo bench load` (dossier submissions, officers' queues and receipts, field
 * phones syncing, citizens browsing, a leader's dashboards), its resident memory sampled every
 * 5 s; after warm-up (the first third) it must not grow by more than 10 %, and no request may
 * fail. CI runs 80 s per engine (the first half warm-up) with a light load; SOAK_SECONDS and SOAK_CONNECTIONS make it
 * bigger (`npm run bench -- soak` is the 10-minute run). The growth rule itself is tested on
 * made-up series, so it is known to fail on a leak and to hold on GC noise.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { engines, freshPostgres, pgliteTemplate, type Engine } from '../support/engines.ts';
import { openDatabase, PGLITE_CONF } from '../../src/db/database.ts';
import { PG_PARSERS } from '../../src/db/types.ts';
import { GROUPS } from '../../src/bench/mixedLoad.ts';
import { rssGrowth, soak, type PreparedDatabase, type RssSample } from '../../src/bench/loadBench.ts';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = num('SOAK_SECONDS', 80);
const CONNECTIONS = num('SOAK_CONNECTIONS', 4);

async function prepared(engine: Engine): Promise<PreparedDatabase> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-soak-'));
    const pglite = await PGlite.create(dir, { loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
    return { db: await openDatabase({ pglite }), serverEnv: { DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { db, url, drop } = await freshPostgres();
  return { db, serverEnv: { DATABASE_URL: url }, dispose: drop };
}

const series = (values: number[], everyS = 5): RssSample[] => values.map((rssMb, i) => ({ atS: (i + 1) * everyS, rssMb }));

describe('memory growth after warm-up (the soak rule)', () => {
  it('holds for a flat heap breathing with GC, and for one high sample at the very end', () => {
    const breathing = series(Array.from({ length: 18 }, (_, i) => 300 + (i % 3) * 12 - (i % 5) * 4));
    assert.equal(rssGrowth(breathing).pass, true, JSON.stringify(rssGrowth(breathing)));
    const spikeAtEnd = series([...Array.from({ length: 17 }, () => 300), 360]);
    assert.equal(rssGrowth(spikeAtEnd).pass, true);
    // Warm-up climb then a plateau: growth during the first third is not counted.
    const climbThenFlat = series([200, 240, 280, 310, 320, 322, ...Array.from({ length: 12 }, () => 323)]);
    assert.equal(rssGrowth(climbThenFlat).pass, true);
  });

  it('fails on a leak: a steady climb of 1 MB every 5 s from 300 MB', () => {
    const leak = series(Array.from({ length: 60 }, (_, i) => 300 + i));
    const g = rssGrowth(leak);
    assert.equal(g.pass, false, JSON.stringify(g));
    assert.ok(g.growth > 0.1);
  });

  it('refuses to judge too few samples', () => {
    assert.throws(() => rssGrowth(series([1, 2, 3])), /at least 6/);
  });
});

describe('soak: the server under mixed load keeps its memory', () => {
  for (const engine of engines())
    it(`[${engine}] ${SECONDS} s, ${CONNECTIONS} officers submitting, 20 phones syncing, desks, citizens and a leader: RSS grows ≤ 10 % after warm-up, no failed request`, { timeout: (SECONDS + 600) * 1000 }, async (t) => {
      const outcome = await soak({
        engine,
        seconds: SECONDS,
        sampleSeconds: 5,
        // A short run: its first half is warm-up (PGlite's caches fill for some 40 s under load).
        warmUp: SECONDS < 300 ? 1 / 2 : 1 / 3,
        shape: { connections: CONNECTIONS, phones: 20, phoneEveryMs: 3000, desks: 4, citizens: 2, applicants: 2 },
        log: (line) => t.diagnostic(line),
        database: () => prepared(engine),
      });
      const submitted = outcome.figures.find((f) => f.group === GROUPS.submit)?.requests ?? 0;
      assert.ok(submitted > 0, 'no dossier was submitted: the load did not run');
      assert.ok(outcome.figures.some((f) => f.group === GROUPS.push && f.requests > 0), 'no phone pushed');
      assert.equal(outcome.errors, 0, JSON.stringify(outcome.figures.filter((f) => f.errors).map((f) => ({ group: f.group, statuses: f.statuses, samples: f.samples }))));
      assert.ok(outcome.growth.pass, `RSS grew ${(outcome.growth.growth * 100).toFixed(1)} % after warm-up: ${outcome.samples.map((s) => s.rssMb.toFixed(0)).join(' ')}`);
    });
});
