/**
 * Rebuilding the past of the register figures from what the register holds: when each
 * household and resident arrived, the year each resident turns 18, and when each readiness
 * field last changed on the phone.
 */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { EMPTY_READINESS, type ResidentFields } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { testContext, TestClock, unitId } from '../support/fixtures.ts';
import type { Db } from '../../src/db/database.ts';
import type { AppContext } from '../../src/context.ts';
import { householdInsert, residentInsert } from '../../src/modules/teams/records.ts';
import type { FieldMeta } from '../../src/modules/teams/schema.ts';
import { backfillRegisterHistory } from '../../src/modules/campaigns/registerHistory.ts';
import { recountVillages } from '../../src/modules/campaigns/registerFigures.ts';

const NOW = new Date('2026-11-25T09:00:00+07:00');
const TODAY = '2026-11-25';

interface Figures {
  households: number;
  residents: number;
  adults: number;
  smartphone: number;
  sim_matched: number;
  vneid2: number;
  service_accounts: number;
  wallet_or_bank: number;
}
const none: Figures = { households: 0, residents: 0, adults: 0, smartphone: 0, sim_matched: 0, vneid2: 0, service_accounts: 0, wallet_or_bank: 0 };

/** A village's register at the end of `day`: the sum of its rows up to that day. */
async function figuresOn(db: Db, village: number, day: string): Promise<Figures> {
  const { rows } = await sql<Record<keyof Figures, string | null>>`
    SELECT sum(households) AS households, sum(residents) AS residents, sum(adults) AS adults, sum(smartphone) AS smartphone,
      sum(sim_matched) AS sim_matched, sum(vneid2) AS vneid2, sum(service_accounts) AS service_accounts, sum(wallet_or_bank) AS wallet_or_bank
    FROM register_days WHERE unit_id = ${village} AND day <= ${day}::date`.execute(db.kysely);
  const r = rows[0];
  return Object.fromEntries(Object.keys(none).map((k) => [k, Number(r?.[k as keyof Figures] ?? 0)])) as unknown as Figures;
}

async function allRows(db: Db): Promise<unknown[]> {
  return (await sql`SELECT * FROM register_days ORDER BY unit_id, day`.execute(db.kysely)).rows;
}

interface Person {
  fields: Partial<ResidentFields>;
  /** Device times of the fields' last change (others: the creation time); null drops the field from field_meta. */
  changed?: Partial<Record<keyof ResidentFields, string | null>>;
}

/** A household created (received) at `createdAt` with its residents, as the sync protocol stores them. */
async function household(ctx: AppContext, village: number, createdAt: string, people: Person[]): Promise<void> {
  const id = randomUUID();
  const at = new Date(createdAt);
  const meta = { at, receivedAt: at, createdBy: null, envelopeId: null, deviceId: null };
  await ctx.db.transaction(async (trx) => {
    await trx.insertInto('households').values(householdInsert(id, village, { villageCode: 'x', headName: 'Chủ hộ', address: 'Tổ 1', note: '' }, meta)).execute();
    for (const p of people) {
      const fields: ResidentFields = { householdId: id, fullName: 'Người dân', birthYear: 1980, birthDate: null, sex: 'female', ethnicity: 'Kinh', idNumber: null, phones: [], relation: 'Con', ...EMPTY_READINESS, ...p.fields };
      const row = residentInsert(ctx.vault, randomUUID(), village, fields, meta);
      const fieldMeta = JSON.parse(String(row.field_meta)) as FieldMeta;
      for (const [field, time] of Object.entries(p.changed ?? {})) {
        if (time === null) delete fieldMeta[field];
        else fieldMeta[field] = { v: 2, at: new Date(time).toISOString(), env: null, dev: null };
      }
      await trx.insertInto('residents').values({ ...row, field_meta: JSON.stringify(fieldMeta) }).execute();
    }
  });
}

