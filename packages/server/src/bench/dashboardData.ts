/**
 * Synthetic data for the dashboard benchmark, generated inside the database (INSERT … SELECT
 * over generate_series, no row crosses the wire): a province of 10 districts × 10 communes ×
 * N villages, team members, households, residents with a realistic readiness spread, visits
 * over the last 13 weeks, blockers (some resolved), and assisted applications tied to dossiers
 * already loaded. Keys are derived (md5 of a counter), so later statements find a village's
 * households and residents without joins.
 *
 * Residents' readiness: older adults have fewer smartphones; VNeID level 2, public-service
 * accounts and e-wallets follow the smartphone; children carry no checklist. About 40% of the
 * adults had their checklist changed during the last 13 weeks (`field_meta` dated then), so the
 * register's weekly trend moves.
 */
import { localDateOf } from '@causo/domain';
import type { RawClient } from '../db/database.ts';

export const BENCH_PROVINCE = '99';
/** Districts per province and communes per district; villages per commune come from the size asked. */
export const DISTRICTS = 10;
export const COMMUNES_PER_DISTRICT = 10;
export const VISIT_WEEKS = 13;

export interface FieldSize {
  villagesPerCommune: number;
  households: number;
}

export interface GeneratedField {
  villages: number;
  households: number;
  residents: number;
  visits: number;
  blockers: number;
}

const count = async (c: RawClient, table: string): Promise<number> => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0);

/** The province, its districts, communes and villages; ancestor_ids is the unit itself first, the province last. */
export async function generateUnits(c: RawClient, villagesPerCommune: number): Promise<void> {
  const p = BENCH_PROVINCE;
  const cols = 'code, name, type, level, parent_id, ancestor_ids, province_code, agency_code, valid_from, search_name';
  const withSelf = (level: string) => c.query(`UPDATE units SET ancestor_ids = array_prepend(id, ancestor_ids) WHERE province_code = $1 AND level = $2`, [p, level]);
  await c.query(`INSERT INTO units (${cols}) VALUES ($1, 'Tỉnh Thử Nghiệm', 'tinh', 'province', NULL, '{}', $1, 'H' || $1, '2020-01-01', 'tinh thu nghiem')`, [p]);
  await withSelf('province');
  await c.query(
    `INSERT INTO units (${cols})
     SELECT $1 || d, 'Huyện Thử Nghiệm ' || (d + 1), 'huyen', 'district', p.id, p.ancestor_ids, $1, 'H' || $1 || '.' || $1 || d, '2020-01-01', 'huyen thu nghiem ' || (d + 1)
     FROM units p, generate_series(0, $2::int - 1) d WHERE p.province_code = $1 AND p.level = 'province'`,
    [p, DISTRICTS],
  );
  await withSelf('district');
  await c.query(
    `INSERT INTO units (${cols})
     SELECT p.code || lpad(k::text, 2, '0'), 'Xã Thử Nghiệm ' || p.code || '.' || (k + 1), 'xa', 'commune', p.id, p.ancestor_ids, $1,
       'H' || $1 || '.' || p.code || lpad(k::text, 2, '0'), '2020-01-01', 'xa thu nghiem ' || p.code || '.' || (k + 1)
     FROM units p, generate_series(0, $2::int - 1) k WHERE p.province_code = $1 AND p.level = 'district'`,
    [p, COMMUNES_PER_DISTRICT],
  );
  await withSelf('commune');
  await c.query(
    `INSERT INTO units (${cols})
     SELECT p.code || '-' || lpad((k + 1)::text, 2, '0'), 'Thôn ' || (k + 1), 'thon', 'village', p.id, p.ancestor_ids, $1,
       'H' || $1 || '.' || p.code || '-' || lpad((k + 1)::text, 2, '0'), '2020-01-01', 'thon ' || (k + 1)
     FROM units p, generate_series(0, $2::int - 1) k WHERE p.province_code = $1 AND p.level = 'commune'`,
    [p, villagesPerCommune],
  );
  await withSelf('village');
}

/**
 * Members (two per village, no password: nobody signs in as them), teams, then the register
 * and the field activity. `sealed` stands in for every sealed personal value (the dashboards
 * never open them). Runs in the caller's transaction; temporary tables go with it.
 */
