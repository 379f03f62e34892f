/**
 * Issue 5's chaos test: 50 simulated phones against a real server process, through a proxy that
 * drops, delays, duplicates and reorders requests, while the server is killed with SIGKILL and
 * restarted; on PGlite and on PostgreSQL. CI runs a small size; `npm run test:chaos` a big one
 * (CHAOS_SCALE=full, or CHAOS_ROUNDS / CHAOS_KILLS / CHAOS_DEVICES / CHAOS_SEED to pick).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { engines } from '../support/engines.ts';
import { CHAOS_FAULTS, runChaos } from './chaosRun.ts';

const full = process.env.CHAOS_SCALE === 'full';
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const size = {
  devices: num('CHAOS_DEVICES', 50),
  rounds: num('CHAOS_ROUNDS', full ? 40 : 6),
  kills: num('CHAOS_KILLS', full ? 8 : 3),
  opsPerRound: full ? 4 : 3,
  seed: num('CHAOS_SEED', Math.floor(Math.random() * 1e9)),
};

describe('sync under chaos: dropped, repeated and reordered requests, a server killed mid-request', () => {
  for (const engine of engines())
    it(`[${engine}] ${size.devices} phones, ${size.rounds}+ rounds, ${size.kills}+ kills: nothing lost, nothing doubled, every conflict kept, phones equal the server`, { timeout: full ? 60 * 60_000 : 10 * 60_000 }, async (t) => {
      const outcome = await runChaos({ engine, ...size, faults: CHAOS_FAULTS, log: (line) => t.diagnostic(line) });
      assert.deepEqual(outcome.problems.slice(0, 30), [], `${outcome.summary}\n(${outcome.problems.length} problems; rerun with CHAOS_SEED=${size.seed})`);
    });
});
