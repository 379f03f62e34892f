import { it } from 'node:test';
import assert from 'node:assert/strict';
import { availableActions, type Action } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer, testContext, txid } from '../support/fixtures.ts';
import { actOnDossier, createDossier } from '../../src/modules/dossiers/service.ts';
import { verifyCounters } from '../../src/modules/reports/recount.ts';
import { COUNTER_SHARDS, applyCounterDeltas } from '../../src/modules/reports/counters.ts';
import { sql } from 'kysely';
import { mulberry32 } from '../../src/bench/syntheticDossiers.ts';

describeEachEngine('II.06a counters', (env) => {
  it('always agree with a full recount from the action log, through random and concurrent activity', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'admin', unitCode: '70' }]);
    const rnd = mulberry32(42);
    const units = ['25309', '25310', '25312', '25309-02', '693', '25225'];
    const procedures = ['1.001193', '2.000815', '1.004873', '1.004222'];
    let t = Date.parse('2022-03-01T07:45:00+07:00');
    const open: { code: string; status: number }[] = [];
    for (let i = 0; i < 120; i++) {
      t += Math.floor(rnd() * 20) * 3_600_000 + 60_000;
      ctx.clock.current = new Date(t);
      if (open.length === 0 || rnd() < 0.35) {
        const d = await createDossier(ctx, actor, {
          transactionId: txid(),
          procedureCode: procedures[Math.floor(rnd() * procedures.length)] ?? '1.001193',
          unitCode: units[Math.floor(rnd() * units.length)] ?? '25309',
          channel: (1 + Math.floor(rnd() * 3)) as 1 | 2 | 3,
          applicant: { fullName: 'Thị Hoa' },
          formData: {},
        });
        open.push({ code: d.code, status: d.status });
        continue;
      }
      // Several actions at once on different dossiers: the counters' row locks must not deadlock.
      const picks = [...new Set(Array.from({ length: 3 }, () => Math.floor(rnd() * open.length)))];
      await Promise.all(
        picks.map(async (k) => {
          const d = open[k];
          if (!d) return;
          const allowed = availableActions(d.status as never);
          const action = allowed[Math.floor(rnd() * allowed.length)] as Action | undefined;
          if (!action) return;
          const r = await actOnDossier(ctx, actor, d.code, {
            action,
            transactionId: txid(),
            ...(action === 'stop' || action === 'refuse' ? { reason: 'x' } : {}),
            ...(action === 'request_supplement' ? { missingDocuments: ['y'] } : {}),
          });
          d.status = r.status;
        }),
      );
    }
    const result = await verifyCounters(env.db);
    assert.deepEqual(result.differences, []);
    assert.ok(result.ok);
  });

  it('lets two transactions add to the same counter row at once, each in its own shard (PostgreSQL: no wait for the other to commit)', async (t) => {
    if (env.engine !== 'postgres') return t.skip('PGlite is one connection: transactions never overlap');
    const unit = await env.db.kysely.selectFrom('units').select(['id', 'ancestor_ids']).where('level', '=', 'commune').executeTakeFirstOrThrow();
    const key = { day: '2026-11-30', sector: 'tu_phap' };
    const add = (trx: Parameters<Parameters<typeof env.db.transaction>[0]>[0]) => applyCounterDeltas(trx, unit.ancestor_ids, key.sector, [{ day: key.day, field: 'receivedDirect', delta: 1 }]);
    const pidOf = async (trx: Parameters<Parameters<typeof env.db.transaction>[0]>[0]) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid ?? -1;
    let releaseFirst = () => {};
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstShard = -1;
    let wrote = () => {};
    const firstWrote = new Promise<void>((r) => (wrote = r));
    const first = env.db.transaction(async (trx) => {
      firstShard = (await pidOf(trx)) % COUNTER_SHARDS;
      await add(trx);
      wrote();
      await firstHolds; // the first transaction keeps its row locks until the second has committed
    });
    await Promise.race([firstWrote, first]);
    // Connections whose shard is the first one's are held open (and left alone) until one on another shard comes.
    const parked: (() => void)[] = [];
    try {
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 6, 'no connection on another shard');
        let park = () => {};
        const parkedNow = new Promise<void>((r) => (park = r));
        const outcome = await new Promise<'same' | 'committed'>((resolve, reject) => {
          env.db
            .transaction(async (trx) => {
              if ((await pidOf(trx)) % COUNTER_SHARDS === firstShard) {
                resolve('same');
                await parkedNow;
                return;
              }
              await sql`set local lock_timeout = '3s'`.execute(trx); // a wait on the first transaction's lock fails the test
              await add(trx);
            })
            .then(() => resolve('committed'), reject);
        });
        if (outcome === 'committed') break;
        parked.push(park);
      }
    } finally {
      for (const p of parked) p();
      releaseFirst();
    }
    await first;
    const total = await env.db.kysely
      .selectFrom('ii06a_counters')
      .select((eb) => eb.fn.sum<string>('received_direct').as('n'))
      .where('unit_id', '=', unit.id)
      .where('sector_code', '=', key.sector)
      .where('day', '=', key.day)
      .executeTakeFirstOrThrow();
    assert.equal(Number(total.n), 2, 'both additions are counted, summed over the shards');
    await env.db.kysely.deleteFrom('ii06a_counters').where('day', '=', key.day).execute();
  });

  it('notices a counter that was changed behind the platform’s back', async () => {
    await env.db.kysely.updateTable('ii06a_counters').set((eb) => ({ open_delta: eb('open_delta', '+', 1) })).where('sector_code', '=', '*').where('day', '=', (await env.db.kysely.selectFrom('ii06a_counters').select('day').limit(1).executeTakeFirstOrThrow()).day).execute();
    assert.equal((await verifyCounters(env.db)).ok, false);
  });
});
