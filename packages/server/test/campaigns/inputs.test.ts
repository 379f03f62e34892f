import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { BLOCKER_REASONS, INDICATOR_KEYS, INDICATORS, mergeInputs, type BlockerReason, type IndicatorInputs } from '@causo/domain';
import type { Db } from '../../src/db/database.ts';
import { inputsByChild, inputsByWeek, OWN_LEVEL, weeksOf, type ScopeUnit } from '../../src/modules/campaigns/inputs.ts';
import { recountVillages, refreshRegisterFigures } from '../../src/modules/campaigns/registerFigures.ts';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer } from '../support/fixtures.ts';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-11-25T10:00:00+07:00');
const PERIOD = { from: '2026-11-02', to: '2026-11-22' }; // three whole weeks, Monday to Sunday

interface Unit extends ScopeUnit {
  code: string;
}

async function unit(db: Db, code: string): Promise<Unit> {
  const r = await db.kysely
    .selectFrom('units')
    .select(['id', 'code', 'ancestor_ids'])
    .where('code', '=', code)
    .where('valid_to', 'is', null)
    .orderBy('valid_from', 'desc')
    .executeTakeFirstOrThrow();
  return { id: r.id, code: r.code, ancestorIds: r.ancestor_ids };
}

async function childIds(db: Db, parent: Unit): Promise<number[]> {
  const rows = await db.kysely.selectFrom('units').select('id').where('parent_id', '=', parent.id).where('valid_to', 'is', null).execute();
  return rows.map((r) => r.id);
}

interface Person {
  birthYear: number | null;
  smartphone?: boolean;
  sim?: 'matched' | 'mismatched';
  vneid?: 0 | 1 | 2;
  account?: boolean;
  wallet?: boolean;
}

async function household(db: Db, villageId: number, people: Person[], createdAt = at('2026-10-01T08:00:00+07:00')): Promise<string> {
  const id = randomUUID();
  await db.kysely
    .insertInto('households')
    .values({ id, unit_id: villageId, version: 1, data: JSON.stringify({ headName: 'Hộ thử', address: '', note: '' }), field_meta: '{}', search: 'ho thu', created_at: createdAt, updated_at: createdAt })
    .execute();
  if (people.length)
    await db.kysely
      .insertInto('residents')
      .values(
        people.map((p) => ({
          id: randomUUID(),
          household_id: id,
          unit_id: villageId,
          version: 1,
          data: JSON.stringify({
            fullName: 'Người thử',
            birthYear: p.birthYear,
            smartphone: p.smartphone ?? null,
            simOwnership: p.sim ?? 'unknown',
            vneidLevel: p.vneid ?? null,
            publicServiceAccount: p.account ?? null,
            walletOrBank: p.wallet ?? null,
          }),
          personal_sealed: 'x',
          field_meta: '{}',
          search: 'nguoi thu',
          created_at: createdAt,
          updated_at: createdAt,
        })),
      )
      .execute();
  return id;
}

async function visit(db: Db, villageId: number, householdId: string, memberId: number, when: string): Promise<void> {
  await db.kysely
    .insertInto('visits')
    .values({ id: randomUUID(), unit_id: villageId, household_id: householdId, resident_id: null, member_id: memberId, actions: ['explained_online_services'], occurred_at: at(when), received_at: at(when) })
    .execute();
}

async function blocker(db: Db, villageId: number, kind: BlockerReason, created: string, resolved: string | null): Promise<void> {
  await db.kysely
    .insertInto('blockers')
    .values({
      id_hash: null,
      phone_hash: null,
      person_sealed: 'x',
      kind,
      source: 'field',
      unit_id: villageId,
      created_at: at(created),
      last_seen_at: at(created),
      status: resolved ? 'resolved' : 'open',
      resolved_at: resolved ? at(resolved) : null,
      resolution: resolved ? 'Đã hướng dẫn' : null,
    })
    .execute();
}

