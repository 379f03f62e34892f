/**
 * Crash safety of dossier submission (issue 7), on PGlite and on PostgreSQL: 1,000 dossiers are
 * submitted at once to a real server process (`node bin/causo.mjs serve`), most by an officer
 * through the API and one in ten by citizens sending a filled-in application from the portal,
 * and the server is SIGKILLed when about half have been acknowledged, with the rest in flight.
 * It is started again on the same data and the client re-sends every submission that got no
 * answer with the same transaction id, as a real client does; then a sample of the
 * acknowledged ones, which must replay with the same code. Then the database must hold every
 * submission exactly once, under the code it was acknowledged with, with nothing half-written
 * and II.06a counters equal to a recount (submissionChecks.ts).
 * Size: SUBMISSION_CRASH_COUNT (1000), SUBMISSION_CRASH_CITIZENS (a tenth of them),
 * SUBMISSION_CRASH_CONCURRENCY (sockets, 150).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { engines } from '../support/engines.ts';
import { ServerProcess, freePort } from './serverProcess.ts';
import { storedSubmissions, storeInvariants } from './submissionChecks.ts';
import { DATA_KEY, isAcknowledgement, pgliteClusterState, prepare, send, signIn, submissions, type Answer, type Outcome, type Submission } from './submissionSetup.ts';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const COUNT = num('SUBMISSION_CRASH_COUNT', 1000);
const CITIZENS = num('SUBMISSION_CRASH_CITIZENS', Math.floor(COUNT / 10));
const CONCURRENCY = num('SUBMISSION_CRASH_CONCURRENCY', 150);
/** Acknowledged submissions re-sent after the restart (all of them is slow on PGlite and proves no more). */
const REPLAY_SAMPLE = 60;

/** Runs `work` over the items with `concurrency` at once; a worker stops drawing when `stop()` says so. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (!stop() && next < items.length) await work(items[next++] as T);
    }),
  );
}

const describeError = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err));

/** With the server up, an answer that does not come (a very slow machine) is asked for again, as a client would. */
async function sendPatiently(baseUrl: string, token: string, s: Submission): Promise<Answer> {
  for (let attempt = 1; ; attempt++)
    try {
      return await send(baseUrl, token, s);
    } catch (err) {
      if (attempt === 3) throw new Error(`no answer to ${s.send.kind} submission ${s.transactionId} in 3 attempts: ${describeError(err)}`);
    }
}

const count = (subs: Submission[], outcome: Outcome) => subs.filter((s) => s.outcome === outcome).length;

