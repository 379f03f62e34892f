/**
 * The field side of the demo: each village of the communes that took over Bù Đốp has a team and
 * a synthetic household register that the team's phones can download (one sync_changes row per
 * record), personal fields sealed, ID numbers that pass the CCCD check, the same data every run.
 */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { checkCccd } from '@causo/domain';
import { describeEachEngine, freshDatabase } from '../support/engines.ts';
import { testContext, TestClock } from '../support/fixtures.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/seed/demo.ts';
import { DEMO_TEAM_COMMUNES, DEMO_TEAM_LEAD, demoMemberUsernames, demoVillages, seedDemoTeams, THUY_DONG_CODE, type DemoTeamsResult } from '../../src/seed/demoTeams.ts';
import { signIn } from '../../src/modules/auth/service.ts';
import { verifyPassword } from '../../src/modules/auth/passwords.ts';
import type { PersonalFields } from '../../src/modules/teams/records.ts';
import type { Db } from '../../src/db/database.ts';

const NOW = new Date('2026-11-25T09:00:00+07:00');
const count = async (db: Db, query: string): Promise<number> => Number((await sql.raw<{ n: string }>(query).execute(db.kysely)).rows[0]?.n);

/** Counts and every household's head and address in id order: equal only for equal data. */
async function fingerprint(db: Db): Promise<{ counts: number[]; heads: string[] }> {
  const counts = [];
  for (const t of ['teams', 'households', 'residents', 'visits', "blockers WHERE source = 'field'", 'follow_ups', "sync_changes WHERE entity IN ('household', 'resident', 'visit', 'blocker', 'follow_up')"])
    counts.push(await count(db, `SELECT count(*) AS n FROM ${t}`));
  const heads = (await sql<{ h: string }>`SELECT data->>'headName' || ' / ' || (data->>'address') AS h FROM households ORDER BY id`.execute(db.kysely)).rows.map((r) => r.h);
  return { counts, heads };
}