describeEachEngine('rebuilding the register figures of past days', (env) => {
  let a = 0;
  let b = 0;
  let c = 0;

  before(async () => {
    const ctx = testContext(env.db, new TestClock(NOW));
    a = await unitId(env.db, '25309-01', TODAY);
    b = await unitId(env.db, '25308-01', TODAY);
    c = await unitId(env.db, '25318-01', TODAY);
    // Ấp Phước Tiến: someone who turns 18 in 2026, registered before New Year.
    await household(ctx, a, '2025-12-20T10:00:00+07:00', [{ fields: { birthYear: 2008, smartphone: true } }]);
    // Received at 20:00 UTC on 1 September, which is 2 September in Vietnam.
    await household(ctx, a, '2026-09-01T20:00:00Z', [
      { fields: { birthYear: 1985, smartphone: true, vneidLevel: 2, publicServiceAccount: true }, changed: { smartphone: '2026-10-14T09:00:00+07:00', publicServiceAccount: '2026-10-13T23:30:00Z' } },
      { fields: { birthYear: 2015, smartphone: true } },
      // A phone whose clock ran ahead, and a field changed on the phone before the record reached the server.
      { fields: { birthYear: 1970, simOwnership: 'matched', walletOrBank: true }, changed: { simOwnership: '2026-11-27T08:00:00+07:00', walletOrBank: '2026-08-01T08:00:00+07:00' } },
    ]);
    await household(ctx, a, '2026-10-01T09:00:00+07:00', [{ fields: { birthYear: 1990, smartphone: false, walletOrBank: true }, changed: { walletOrBank: null } }]);
    // Khu phố Thanh Xuân: an empty household, one registered this morning, and stale rows.
    await household(ctx, b, '2026-10-05T09:00:00+07:00', []);
    await household(ctx, b, '2026-11-25T08:00:00+07:00', [{ fields: { birthYear: 1960, publicServiceAccount: true }, changed: { publicServiceAccount: '2026-11-25T08:30:00+07:00' } }]);
    await env.db.kysely
      .insertInto('register_days')
      .values([
        { unit_id: b, day: '2026-01-01', households: 99 },
        { unit_id: b, day: TODAY, residents: -3 },
        { unit_id: c, day: '2026-05-05', households: 7 },
      ])
      .execute();
    await env.db.kysely.insertInto('register_dirty').values({ unit_id: c }).execute();
    const r = await env.db.transaction((trx) => backfillRegisterHistory(trx, [a, b, a], NOW));
    assert.equal(r.villages, 2);
  });

  it('counts households and residents from the local day they arrived, adults from New Year of their 18th year', async () => {
    assert.deepEqual(await figuresOn(env.db, a, '2025-12-19'), none);
    assert.deepEqual(await figuresOn(env.db, a, '2025-12-31'), { ...none, households: 1, residents: 1 });
    assert.deepEqual(await figuresOn(env.db, a, '2026-01-01'), { ...none, households: 1, residents: 1, adults: 1, smartphone: 1 });
    assert.deepEqual(await figuresOn(env.db, a, '2026-09-01'), { ...none, households: 1, residents: 1, adults: 1, smartphone: 1 });
    assert.deepEqual(await figuresOn(env.db, a, '2026-09-02'), { ...none, households: 2, residents: 4, adults: 3, smartphone: 1, vneid2: 1, wallet_or_bank: 1 });
  });

  it('counts a readiness flag from the day its field last changed, else from the day the resident arrived', async () => {
    assert.deepEqual(await figuresOn(env.db, a, '2026-10-01'), { ...none, households: 3, residents: 5, adults: 4, smartphone: 1, vneid2: 1, wallet_or_bank: 2 });
    assert.deepEqual(await figuresOn(env.db, a, '2026-10-13'), { ...none, households: 3, residents: 5, adults: 4, smartphone: 1, vneid2: 1, wallet_or_bank: 2 });
    assert.deepEqual(await figuresOn(env.db, a, '2026-10-14'), { ...none, households: 3, residents: 5, adults: 4, smartphone: 2, vneid2: 1, service_accounts: 1, wallet_or_bank: 2 });
    // A change dated after today (a phone clock ahead) counts today.
    assert.deepEqual(await figuresOn(env.db, a, '2026-11-24'), { ...none, households: 3, residents: 5, adults: 4, smartphone: 2, vneid2: 1, service_accounts: 1, wallet_or_bank: 2 });
    assert.deepEqual(await figuresOn(env.db, a, TODAY), { households: 3, residents: 5, adults: 4, smartphone: 2, sim_matched: 1, vneid2: 1, service_accounts: 1, wallet_or_bank: 2 });
  });

  it('replaces the stale rows of the villages it rebuilds and leaves other villages alone', async () => {
    assert.deepEqual(await figuresOn(env.db, b, '2026-10-04'), none);
    assert.deepEqual(await figuresOn(env.db, b, '2026-10-05'), { ...none, households: 1 });
    assert.deepEqual(await figuresOn(env.db, b, TODAY), { ...none, households: 2, residents: 1, adults: 1, service_accounts: 1 });
    assert.deepEqual(await figuresOn(env.db, c, TODAY), { ...none, households: 7 });
    const dirty = await env.db.kysely.selectFrom('register_dirty').select('unit_id').execute();
    assert.deepEqual([...new Set(dirty.map((d) => d.unit_id))], [c]);
  });

  it('adds up at today to exactly what the recount computes, so the recount has nothing left to write', async () => {
    const before = await allRows(env.db);
    await env.db.transaction((trx) => recountVillages(trx, [a, b], NOW));
    assert.deepEqual(await allRows(env.db), before);
  });

  it('gives the same rows when run again', async () => {
    const before = await allRows(env.db);
    await env.db.transaction((trx) => backfillRegisterHistory(trx, [a, b], NOW));
    assert.deepEqual(await allRows(env.db), before);
    assert.deepEqual(await env.db.transaction((trx) => backfillRegisterHistory(trx, [], NOW)), { villages: 0, rows: 0 });
  });
});
