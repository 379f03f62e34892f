/**
 * The sync chaos run (issue 5, quality bars): simulated phones against a real server process
 * through a proxy that drops, delays, duplicates and reorders requests, while the server is
 * killed with SIGKILL and restarted. Then the link is made clean, every phone syncs until its
 * outbox is empty, the server is stopped, and the database is compared with what the phones
 * were told and what they hold.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { canonicalJson, type Envelope, type PushResult } from '@causo/domain';
import type { LocalEntity } from '@causo/field';
import { openDatabase, PGLITE_CONF, type Db } from '../../src/db/database.ts';
import { PG_PARSERS } from '../../src/db/types.ts';
import { Vault } from '../../src/security/vault.ts';
import { householdFieldsOf, residentFieldsOf } from '../../src/modules/teams/records.ts';
import { freshPostgres, pgliteTemplate, type Engine } from '../support/engines.ts';
import { unitId } from '../support/fixtures.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { ChaosProxy, NO_FAULTS, type Faults } from './chaosProxy.ts';
import { ServerProcess, freePort } from './serverProcess.ts';
import { SimDevice, seeded, type DeviceIdentity, type World } from './simDevice.ts';

export interface ChaosOptions {
  engine: Engine;
  devices: number;
  /** Rounds each phone makes at least (record offline, then sync) while faults are on. */
  rounds: number;
  /** Server kills at least. */
  kills: number;
  /** Things recorded offline per round: 1..opsPerRound. */
  opsPerRound: number;
  seed: number;
  faults: Faults;
  log: (line: string) => void;
}

export const CHAOS_FAULTS: Faults = { dropBefore: 0.08, dropAfter: 0.12, truncate: 0.04, duplicate: 0.1, hold: 0.06, delayMs: 120, holdMs: 2500 };

const VILLAGES = ['25309-04', '25309-05', '25309-01'];
const DATA_KEY = 'chaos-test-data-key-0123456789-abcdefghijklmnop';
const TODAY = '2026-11-25';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChaosOutcome {
  summary: string;
  problems: string[];
  figures: Record<string, number>;
}

interface Prepared {
  serverEnv: Record<string, string>;
  /** Opens the database for inspection (PGlite: only after the server stopped). */
  inspect: () => Promise<Db>;
  dispose: () => Promise<void>;
}