/** Counters as the dossier service writes them: on the unit and every ancestor, for '*' and the sector. */
async function counters(db: Db, units: Unit[], day: string, c: { online?: number; direct?: number; before?: number; on?: number; late?: number }): Promise<void> {
  for (const u of units)
    for (const sector_code of ['*', 'tu_phap'])
      await db.kysely
        .insertInto('ii06a_counters')
        .values({ unit_id: u.id, sector_code, day, received_online: c.online ?? 0, received_direct: c.direct ?? 0, resolved_before: c.before ?? 0, resolved_on: c.on ?? 0, resolved_late: c.late ?? 0 })
        .onConflict((oc) =>
          oc.columns(['unit_id', 'sector_code', 'day', 'shard']).doUpdateSet((eb) => ({
            received_online: eb('ii06a_counters.received_online', '+', c.online ?? 0),
            received_direct: eb('ii06a_counters.received_direct', '+', c.direct ?? 0),
            resolved_before: eb('ii06a_counters.resolved_before', '+', c.before ?? 0),
            resolved_on: eb('ii06a_counters.resolved_on', '+', c.on ?? 0),
            resolved_late: eb('ii06a_counters.resolved_late', '+', c.late ?? 0),
          })),
        )
        .execute();
}

const total = (m: Map<number, IndicatorInputs>) => mergeInputs([...m.values()]);