describe('dossier submission survives a server killed mid-write', () => {
  for (const engine of engines())
    it(
      `[${engine}] ${COUNT} concurrent submissions (${CITIZENS} from the portal), SIGKILL at half acknowledged, restart and re-send: each stored exactly once under its code, nothing half-written, counters equal a recount`,
      { timeout: 10 * 60_000 },
      async (t) => {
        const t0 = Date.now();
        const phase = (what: string) => t.diagnostic(`${engine} ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
        const prepared = await prepare(engine, CITIZENS);
        const server = new ServerProcess(await freePort(), { ...prepared.serverEnv, SEED_DEMO: 'false', LOG_LEVEL: 'error', DATA_KEY, NODE_ENV: 'test', TELECOM_SIM_LATENCY_MS: '0' });
        const subs = submissions(engine, COUNT, prepared.citizens);
        try {
          // Generous start limits: on a busy 2-core machine loading the server alone can take a minute.
          phase(`database ready; server up in ${await server.start(240_000)} ms`);
          const token = await signIn(server.url, prepared.officer);

          // The burst: kill when half are acknowledged, whatever is in flight at that moment.
          const killAt = Math.ceil(COUNT / 2);
          let acknowledged = 0;
          let killing: Promise<void> | null = null;
          let inFlightAtKill = 0;
          const burstStart = Date.now();
          await pool(
            subs,
            CONCURRENCY,
            async (s) => {
              s.outcome = 'in_flight';
              try {
                const a = await send(server.url, token, s);
                s.outcome = isAcknowledgement(s, a) ? 'acknowledged' : 'refused';
                if (a.code) s.code = a.code;
                s.answer = `${a.status} ${a.text}`;
              } catch (err) {
                s.outcome = 'no_answer';
                s.answer = describeError(err);
              }
              if (s.outcome === 'acknowledged' && ++acknowledged >= killAt && !killing) {
                inFlightAtKill = count(subs, 'in_flight');
                killing = server.kill();
              }
            },
            () => killing !== null,
          );
          await killing;
          const burstSeconds = (Date.now() - burstStart) / 1000;
          const before = { acknowledged: count(subs, 'acknowledged'), refused: count(subs, 'refused'), noAnswer: count(subs, 'no_answer'), unsent: count(subs, 'unsent') };
          phase(`burst: ${JSON.stringify(before)} in ${burstSeconds.toFixed(1)} s (${(before.acknowledged / burstSeconds).toFixed(0)}/s); ${inFlightAtKill} in flight at the kill`);
          assert.equal(server.kills, 1, 'the server was killed during the burst');
          assert.deepEqual(
            subs
              .filter((s) => s.outcome === 'refused')
              .slice(0, 5)
              .map((s) => `${s.send.kind}: ${s.answer}`),
            [],
            'no submission is refused before the kill',
          );
          assert.ok(inFlightAtKill > 0 && before.noAnswer > 0, `the kill came with submissions in flight (${inFlightAtKill} in flight, ${before.noAnswer} unanswered)`);
          const dataDir = prepared.serverEnv.DATA_DIR;
          if (dataDir) assert.equal(pgliteClusterState(dataDir), 'in production', 'the PGlite folder was left as by a crash: the restart must replay its log');

          const restartMs = await server.start(240_000);
          phase(`restarted in ${restartMs} ms`);
          const token2 = await signIn(server.url, prepared.officer);

          // A client re-sends what got no answer (or was never sent) with the same transaction id.
          const unanswered = subs.filter((s) => s.outcome !== 'acknowledged');
          const resent = new Map<Submission, Answer>();
          await pool(unanswered, CONCURRENCY, async (s) => {
            resent.set(s, await sendPatiently(server.url, token2, s));
          });
          assert.deepEqual(
            [...resent]
              .filter(([, a]) => !a.code)
              .slice(0, 5)
              .map(([s, a]) => `${s.send.kind}: ${a.status} ${a.text}`),
            [],
            'every re-sent submission is stored now or found stored',
          );
          const storedNow = [...resent.values()].filter((a) => a.status === 201).length;
          const foundStored = [...resent.values()].filter((a) => a.replayed).length;
          phase(`re-sent ${unanswered.length}: API ones ${storedNow} stored now, ${foundStored} found stored before the kill without an answer`);

          // Acknowledged ones replay with the code they were acknowledged with.
          const acked = subs.filter((s) => s.outcome === 'acknowledged');
          const sample = acked.filter((_, i) => i % Math.max(1, Math.floor(acked.length / REPLAY_SAMPLE)) === 0);
          const replays = new Map<Submission, Answer>();
          await pool(sample, CONCURRENCY, async (s) => {
            replays.set(s, await sendPatiently(server.url, token2, s));
          });
          assert.deepEqual(
            [...replays]
              .filter(([s, a]) => a.code !== s.code || (s.send.kind === 'api' && !(a.status === 200 && a.replayed)))
              .slice(0, 5)
              .map(([s, a]) => ({ kind: s.send.kind, acknowledgedAs: s.code, replay: a })),
            [],
            'acknowledged submissions sent again replay as stored, with the same code',
          );
          phase(`${sample.length} acknowledged ones replayed`);
          await server.stop();
          if (dataDir) assert.equal(pgliteClusterState(dataDir), 'shut down', 'the restarted server recovered the folder and closed it cleanly');

          const db = await prepared.inspect();
          const rows = await storedSubmissions(
            db,
            subs.map((s) => s.transactionId),
          );
          const byTransaction = new Map<string, string[]>();
          for (const r of rows) byTransaction.set(r.transactionId, [...(byTransaction.get(r.transactionId) ?? []), r.code]);
          const lost = acked.filter((s) => !byTransaction.has(s.transactionId)).map((s) => `${s.send.kind} ${s.transactionId} (${s.code})`);
          assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged submissions are not stored`);
          assert.deepEqual(
            acked
              .filter((s) => byTransaction.get(s.transactionId)?.[0] !== s.code)
              .slice(0, 5)
              .map((s) => ({ acknowledgedAs: s.code, stored: byTransaction.get(s.transactionId) })),
            [],
            'stored under the code it was acknowledged with',
          );
          assert.deepEqual(
            [...byTransaction].filter(([, codes]) => codes.length !== 1).slice(0, 5),
            [],
            'no submission stored twice',
          );
          assert.equal(byTransaction.size, COUNT, 'after the re-sends every submission is stored');
          const dossiers = Number((await db.kysely.selectFrom('dossiers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
          assert.equal(dossiers, COUNT, 'the database holds no dossier beyond the submissions');
          const problems = await storeInvariants(db);
          assert.deepEqual(problems, [], problems.join('\n'));
          assert.deepEqual(server.errors().slice(0, 5), [], 'the server logged no error');
          phase(
            `checked: ${before.acknowledged} acknowledged before the kill, ${inFlightAtKill} in flight, ${foundStored} stored but unanswered; ` +
              `restart ${(restartMs / 1000).toFixed(1)} s; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
          );
        } finally {
          await server.kill();
          await prepared.dispose();
        }
      },
    );
});