/** A fresh database holding the reference data and the team members; nothing else. */
async function prepare(engine: Engine, members: { villages: string[] }[]): Promise<{ prepared: Prepared; users: { id: number; username: string; password: string; villages: string[] }[] }> {
  // One password hash for all (argon2 is slow on purpose); the rows are what createOfficer writes.
  const password = 'chaos horse battery staple';
  const addUsers = async (db: Db) => {
    const hash = await hashPassword(password);
    const units = new Map<string, number>();
    for (const v of VILLAGES) units.set(v, await unitId(db, v, TODAY));
    const out = [];
    for (const [i, m] of members.entries()) {
      const username = `chaos${i}_${randomUUID().slice(0, 6)}`;
      const { id } = await db.kysely.insertInto('users').values({ username, display_name: `Thành viên ${i}`, password_hash: hash }).returning('id').executeTakeFirstOrThrow();
      await db.kysely.insertInto('user_roles').values(m.villages.map((v) => ({ user_id: id, role: 'member' as const, unit_id: units.get(v) ?? 0 }))).execute();
      out.push({ id, username, password, villages: m.villages });
    }
    return out;
  };
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-chaos-'));
    const pglite = await PGlite.create(dir, { loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
    const db = await openDatabase({ pglite });
    const users = await addUsers(db);
    await db.close();
    let opened: Db | null = null;
    return {
      users,
      prepared: {
        serverEnv: { DATA_DIR: dir },
        inspect: async () => (opened ??= await openDatabase({ dataDir: dir })),
        dispose: async () => {
          await opened?.close();
          rmSync(dir, { recursive: true, force: true });
        },
      },
    };
  }
  const pgdb = await freshPostgres();
  const users = await addUsers(pgdb.db);
  return {
    users,
    prepared: {
      serverEnv: { DATABASE_URL: pgdb.url, DB_POOL_SIZE: '10' },
      inspect: async () => pgdb.db,
      dispose: async () => {
        await pgdb.db.close();
        await pgdb.drop();
      },
    },
  };
}

async function signIn(baseUrl: string, u: { username: string; password: string }, n: number): Promise<{ token: string; deviceId: string }> {
  const deviceId = randomUUID();
  // Each phone from its own address (the server trusts X-Forwarded-For from loopback), as phones on a mobile network are.
  const res = await fetch(`${baseUrl}/api/v1/field/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.77.${n >> 8}.${n & 255}` },
    body: JSON.stringify({ username: u.username, password: u.password, deviceId, deviceLabel: `chaos ${n}` }),
  });
  if (!res.ok) throw new Error(`sign-in ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { token: string };
  return { token: body.token, deviceId };
}

export async function runChaos(o: ChaosOptions): Promise<ChaosOutcome> {
  const rng = seeded(o.seed);
  const phase = (what: string) => o.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const problems: string[] = [];
  const t0 = Date.now();
  // Members: a village each, round-robin; every seventh also on a second village.
  const members = Array.from({ length: o.devices }, (_, i) => {
    const v = VILLAGES[i % VILLAGES.length] as string;
    const second = VILLAGES[(i + 1) % VILLAGES.length] as string;
    return { villages: i % 7 === 6 ? [v, second] : [v] };
  });
  const { prepared, users } = await prepare(o.engine, members);
  phase('database and members ready');
  const port = await freePort();
  const server = new ServerProcess(port, { ...prepared.serverEnv, SEED_DEMO: 'false', LOG_LEVEL: 'error', DATA_KEY, NODE_ENV: 'test', TELECOM_SIM_LATENCY_MS: '0' });
  const proxy = new ChaosProxy(port, seeded(o.seed ^ 0x5eed));
  const killWindows: [number, number][] = [];
  let devices: SimDevice[] = [];
  try {
    const firstStartMs = await server.start();
    phase(`server up (${firstStartMs} ms)`);
    await proxy.start();
    const world: World = { teams: new Map(), hot: new Map() };
    for (const u of users) for (const v of u.villages) world.teams.set(v, [...(world.teams.get(v) ?? []), u.id]);
    const identities: DeviceIdentity[] = [];
    for (let i = 0; i < users.length; i += 8)
      identities.push(...(await Promise.all(users.slice(i, i + 8).map(async (u, j) => ({ label: `d${i + j}`, username: u.username, password: u.password, memberId: u.id, villages: u.villages, ...(await signIn(server.url, u, i + j)) })))));
    devices = identities.map((id, i) => new SimDevice(id, proxy.url, seeded(o.seed + 1000 + i), world, { pushBatch: 50, pullLimit: 100 }));

    phase('phones signed in');
    // Warm-up on a clean link: the shared households of each village, then everyone's first sync.
    for (const v of VILLAGES) {
      const d = devices.find((x) => x.id.villages[0] === v);
      if (!d) continue;
      const ids = [];
      for (let k = 0; k < 4; k++) ids.push(await d.newHousehold(2, v));
      world.hot.set(v, ids);
      if (!(await d.sync())) throw new Error('warm-up sync failed on a clean link');
    }
    await Promise.all(devices.map((d) => d.sync()));

    // Chaos: every phone records and syncs in a loop while the link misbehaves and the server is killed.
    phase('warm-up done');
    proxy.faults = o.faults;
    let chaosOver = false;
    const killer = (async () => {
      while (!chaosOver) {
        await sleep(1000 + rng() * 2000);
        if (chaosOver) break;
        const at = Date.now();
        await server.kill();
        await sleep(100 + rng() * 700);
        const ms = await server.start();
        phase(`killed and restarted (${ms} ms)`);
        killWindows.push([at, Date.now() + 1000]);
      }
    })();
    const maxRounds = o.rounds * 30;
    await Promise.all(
      devices.map(async (d) => {
        while (d.rounds < o.rounds || (server.kills < o.kills && d.rounds < maxRounds)) {
          // After its rounds a phone keeps syncing until the kills are done, recording only now and then.
          if (d.rounds < o.rounds) await d.work(1 + Math.floor(rng() * o.opsPerRound));
          else if (rng() < 0.15) await d.work(1);
          await sleep(150 + rng() * 500);
          await d.sync();
          d.rounds++;
        }
      }),
    );
    chaosOver = true;
    await killer;
    if (!server.running) await server.start();
    const chaosEnd = Date.now();
    phase('chaos over');

    // Clean link: deliver what the proxy held back, then sync until no outbox has anything waiting.
    proxy.faults = NO_FAULTS;
    await proxy.flush();
    let cleanPasses = 0;
    for (let settled = 0; settled < 2 && cleanPasses < 20; cleanPasses++) {
      const ok = await Promise.all(devices.map((d) => d.sync()));
      if (ok.some((x) => !x)) problems.push(`a sync failed on the clean link (pass ${cleanPasses + 1})`);
      const waiting = (await Promise.all(devices.map((d) => d.outboxWaiting()))).reduce((a, b) => a + b, 0);
      settled = waiting === 0 ? settled + 1 : 0;
    }
    phase(`clean passes: ${cleanPasses}`);
    await server.stop();
    const db = await prepared.inspect();
    const checked = await check(db, devices, problems);
    phase('checked');

    const s = proxy.stats;
    const serverErrors = proxy.serverErrors.filter((e) => !killWindows.some(([a, b]) => e.at >= a && e.at <= b));
    if (serverErrors.length) problems.push(`${serverErrors.length} server errors (5xx) outside kill windows; the server logged:\n${server.errors().slice(0, 3).join('\n')}`);
    if (server.kills < o.kills) problems.push(`the server was killed ${server.kills} times, wanted ${o.kills}`);
    const failures = new Map<string, number>();
    for (const d of devices) for (const [k, n] of d.failures) failures.set(k, (failures.get(k) ?? 0) + n);
    const unexpected = [...failures].filter(([k]) => !k.startsWith('network'));
    if (unexpected.length) problems.push(`sync failures other than a bad link: ${JSON.stringify(unexpected)}`);
    const figures = {
      devices: devices.length,
      envelopes: checked.envelopes,
      acknowledged: checked.acknowledged,
      duplicatesSeen: checked.duplicatesSeen,
      conflictResults: checked.conflictResults,
      conflictRows: checked.conflictRows,
      kills: server.kills,
      requests: s.requests,
      droppedBefore: s.droppedBefore,
      droppedAfter: s.droppedAfter,
      truncated: s.truncated,
      duplicated: s.duplicated,
      reordered: s.held,
      upstreamFailures: s.upstreamFailures,
      serverErrors: proxy.serverErrors.length,
      cleanPasses,
      chaosSeconds: Math.round((chaosEnd - t0) / 1000),
      seconds: Math.round((Date.now() - t0) / 1000),
      firstStartMs,
    };
    const summary =
      `chaos [${o.engine}] seed=${o.seed}: ${figures.devices} devices, ${figures.envelopes} envelopes, ${figures.acknowledged} acknowledged, ` +
      `${figures.duplicatesSeen} duplicate answers, ${figures.conflictResults} conflict answers (${figures.conflictRows} conflict rows), ${figures.kills} kills; ` +
      `${figures.requests} requests: ${figures.droppedBefore} dropped before, ${figures.droppedAfter} dropped after processing, ${figures.truncated} cut off, ` +
      `${figures.duplicated} duplicated, ${figures.reordered} reordered, ${figures.upstreamFailures} during kills; ${figures.serverErrors} server 5xx; ` +
      `failures seen by phones ${JSON.stringify(Object.fromEntries(failures))}; ${figures.seconds} s`;
    o.log(summary);
    return { summary, problems, figures };
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.stack : String(err)}\n--- server output ---\n${server.tail()}`);
  } finally {
    await server.kill();
    await proxy.close().catch(() => undefined);
    await prepared.dispose();
  }
}