describeEachEngine('indicator inputs read from the database', (env) => {
  let province: Unit;
  let commune: Unit;
  let other: Unit;
  let villageA: Unit;
  let villageB: Unit;
  let villageC: Unit;
  let memberId: number;

  before(async () => {
    const db = env.db;
    province = await unit(db, '75');
    commune = await unit(db, '25309');
    other = await unit(db, '25308');
    villageA = await unit(db, '25309-01');
    villageB = await unit(db, '25309-02');
    villageC = await unit(db, '25309-03');
    memberId = (await makeOfficer(db, [{ role: 'member', unitCode: '25309-01', on: '2026-11-01' }])).officer.id;

    // Village A: 3 households, 7 residents, 5 adults (born 2008 or earlier in 2026; one of unknown age).
    const a1 = await household(db, villageA.id, [
      { birthYear: 1980, smartphone: true, sim: 'matched', vneid: 2, account: true, wallet: true },
      { birthYear: 1985, smartphone: true, sim: 'mismatched', vneid: 1, wallet: true },
      { birthYear: 2015, smartphone: true, vneid: 2 }, // a child: counts as a resident only
    ]);
    const a2 = await household(db, villageA.id, [
      { birthYear: 1950, smartphone: false },
      { birthYear: 2008, smartphone: true, sim: 'matched', vneid: 2, account: true },
      { birthYear: null, smartphone: true, sim: 'matched' }, // age unknown: not an adult
    ]);
    const a3 = await household(db, villageA.id, [{ birthYear: 1990, smartphone: true, sim: 'matched', wallet: false }]);
    // Village B: 1 household, 2 adults.
    const b1 = await household(db, villageB.id, [
      { birthYear: 1970, smartphone: true, vneid: 2, account: true, wallet: true },
      { birthYear: 1972 },
    ]);
    // Village C has no register at all.

    // Visits: a1 twice in the period (counted once), a3 once, b1 once; a2 only before the period.
    await visit(db, villageA.id, a1, memberId, '2026-11-03T09:00:00+07:00');
    await visit(db, villageA.id, a1, memberId, '2026-11-18T09:00:00+07:00');
    await visit(db, villageA.id, a3, memberId, '2026-11-22T23:30:00+07:00'); // the last evening of the period, local time
    await visit(db, villageA.id, a2, memberId, '2026-11-01T23:30:00+07:00'); // the evening before it
    await visit(db, villageB.id, b1, memberId, '2026-11-10T09:00:00+07:00');

    // Blockers of village A: open at the end of the period: 2 SIM (one recorded before it) + 1 coverage;
    // resolved in it after 2, 6 and 10 days; one resolved after the period (still open at its end);
    // one resolved before the period (neither).
    await blocker(db, villageA.id, 'sim_not_owner', '2026-10-20T09:00:00+07:00', null);
    await blocker(db, villageA.id, 'sim_not_owner', '2026-11-05T09:00:00+07:00', null);
    await blocker(db, villageA.id, 'no_coverage', '2026-11-10T09:00:00+07:00', '2026-11-24T09:00:00+07:00');
    await blocker(db, villageA.id, 'no_smartphone', '2026-11-03T09:00:00+07:00', '2026-11-05T16:00:00+07:00');
    await blocker(db, villageA.id, 'no_smartphone', '2026-11-04T09:00:00+07:00', '2026-11-10T08:00:00+07:00');
    await blocker(db, villageB.id, 'language', '2026-11-08T09:00:00+07:00', '2026-11-18T09:00:00+07:00');
    await blocker(db, villageB.id, 'other', '2026-10-01T09:00:00+07:00', '2026-10-15T09:00:00+07:00');
    // Dossiers: 5 online + 7 direct received, 6 before/on time + 2 late at the commune in the period;
    // 4 direct received at the other commune; 100 received before the period.
    await counters(db, [commune, province], '2026-11-05', { online: 5, direct: 3, before: 4 });
    await counters(db, [commune, province], '2026-11-20', { direct: 4, on: 2, late: 2 });
    await counters(db, [other, province], '2026-11-12', { direct: 4 });
    await counters(db, [commune, province], '2026-10-30', { direct: 100, late: 50 });

    // The register is counted on the day it was entered, so the figures stand from then on.
    await refreshRegisterFigures(db, at('2026-10-01T12:00:00+07:00'));
  });

  it('counts a commune’s villages by hand: register at the end of the period, visits, blockers, and the commune’s own dossiers', async () => {
    const byChild = await inputsByChild(env.db.kysely, commune, PERIOD, await childIds(env.db, commune));
    const a = byChild.get(villageA.id);
    const b = byChild.get(villageB.id);
    const c = byChild.get(villageC.id);
    assert.ok(a && b && c);
    // Adults: born 1980, 1985, 1950, 2008 (18 in 2026) and 1990; not the child nor the one of unknown age.
    assert.deepEqual(a.register, { households: 3, residents: 7, adults: 5, smartphone: 4, simMatched: 3, vneid2: 2, serviceAccounts: 2, walletOrBank: 2 });
    assert.equal(a.villagesWithRegister, 1);
    assert.equal(a.householdsVisited, 2);
    assert.deepEqual(a.openBlockers, { sim_not_owner: 2, no_smartphone: 0, no_coverage: 1, no_id_card: 0, language: 0, other: 0 });
    assert.equal(a.blockersResolved, 2);
    assert.deepEqual(a.resolveDays, { 2: 1, 6: 1 });
    assert.deepEqual(b.register, { households: 1, residents: 2, adults: 2, smartphone: 1, simMatched: 0, vneid2: 1, serviceAccounts: 1, walletOrBank: 1 });
    assert.equal(b.householdsVisited, 1);
    assert.deepEqual(b.resolveDays, { 10: 1 });
    assert.equal(c.villagesWithRegister, 0);
    assert.equal(INDICATORS.smartphone_pct.compute(c).value, null, 'a village without a register says "no data", not zero');
    // Dossiers belong to the commune itself, not to a village.
    assert.deepEqual(byChild.get(OWN_LEVEL)?.dossiers, { receivedOnline: 5, receivedDirect: 7, resolvedOnTime: 6, resolvedLate: 2 });
    const commune_ = total(byChild);
    assert.equal(INDICATORS.online_share_pct.compute(commune_).value, (100 * 5) / 12);
    assert.equal(INDICATORS.on_time_pct.compute(commune_).value, 75);
    assert.equal(INDICATORS.blocker_median_days.compute(commune_).value, 6);
    assert.equal(INDICATORS.smartphone_pct.compute(commune_).value, (100 * 5) / 7);
    assert.equal(INDICATORS.households_visited.compute(commune_).value, 3);
  });

  it('the province’s figures are its communes’, and each commune’s are its villages’ plus its own level', async () => {
    const db = env.db.kysely;
    const byCommune = await inputsByChild(db, province, PERIOD, await childIds(env.db, province));
    const ofCommune = await inputsByChild(db, commune, PERIOD, await childIds(env.db, commune));
    assert.deepEqual(byCommune.get(commune.id), total(ofCommune));
    assert.equal(byCommune.get(other.id)?.dossiers.receivedDirect, 4);
    assert.equal(byCommune.has(OWN_LEVEL), false, 'the province has no figures of its own');
  });

  it('by week: stocks at each week’s end, flows within each week, and the last week agrees with the whole period', async () => {
    const weeks = weeksOf(PERIOD);
    assert.deepEqual(weeks, [
      { from: '2026-11-02', to: '2026-11-08' },
      { from: '2026-11-09', to: '2026-11-15' },
      { from: '2026-11-16', to: '2026-11-22' },
    ]);
    const byWeek = await inputsByWeek(env.db.kysely, commune, weeks);
    assert.deepEqual(byWeek.map((w) => w.householdsVisited), [1, 1, 2]);
    assert.deepEqual(byWeek.map((w) => w.dossiers.receivedOnline + w.dossiers.receivedDirect), [8, 0, 4]);
    // open at each week's end: SIM (Oct 20) all weeks; SIM (Nov 5) from week 1; 2 no-smartphone opened Nov 3/4, one
    // resolved Nov 5 and one Nov 10; language Nov 8 → 18; coverage Nov 10 → 24.
    assert.deepEqual(byWeek.map((w) => BLOCKER_REASONS.reduce((s, r) => s + w.openBlockers[r], 0)), [4, 4, 3]);
    assert.deepEqual(byWeek.map((w) => w.blockersResolved), [1, 1, 1]);
    const whole = total(await inputsByChild(env.db.kysely, commune, PERIOD, await childIds(env.db, commune)));
    assert.deepEqual(byWeek[2]?.register, whole.register);
    assert.deepEqual(byWeek[2]?.openBlockers, whole.openBlockers);
    assert.equal(byWeek[2]?.villagesWithRegister, whole.villagesWithRegister);
  });

  it('the register figures follow the register: a synced change shows after a refresh, and a full recount changes nothing', async () => {
    const db = env.db;
    const before = total(await inputsByChild(db.kysely, commune, { from: '2026-11-02', to: '2026-11-25' }, await childIds(db, commune)));
    const row = await db.kysely.selectFrom('residents').select(['id', 'data']).where('unit_id', '=', villageB.id).where(sql<boolean>`data->>'birthYear' = '1972'`).executeTakeFirstOrThrow();
    await db.kysely
      .updateTable('residents')
      .set({ data: JSON.stringify({ ...(row.data as object), smartphone: true, simOwnership: 'matched' }) })
      .where('id', '=', row.id)
      .execute();
    await refreshRegisterFigures(db, NOW);
    const after = total(await inputsByChild(db.kysely, commune, { from: '2026-11-02', to: '2026-11-25' }, await childIds(db, commune)));
    assert.equal(after.register.smartphone, before.register.smartphone + 1);
    assert.equal(after.register.simMatched, before.register.simMatched + 1);
    const rowsBefore = await db.kysely.selectFrom('register_days').selectAll().orderBy('unit_id').orderBy('day').execute();
    await db.transaction((trx) => recountVillages(trx, null, NOW));
    assert.deepEqual(await db.kysely.selectFrom('register_days').selectAll().orderBy('unit_id').orderBy('day').execute(), rowsBefore);
  });

  it('on random activity across the province, every unit’s figures equal the aggregation of its children’s', async () => {
    const db = env.db;
    const villages = (await db.kysely.selectFrom('units').select(['id', 'parent_id']).where('level', '=', 'village').where('valid_to', 'is', null).execute()).slice(0, 12);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            village: fc.integer({ min: 0, max: villages.length - 1 }),
            people: fc.array(fc.record({ birthYear: fc.option(fc.integer({ min: 1930, max: 2020 }), { nil: null }), smartphone: fc.boolean(), wallet: fc.boolean() }), { maxLength: 5 }),
            visitDay: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
            blocker: fc.option(fc.record({ kind: fc.constantFrom(...BLOCKER_REASONS), day: fc.integer({ min: 0, max: 40 }), after: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }) }), { nil: null }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (homes) => {
          for (const h of homes) {
            const v = villages[h.village]!;
            const id = await household(db, v.id, h.people);
            const day = (n: number) => new Date(Date.UTC(2026, 9, 15 + n, 3)).toISOString();
            if (h.visitDay !== null) await visit(db, v.id, id, memberId, day(h.visitDay));
            if (h.blocker) await blocker(db, v.id, h.blocker.kind, day(h.blocker.day), h.blocker.after === null ? null : day(h.blocker.day + h.blocker.after));
          }
          await refreshRegisterFigures(db, NOW);
          const period = { from: '2026-10-20', to: '2026-11-25' };
          const top = total(await inputsByChild(db.kysely, province, period, await childIds(db, province)));
          const communes = await childIds(db, province);
          const parts: IndicatorInputs[] = [];
          for (const cId of communes) {
            const c = await db.kysely.selectFrom('units').select(['id', 'ancestor_ids']).where('id', '=', cId).executeTakeFirstOrThrow();
            parts.push(total(await inputsByChild(db.kysely, { id: c.id, ancestorIds: c.ancestor_ids }, period, await childIds(db, { id: c.id, code: '', ancestorIds: c.ancestor_ids }))));
          }
          const merged = mergeInputs(parts);
          assert.deepEqual(top, merged);
          for (const key of INDICATOR_KEYS) assert.deepEqual(INDICATORS[key].compute(top), INDICATORS[key].compute(merged), key);
        },
      ),
      { numRuns: 6 },
    );
  });
});