describeEachEngine('the demo teams seed', (env) => {
  const ctx = () => testContext(env.db, new TestClock(NOW));

  before(async () => {
    await seedDemo(ctx(), 4);
  });

  it('gives Ấp Thủy Đông 236 households, 15–20% of them Tày or Nùng, and Ấp Thiện Cư mostly S\'tiêng families', async () => {
    const heads = await sql<{ code: string; name: string; households: string; tay_nung: string; stieng: string }>`
      SELECT u.code, u.name, count(*) AS households,
             count(*) FILTER (WHERE r.data->>'ethnicity' IN ('Tày', 'Nùng')) AS tay_nung,
             count(*) FILTER (WHERE r.data->>'ethnicity' = 'S''tiêng') AS stieng
      FROM households h
      JOIN units u ON u.id = h.unit_id
      JOIN residents r ON r.household_id = h.id AND r.data->>'relation' = 'Chủ hộ'
      GROUP BY u.code, u.name`.execute(env.db.kysely);
    const thuyDong = heads.rows.find((r) => r.code === THUY_DONG_CODE);
    assert.ok(thuyDong);
    assert.equal(thuyDong.name, 'Ấp Thủy Đông');
    assert.equal(Number(thuyDong.households), 236);
    assert.equal(await count(env.db, `SELECT count(*) AS n FROM households h JOIN units u ON u.id = h.unit_id WHERE u.code = '${THUY_DONG_CODE}'`), 236);
    const share = Number(thuyDong.tay_nung) / 236;
    assert.ok(share >= 0.15 && share <= 0.2, `Tày and Nùng share ${share}`);
    const thienCu = heads.rows.find((r) => r.name === 'Ấp Thiện Cư');
    assert.ok(thienCu, 'Ấp Thiện Cư has a register');
    assert.ok(thienCu.code.startsWith('25308-'), `Ấp Thiện Cư is under Thiện Hưng (25308): ${thienCu.code}`);
    assert.ok(Number(thienCu.stieng) / Number(thienCu.households) > 0.6);
    for (const r of heads.rows) {
      if (r.code === THUY_DONG_CODE) continue;
      assert.ok(Number(r.households) >= 60 && Number(r.households) <= 140, `${r.code}: ${r.households} households`);
    }
  });

  it('gives every village of the three communes a team with at least two members', async () => {
    const villages = await demoVillages(env.db.kysely);
    assert.ok(villages.length >= 20, `${villages.length} villages`);
    const teams = await env.db.kysely
      .selectFrom('teams as t')
      .innerJoin('units as u', 'u.id', 't.unit_id')
      .leftJoin('user_roles as r', (j) => j.onRef('r.unit_id', '=', 't.unit_id').on('r.role', '=', 'member'))
      .select(['u.code', 't.name', (eb) => eb.fn.count<string>('r.user_id').as('members')])
      .groupBy(['u.code', 't.name'])
      .execute();
    for (const v of villages) {
      const t = teams.find((x) => x.code === v.code);
      assert.ok(t, `team of ${v.code}`);
      assert.ok(Number(t.members) >= 2 && Number(t.members) <= 3, `${v.code}: ${t.members} members`);
    }
    const communes = await sql<{ code: string }>`SELECT DISTINCT c.code FROM teams t JOIN units v ON v.id = t.unit_id JOIN units c ON c.id = v.parent_id`.execute(env.db.kysely);
    assert.deepEqual(communes.rows.map((r) => r.code).sort(), [...DEMO_TEAM_COMMUNES].sort());
    // The exported list names exactly the members in the database.
    const members = await env.db.kysely.selectFrom('users as u').innerJoin('user_roles as r', 'r.user_id', 'u.id').select('u.username').where('r.role', '=', 'member').execute();
    assert.deepEqual(members.map((m) => m.username).sort(), demoMemberUsernames(villages).sort());
  });

  it('records a sync change for every household, resident, visit, blocker and follow-up, in its village', async () => {
    const missing = async (table: string, entity: string, idExpr: string, where = 'true') =>
      count(
        env.db,
        `SELECT count(*) AS n FROM ${table} x WHERE ${where} AND NOT EXISTS (SELECT 1 FROM sync_changes s WHERE s.entity = '${entity}' AND s.entity_id = ${idExpr} AND s.unit_id = x.unit_id)`,
      );
    assert.equal(await missing('households', 'household', 'x.id::text'), 0);
    assert.equal(await missing('residents', 'resident', 'x.id::text'), 0);
    assert.equal(await missing('visits', 'visit', 'x.id::text'), 0);
    assert.equal(await missing('blockers', 'blocker', 'x.id::text', "x.source = 'field'"), 0);
    assert.equal(await missing('follow_ups', 'follow_up', 'x.id::text'), 0);
    for (const t of ['visits', 'blockers', 'follow_ups']) assert.ok((await count(env.db, `SELECT count(*) AS n FROM ${t}`)) > 50, `${t} seeded`);
    // Records of a household stay in its village.
    assert.equal(await count(env.db, 'SELECT count(*) AS n FROM residents r JOIN households h ON h.id = r.household_id WHERE r.unit_id <> h.unit_id'), 0);
    assert.equal(await count(env.db, 'SELECT count(*) AS n FROM visits v JOIN households h ON h.id = v.household_id WHERE v.unit_id <> h.unit_id'), 0);
    assert.equal(await count(env.db, "SELECT count(*) AS n FROM blockers b JOIN households h ON h.id = b.household_id WHERE b.unit_id <> h.unit_id"), 0);
  });

  it('seals personal fields and gives valid CCCD numbers that agree with the birth year and sex', async () => {
    const c = ctx();
    // No 12-digit number in the open columns (the household's UUID aside, whose last group can be all digits).
    assert.equal(await count(env.db, `SELECT count(*) AS n FROM residents WHERE (data - 'householdId')::text ~ '[0-9]{12}' OR search ~ '[0-9]{12}' OR data ? 'idNumber' OR data ? 'phones' OR data ? 'birthDate'`), 0);
    assert.equal(await count(env.db, `SELECT count(*) AS n FROM residents WHERE data::text ~ '(^|[^0-9a-f-])[0-9]{10,12}($|[^0-9a-f-])'`), 0);
    const rows = await env.db.kysely.selectFrom('residents').select(['data', 'personal_sealed', 'id_hash']).execute();
    let withId = 0;
    let adults = 0;
    let adultsWithId = 0;
    for (const r of rows) {
      const data = r.data as { birthYear: number; sex: 'male' | 'female' };
      const p = c.vault.open<PersonalFields>(r.personal_sealed);
      for (const phone of p.phones) assert.match(phone, /^0\d{9}$/);
      if (p.birthDate) assert.equal(Number(p.birthDate.slice(0, 4)), data.birthYear);
      const adult = NOW.getFullYear() - data.birthYear >= 18;
      if (adult) adults++;
      if (!p.idNumber) {
        assert.equal(r.id_hash, null);
        continue;
      }
      withId++;
      if (adult) adultsWithId++;
      const check = checkCccd(p.idNumber, p.birthDate ?? undefined);
      assert.ok(check.ok, `${p.idNumber}: ${check.ok ? '' : check.problems.join(', ')}`);
      assert.equal(check.parts.birthYear, data.birthYear);
      assert.equal(check.parts.sex, data.sex);
      assert.equal(r.id_hash, c.vault.lookupHash('id', p.idNumber));
    }
    assert.ok(withId > 0);
    assert.ok(adultsWithId / adults > 0.75, `adults with a CCCD: ${adultsWithId}/${adults}`);
    // Field blockers: the person's name sealed, no ID hash, a creator.
    const b = await env.db.kysely.selectFrom('blockers').selectAll().where('source', '=', 'field').executeTakeFirstOrThrow();
    assert.equal(b.id_hash, null);
    assert.ok(b.client_id && b.created_by && b.household_id && b.resident_id);
    assert.equal(typeof c.vault.open<{ fullName: string }>(b.person_sealed).fullName, 'string');
  });

  it('spreads readiness, blockers and follow-ups the way a border area looks', async () => {
    const r = (
      await sql<{ adults: string; smart: string; mism: string; vneid2: string; psa: string }>`
        SELECT count(*) AS adults,
               count(*) FILTER (WHERE (data->>'smartphone')::boolean) AS smart,
               count(*) FILTER (WHERE data->>'simOwnership' = 'mismatched') AS mism,
               count(*) FILTER (WHERE data->>'vneidLevel' = '2') AS vneid2,
               count(*) FILTER (WHERE (data->>'publicServiceAccount')::boolean) AS psa
        FROM residents WHERE data->>'smartphone' IS NOT NULL`.execute(env.db.kysely)
    ).rows[0];
    assert.ok(r);
    const share = (x: string) => Number(x) / Number(r.adults);
    assert.ok(share(r.smart) >= 0.55 && share(r.smart) <= 0.72, `smartphones ${share(r.smart)}`);
    assert.ok(share(r.mism) >= 0.1 && share(r.mism) <= 0.2, `mismatched SIMs ${share(r.mism)}`);
    assert.ok(share(r.vneid2) >= 0.3 && share(r.vneid2) <= 0.45, `VNeID level 2 ${share(r.vneid2)}`);
    assert.ok(share(r.psa) >= 0.18 && share(r.psa) <= 0.32, `public-service accounts ${share(r.psa)}`);
    // Children keep an empty checklist.
    assert.equal(await count(env.db, `SELECT count(*) AS n FROM residents WHERE (data->>'birthYear')::int > ${NOW.getFullYear() - 18} AND data->>'smartphone' IS NOT NULL`), 0);
    const resolved = (await count(env.db, "SELECT count(*) AS n FROM blockers WHERE status = 'resolved'")) / (await count(env.db, 'SELECT count(*) AS n FROM blockers'));
    assert.ok(resolved >= 0.2 && resolved <= 0.4, `resolved blockers ${resolved}`);
    const kinds = await sql<{ kind: string }>`SELECT kind FROM blockers GROUP BY kind ORDER BY count(*) DESC`.execute(env.db.kysely);
    assert.deepEqual(kinds.rows.slice(0, 2).map((k) => k.kind).sort(), ['no_smartphone', 'sim_not_owner']);
    const today = '2026-11-25';
    assert.ok((await count(env.db, `SELECT count(*) AS n FROM follow_ups WHERE done_at IS NULL AND due_date < '${today}'`)) > 0, 'some follow-ups overdue');
    assert.ok((await count(env.db, `SELECT count(*) AS n FROM follow_ups WHERE done_at IS NULL AND due_date >= '${today}'`)) > 0, 'some follow-ups upcoming');
    // Visits in the eight weeks before the demo clock, by members of the village's team.
    assert.equal(await count(env.db, `SELECT count(*) AS n FROM visits WHERE occurred_at > '${NOW.toISOString()}' OR occurred_at < '${new Date(NOW.getTime() - 57 * 86_400_000).toISOString()}' OR received_at < occurred_at`), 0);
    assert.equal(await count(env.db, "SELECT count(*) AS n FROM visits v WHERE NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = v.member_id AND r.unit_id = v.unit_id AND r.role = 'member')"), 0);
    assert.equal(await count(env.db, "SELECT count(*) AS n FROM follow_ups f WHERE NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = f.assignee_id AND r.unit_id = f.unit_id AND r.role = 'member')"), 0);
  });

  it('lets the team lead of Ấp Thủy Đông sign in with the demo password (one hash for every member)', async () => {
    const s = await signIn(ctx(), { username: DEMO_TEAM_LEAD.username, password: DEMO_PASSWORD, ip: '127.0.0.1', userAgent: 'test' });
    assert.equal(s.officer.displayName, DEMO_TEAM_LEAD.displayName);
    const village = await env.db.kysely.selectFrom('units').select('id').where('code', '=', THUY_DONG_CODE).where('valid_to', 'is', null).executeTakeFirstOrThrow();
    assert.deepEqual(s.officer.roles.map((r) => [r.role, r.unitId]), [['member', village.id]]);
    const hashes = await env.db.kysely
      .selectFrom('users as u')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .select('u.password_hash')
      .distinct()
      .where('r.role', '=', 'member')
      .execute();
    assert.equal(hashes.length, 1);
    assert.ok(await verifyPassword(hashes[0]?.password_hash ?? '', DEMO_PASSWORD));
  });

  it('makes the same data on every run', async () => {
    const other = await freshDatabase(env.engine);
    try {
      const r: DemoTeamsResult = await seedDemoTeams(testContext(other.db, new TestClock(NOW)), { password: DEMO_PASSWORD });
      assert.equal(r.households, await count(env.db, 'SELECT count(*) AS n FROM households'));
      const [a, b] = [await fingerprint(env.db), await fingerprint(other.db)];
      assert.deepEqual(b.counts, a.counts);
      assert.equal(b.heads[0], a.heads[0]);
      assert.deepEqual(b.heads, a.heads);
      const first = (db: Db) => db.kysely.selectFrom('households').select(['id', 'data']).orderBy('id').executeTakeFirstOrThrow();
      assert.deepEqual(await first(other.db), await first(env.db));
    } finally {
      await other.dispose();
    }
  });
});