const ACKED = new Set(['accepted', 'duplicate', 'conflict']);

/** The database against the phones: what they were told, what they created, what they show. */
async function check(db: Db, devices: SimDevice[], problems: string[]) {
  const k = db.kysely;
  const vault = new Vault(DATA_KEY);
  const created = new Map<string, { env: Envelope; device: SimDevice }>();
  for (const d of devices) for (const e of d.created) created.set(e.id, { env: e, device: d });
  const answers = new Map<string, PushResult[]>();
  for (const d of devices) for (const [id, rs] of d.transport.answers) answers.set(id, [...(answers.get(id) ?? []), ...rs]);

  const rows = await k.selectFrom('sync_envelopes').select(['id', 'entity', 'entity_id', 'result', 'device_id']).execute();
  const byId = new Map<string, number>();
  for (const r of rows) byId.set(r.id, (byId.get(r.id) ?? 0) + 1);
  const resultOf = new Map(rows.map((r) => [r.id, r.result]));

  let acknowledged = 0;
  let duplicatesSeen = 0;
  let conflictResults = 0;
  const conflicted: { id: string; conflictIds: number[] }[] = [];
  for (const [id, rs] of answers) {
    for (const r of rs) {
      if (r.result === 'duplicate') duplicatesSeen++;
      if (r.result === 'conflict') {
        conflictResults++;
        conflicted.push({ id, conflictIds: r.conflictIds });
      }
      if (r.result === 'rejected') problems.push(`envelope ${id} (${created.get(id)?.env.entity}) rejected: ${r.code} ${r.message}`);
    }
    if (rs.some((r) => ACKED.has(r.result))) {
      acknowledged++;
      if (byId.get(id) !== 1) problems.push(`acknowledged envelope ${id} is stored ${byId.get(id) ?? 0} times`);
    }
  }
  for (const id of created.keys()) if (!answers.get(id)?.some((r) => ACKED.has(r.result))) problems.push(`envelope ${id} (${created.get(id)?.env.entity}) was never acknowledged`);
  for (const r of rows) if (!created.has(r.id)) problems.push(`stored envelope ${r.id} was not made by any phone`);
  for (const d of devices) {
    const left = (await d.store.outbox()).filter((e) => e.state !== 'sent' && e.state !== 'conflict');
    if (left.length) problems.push(`${d.id.label}: ${left.length} envelopes left in the outbox (${[...new Set(left.map((e) => e.state))].join(', ')})`);
  }

  // The records each envelope carries, once each.
  const count = async (table: 'households' | 'residents' | 'visits' | 'follow_ups', ids: string[]) => {
    if (!ids.length) return new Map<string, number>();
    const found = await k.selectFrom(table).select('id').where('id', 'in', ids).execute();
    const m = new Map<string, number>();
    for (const f of found) m.set(f.id, (m.get(f.id) ?? 0) + 1);
    return m;
  };
  const envs = [...created.values()].map((c) => c.env);
  const idsOf = (entity: Envelope['entity'], op?: Envelope['op']) => envs.filter((e) => e.entity === entity && (!op || e.op === op)).map((e) => e.entityId);
  for (const [table, entity] of [
    ['households', 'household'],
    ['residents', 'resident'],
    ['visits', 'visit'],
    ['follow_ups', 'follow_up'],
  ] as const) {
    const want = entity === 'household' || entity === 'resident' ? idsOf(entity, 'create') : idsOf(entity);
    const have = await count(table, want);
    for (const id of want) if (have.get(id) !== 1) problems.push(`${entity} ${id}: ${have.get(id) ?? 0} rows`);
  }
  const blockerIds = idsOf('blocker');
  if (blockerIds.length) {
    const found = await k.selectFrom('blockers').select(['client_id', 'status']).where('client_id', 'in', blockerIds).execute();
    const n = new Map<string, number>();
    for (const b of found) n.set(b.client_id ?? '', (n.get(b.client_id ?? '') ?? 0) + 1);
    for (const id of blockerIds) if (n.get(id) !== 1) problems.push(`blocker ${id}: ${n.get(id) ?? 0} rows`);
    const resolved = new Set(found.filter((b) => b.status === 'resolved').map((b) => b.client_id));
    for (const e of envs) if (e.entity === 'blocker_resolution' && !resolved.has(e.payload.blockerId)) problems.push(`blocker ${e.payload.blockerId} resolved by ${e.id} but open`);
  }
  const doneIds = envs.flatMap((e) => (e.entity === 'follow_up_done' ? [e.payload.followUpId] : []));
  if (doneIds.length) {
    const done = new Set((await k.selectFrom('follow_ups').select('id').where('id', 'in', doneIds).where('done_at', 'is not', null).execute()).map((f) => f.id));
    for (const id of doneIds) if (!done.has(id)) problems.push(`follow-up ${id} marked done but open`);
  }

  // Every conflict answer has its rows; every envelope stored as a conflict has rows too.
  const conflictRows = await k.selectFrom('sync_conflicts').select(['id', 'envelope_id']).execute();
  const rowsByEnvelope = new Map<string, number[]>();
  for (const c of conflictRows) rowsByEnvelope.set(c.envelope_id, [...(rowsByEnvelope.get(c.envelope_id) ?? []), c.id]);
  for (const c of conflicted) {
    const have = rowsByEnvelope.get(c.id) ?? [];
    if (!have.length) problems.push(`conflict answer for ${c.id} without sync_conflicts rows`);
    for (const cid of c.conflictIds) if (!have.includes(cid)) problems.push(`conflict ${cid} of ${c.id} not stored`);
    if (resultOf.get(c.id) !== 'conflict') problems.push(`envelope ${c.id} answered conflict but stored as ${resultOf.get(c.id)}`);
  }
  for (const [id, r] of resultOf) if (r === 'conflict' && !rowsByEnvelope.has(id)) problems.push(`envelope ${id} stored as conflict without conflict rows`);
  if (conflictResults === 0 || conflictRows.length === 0) problems.push('no conflict happened: the scenario must provoke some');

  // What every phone shows equals the server's records of its villages.
  const households = await k.selectFrom('households as h').innerJoin('units as u', 'u.id', 'h.unit_id').select(['h.id', 'h.version', 'h.data', 'u.code']).execute();
  const counted = await k.selectFrom('residents').select(['household_id', (e) => e.fn.countAll<number>().as('n')]).groupBy('household_id').execute();
  const memberCounts = new Map(households.map((h) => [h.id, 0]));
  for (const c of counted) memberCounts.set(c.household_id, Number(c.n));
  const residents = await k.selectFrom('residents as r').innerJoin('units as u', 'u.id', 'r.unit_id').select(['r.id', 'r.version', 'r.data', 'r.personal_sealed', 'u.code']).execute();
  const visits = await k.selectFrom('visits as v').innerJoin('units as u', 'u.id', 'v.unit_id').select(['v.id', 'u.code']).execute();
  const blockers = await k.selectFrom('blockers as b').innerJoin('units as u', 'u.id', 'b.unit_id').select(['b.client_id as id', 'b.status', 'u.code']).execute();
  const followUps = await k.selectFrom('follow_ups as f').innerJoin('units as u', 'u.id', 'f.unit_id').select(['f.id', 'f.done_at', 'u.code']).execute();
  let staleCounts = 0;
  for (const d of devices) {
    const mine = (code: string) => d.id.villages.includes(code);
    const expect = {
      household: new Map(households.filter((h) => mine(h.code)).map((h) => [h.id, canonicalJson({ v: h.version, ...householdFieldsOf(h) })])),
      resident: new Map(residents.filter((r) => mine(r.code)).map((r) => [r.id, canonicalJson({ v: r.version, ...residentFieldsOf(vault, r) })])),
      visit: new Map(visits.filter((v) => mine(v.code)).map((v) => [v.id, '1'])),
      blocker: new Map(blockers.filter((b) => mine(b.code)).map((b) => [b.id ?? '', b.status])),
      follow_up: new Map(followUps.filter((f) => mine(f.code)).map((f) => [f.id, f.done_at ? 'done' : 'open'])),
    } satisfies Partial<Record<LocalEntity, Map<string, string>>>;
    const local = async (entity: keyof typeof expect, show: (data: Record<string, unknown>, version: number) => string) => {
      const got = new Map((await d.store.records(entity)).map((r) => [r.id, show(r.data, r.version)]));
      const want = expect[entity];
      const missing = [...want.keys()].filter((id) => !got.has(id));
      const extra = [...got.keys()].filter((id) => !want.has(id));
      const differ = [...want.keys()].filter((id) => got.has(id) && got.get(id) !== want.get(id));
      if (missing.length || extra.length || differ.length)
        problems.push(
          `${d.id.label} ${entity}s differ from the server: ${missing.length} missing, ${extra.length} extra, ${differ.length} different` +
            (differ[0] ? ` (e.g. ${differ[0]}: phone ${got.get(differ[0])} server ${want.get(differ[0])})` : ''),
        );
    };
    // memberCount is derived (residents per household), compared on its own below.
    await local('household', (data, v) => canonicalJson({ v, ...data, memberCount: undefined }));
    for (const h of await d.store.records('household')) if (memberCounts.has(h.id) && h.data.memberCount !== memberCounts.get(h.id)) staleCounts++;
    await local('resident', (data, v) => canonicalJson({ v, ...data }));
    await local('visit', () => '1');
    await local('blocker', (data) => String(data.status));
    await local('follow_up', (data) => (data.doneAt ? 'done' : 'open'));
  }
  if (staleCounts) problems.push(`household memberCount differs from the server's on ${staleCounts} phone records`);
  return { envelopes: created.size, acknowledged, duplicatesSeen, conflictResults, conflictRows: conflictRows.length };
}