export async function generateField(c: RawClient, size: FieldSize, now: Date, sealed: string): Promise<GeneratedField> {
  const p = BENCH_PROVINCE;
  await c.query(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT 'bench.' || m || '.' || v.code, 'Thành viên ' || m || ' ' || v.code, '!' FROM units v, generate_series(1, 2) m
     WHERE v.province_code = $1 AND v.level = 'village'`,
    [p],
  );
  await c.query(
    `CREATE TEMP TABLE bench_villages ON COMMIT DROP AS
     SELECT (row_number() OVER (ORDER BY v.code) - 1)::int AS idx, v.id, v.code,
       (SELECT u.id FROM users u WHERE u.username = 'bench.1.' || v.code) AS m1,
       (SELECT u.id FROM users u WHERE u.username = 'bench.2.' || v.code) AS m2
     FROM units v WHERE v.province_code = $1 AND v.level = 'village'`,
    [p],
  );
  await c.exec(`CREATE UNIQUE INDEX ON bench_villages (idx); CREATE UNIQUE INDEX ON bench_villages (id); ANALYZE bench_villages;`);
  const villages = await count(c, 'bench_villages');
  await c.query(`INSERT INTO user_roles (user_id, role, unit_id) SELECT m1, 'member', id FROM bench_villages UNION ALL SELECT m2, 'member', id FROM bench_villages`);
  await c.query(`INSERT INTO teams (unit_id, name, created_at) SELECT id, 'Tổ công nghệ số cộng đồng ' || code, $1::timestamptz - interval '200 days' FROM bench_villages`, [now]);
  await c.query(`INSERT INTO devices (id, user_id, label, registered_at, last_seen_at) SELECT md5('bench-d' || m1)::uuid, m1, 'bench', $1::timestamptz - interval '200 days', $1 FROM bench_villages`, [now]);

  // Households: 45% recorded during the last 12 weeks, the rest over the nine months before.
  await c.query(
    `INSERT INTO households (id, unit_id, version, data, field_meta, search, created_by, created_at, updated_at)
     SELECT md5('bench-h' || g.i)::uuid, v.id, 1,
       jsonb_build_object('villageCode', v.code, 'headName', 'Chủ hộ ' || g.i, 'address', 'Tổ ' || (1 + g.i % 12), 'note', ''),
       '{}'::jsonb, 'chu ho ' || g.i, NULL, g.t, g.t
     FROM (SELECT i, $1::timestamptz - (CASE WHEN random() < 0.45 THEN random() * 84 ELSE 84 + random() * 280 END) * interval '1 day' AS t
           FROM generate_series(0, $2::int - 1) i) g
     JOIN bench_villages v ON v.idx = g.i % $3::int`,
    [now, size.households, villages],
  );

  // Residents: 2–6 per household (about 4); the head and the spouse are adults.
  await c.query(
    `INSERT INTO residents (id, household_id, unit_id, version, data, personal_sealed, field_meta, search, created_by, created_at, updated_at)
     SELECT md5(household_id::text || '-' || k)::uuid, household_id, unit_id, 1,
       jsonb_build_object('householdId', household_id, 'fullName', 'Người dân ' || k, 'birthYear', birth_year,
         'sex', CASE WHEN k % 2 = 1 THEN 'male' ELSE 'female' END, 'ethnicity', 'Kinh', 'relation', CASE k WHEN 1 THEN 'Chủ hộ' WHEN 2 THEN 'Vợ' ELSE 'Con' END,
         'smartphone', smartphone, 'simOwnership', sim, 'coverageAtHome', coverage, 'vneidLevel', vneid,
         'publicServiceAccount', CASE WHEN adult THEN CASE WHEN vneid = 2 THEN r4 < 0.55 ELSE r4 < 0.02 END END,
         'walletOrBank', CASE WHEN adult THEN CASE WHEN smartphone THEN r5 < 0.5 ELSE r5 < 0.05 END END,
         'appliedAlone', CASE WHEN adult THEN false END),
       $2::text, CASE WHEN adult AND rc < 0.4 THEN jsonb_build_object('smartphone', meta, 'simOwnership', meta, 'vneidLevel', meta, 'publicServiceAccount', meta, 'walletOrBank', meta)
         ELSE '{}'::jsonb END,
       'nguoi dan ' || k, NULL, created_at, created_at
     FROM (
       SELECT *, CASE WHEN NOT adult THEN NULL WHEN smartphone THEN (CASE WHEN r3 < 0.55 THEN 2 WHEN r3 < 0.8 THEN 1 ELSE 0 END) ELSE (CASE WHEN r3 < 0.1 THEN 2 ELSE 0 END) END AS vneid
       FROM (
         SELECT *, birth_year <= $3::int - 18 AS adult,
           CASE WHEN birth_year <= $3::int - 18 THEN r1 < least(0.92, 1.15 - 0.012 * ($3::int - birth_year)) END AS smartphone,
           CASE WHEN birth_year > $3::int - 18 THEN 'unknown' WHEN r2 < 0.55 THEN 'matched' WHEN r2 < 0.75 THEN 'mismatched' ELSE 'unknown' END AS sim,
           CASE WHEN birth_year <= $3::int - 18 THEN r6 < 0.85 END AS coverage,
           jsonb_build_object('v', 1, 'at', to_char((created_at + random() * ($1::timestamptz - created_at)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'env', NULL, 'dev', NULL) AS meta
         FROM (
           SELECT h.id AS household_id, h.unit_id, h.created_at, k,
             $3::int - floor(CASE k WHEN 1 THEN 25 + random() * 50 WHEN 2 THEN 22 + random() * 50 ELSE random() * 40 END)::int AS birth_year,
             random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS rc
           FROM households h CROSS JOIN LATERAL generate_series(1, 2 + get_byte(uuid_send(h.id), 0) % 5) k
         ) a
       ) b
     ) x`,
    [now, sealed, Number(localDateOf(now).slice(0, 4))],
  );

  // Visits: 60% of households, 1–4 times each, over the last 13 weeks (never before the household was recorded).
  await c.query(
    `INSERT INTO visits (id, unit_id, household_id, resident_id, member_id, actions, notes, photo_sha256, occurred_at, received_at)
     SELECT gen_random_uuid(), x.unit_id, x.id, CASE WHEN x.r1 < 0.85 THEN md5(x.id::text || '-1')::uuid END,
       CASE WHEN x.r2 < 0.5 THEN v.m1 ELSE v.m2 END,
       ARRAY[(ARRAY['installed_vneid', 'activated_vneid_level2', 'opened_public_service_account', 'installed_ewallet', 'opened_bank_account',
                    'paid_bill_online', 'submitted_application', 'checked_sim_owner', 'explained_online_services'])[1 + floor(x.r3 * 9)::int]],
       '', NULL, x.at, least($1::timestamptz, x.at + x.r4 * interval '30 hours')
     FROM (
       SELECT h.id, h.unit_id, s + random() * ($1::timestamptz - s) AS at, random() AS r1, random() AS r2, random() AS r3, random() AS r4
       FROM (SELECT id, unit_id, greatest(created_at, $1::timestamptz - $2::int * interval '1 week') AS s,
               CASE WHEN get_byte(uuid_send(id), 1) < 154 THEN 1 + get_byte(uuid_send(id), 2) % 4 ELSE 0 END AS n FROM households) h
       CROSS JOIN LATERAL generate_series(1, h.n) k
     ) x JOIN bench_villages v ON v.id = x.unit_id`,
    [now, VISIT_WEEKS],
  );

  // Blockers: one visit to a resident in six or so finds one; half of them resolved within a month (if that is past).
  await c.query(
    `INSERT INTO blockers (id_hash, phone_hash, person_sealed, kind, source, status, note, register, unit_id, household_id, resident_id, created_by,
                           created_at, last_seen_at, resolved_at, resolved_by, resolution, client_id)
     SELECT NULL, NULL, $2::text, kind, 'field', CASE WHEN done THEN 'resolved' ELSE 'open' END, '', NULL, unit_id, household_id, resident_id, member_id,
       occurred_at, occurred_at, CASE WHEN done THEN fix_at END, CASE WHEN done THEN member_id END, CASE WHEN done THEN 'Đã giải quyết' END, gen_random_uuid()
     FROM (
       SELECT v.*, (ARRAY['sim_not_owner', 'sim_not_owner', 'sim_not_owner', 'no_smartphone', 'no_smartphone', 'no_coverage', 'no_id_card', 'language', 'other'])[1 + get_byte(uuid_send(v.id), 1) % 9] AS kind,
         v.occurred_at + (1 + get_byte(uuid_send(v.id), 2) % 30) * interval '1 day' + get_byte(uuid_send(v.id), 4) * interval '5 minutes' AS fix_at,
         get_byte(uuid_send(v.id), 3) < 128 AND v.occurred_at + (1 + get_byte(uuid_send(v.id), 2) % 30) * interval '1 day' + get_byte(uuid_send(v.id), 4) * interval '5 minutes' < $1::timestamptz AS done
       FROM visits v WHERE v.resident_id IS NOT NULL AND get_byte(uuid_send(v.id), 0) < 40
     ) b`,
    [now, sealed],
  );
  return {
    villages,
    households: await count(c, 'households'),
    residents: await count(c, 'residents'),
    visits: await count(c, 'visits'),
    blockers: await count(c, 'blockers'),
  };
}

/**
 * Assisted applications: `n` online dossiers of the last 13 weeks (already loaded, in the
 * province's communes) become applications a team member made with a resident of one of the
 * commune's villages, with the envelope that carried each. Returns how many were made.
 */
export async function generateAssisted(c: RawClient, n: number, size: FieldSize, now: Date, sealed: string): Promise<number> {
  const p = BENCH_PROVINCE;
  const perVillage = Math.floor(size.households / (DISTRICTS * COMMUNES_PER_DISTRICT * size.villagesPerCommune));
  if (perVillage < 1 || n <= 0) return 0;
  await c.query(
    `CREATE TEMP TABLE bench_communes ON COMMIT DROP AS
     SELECT (row_number() OVER (ORDER BY code) - 1)::int AS idx, id FROM units WHERE province_code = $1 AND level = 'commune'`,
    [p],
  );
  await c.query(
    `CREATE TEMP TABLE bench_villages ON COMMIT DROP AS
     SELECT (row_number() OVER (ORDER BY v.code) - 1)::int AS idx, v.id, (SELECT u.id FROM users u WHERE u.username = 'bench.1.' || v.code) AS m1
     FROM units v WHERE v.province_code = $1 AND v.level = 'village'`,
    [p],
  );
  const villages = await count(c, 'bench_villages');
  await c.query(
    `CREATE TEMP TABLE bench_apps ON COMMIT DROP AS
     SELECT d.id AS dossier_id, d.submitted_at AS at, v.id AS unit_id, v.m1 AS member_id,
       md5(md5('bench-h' || (v.idx + $1::int * (d.id % $2::int)))::uuid::text || '-1')::uuid AS resident_id,
       gen_random_uuid() AS envelope_id, gen_random_uuid() AS app_id
     FROM (SELECT id, unit_id, submitted_at FROM dossiers
           WHERE channel = 2 AND received_at >= $3::timestamptz - $4::int * interval '1 week' AND received_at < $3::timestamptz AND assisted_by IS NULL
           ORDER BY random() LIMIT $5) d
     JOIN bench_communes c ON c.id = d.unit_id
     JOIN bench_villages v ON v.idx = c.idx * $6::int + (d.id % $6::int)`,
    [villages, perVillage, now, VISIT_WEEKS, n, size.villagesPerCommune],
  );
  await c.query(
    `INSERT INTO sync_envelopes (id, device_id, member_id, entity, entity_id, op, base_version, occurred_at, received_at, payload_hash, content_hash, result, result_version, payload_sealed)
     SELECT envelope_id, md5('bench-d' || member_id)::uuid, member_id, 'application', app_id, 'create', NULL, at, at, 'bench', 'bench', 'accepted', 1, $1::text FROM bench_apps`,
    [sealed],
  );
  await c.query(
    `INSERT INTO assisted_applications (id, envelope_id, dossier_id, unit_id, resident_id, member_id, mode, consent_sealed, consent_photo, occurred_at, created_at)
     SELECT app_id, envelope_id, dossier_id, unit_id, resident_id, member_id, 'on_behalf', $1::text, NULL, at, at FROM bench_apps`,
    [sealed],
  );
  await c.query(`UPDATE dossiers d SET assisted_by = a.member_id, assist_mode = 'on_behalf' FROM bench_apps a WHERE d.id = a.dossier_id`);
  return count(c, 'bench_apps');
}
