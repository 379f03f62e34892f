/**
 * What the back office shows about the community digital technology teams: one row per team of
 * the supervisor's subtree (counts from the field tables, each a small indexed count per
 * village), and for one team its members and their phones, open blockers, open follow-ups and
 * the readiness of the village's adults. Team members are the users holding `member` on the
 * village or on a unit above it (a commune-wide member belongs to every team of the commune).
 */
import { sql } from 'kysely';
import { localDateOf, type BlockerReason } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import { notFound } from '../../http/problem.ts';

type Kdb = Db['kysely'] | Trx;

export const TEAM_LIST_LIMIT = 1000;
export const DETAIL_LIST_LIMIT = 100;

export interface TeamRow {
  teamId: number;
  unitId: number;
  villageCode: string;
  villageName: string;
  communeName: string;
  members: number;
  households: number;
  residents: number;
  visits30: number;
  openBlockers: number;
  overdueFollowUps: number;
  lastSyncAt: Date | null;
}

/** The teams of villages under `roots`, by commune then village. */
export async function listTeams(db: Kdb, roots: readonly number[], now: Date): Promise<TeamRow[]> {
  if (roots.length === 0) return [];
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const today = localDateOf(now);
  const { rows } = await sql<{
    team_id: number;
    unit_id: number;
    village_code: string;
    village_name: string;
    commune_name: string | null;
    members: number;
    households: number;
    residents: number;
    visits30: number;
    open_blockers: number;
    overdue: number;
    last_sync: Date | null;
  }>`
    SELECT t.id AS team_id, v.id AS unit_id, v.code AS village_code, v.name AS village_name, c.name AS commune_name,
      (SELECT count(DISTINCT r.user_id) FROM user_roles r WHERE r.role = 'member' AND r.unit_id = ANY(v.ancestor_ids)) AS members,
      (SELECT count(*) FROM households h WHERE h.unit_id = v.id) AS households,
      (SELECT count(*) FROM residents x WHERE x.unit_id = v.id) AS residents,
      (SELECT count(*) FROM visits w WHERE w.unit_id = v.id AND w.occurred_at >= ${since}) AS visits30,
      (SELECT count(*) FROM blockers b WHERE b.unit_id = v.id AND b.status = 'open') AS open_blockers,
      (SELECT count(*) FROM follow_ups f WHERE f.unit_id = v.id AND f.done_at IS NULL AND f.due_date < ${today}::date) AS overdue,
      (SELECT max(d.last_sync_at) FROM devices d WHERE d.user_id IN (SELECT r.user_id FROM user_roles r WHERE r.role = 'member' AND r.unit_id = ANY(v.ancestor_ids))) AS last_sync
    FROM teams t
    JOIN units v ON v.id = t.unit_id
    LEFT JOIN units c ON c.id = v.parent_id
    WHERE v.ancestor_ids && ${sql.val([...roots])}::int[]
    ORDER BY c.code, v.code, v.valid_from DESC
    LIMIT ${TEAM_LIST_LIMIT}
  `.execute(db);
  return rows.map((r) => ({
    teamId: r.team_id,
    unitId: r.unit_id,
    villageCode: r.village_code,
    villageName: r.village_name,
    communeName: r.commune_name ?? '',
    members: Number(r.members),
    households: Number(r.households),
    residents: Number(r.residents),
    visits30: Number(r.visits30),
    openBlockers: Number(r.open_blockers),
    overdueFollowUps: Number(r.overdue),
    lastSyncAt: r.last_sync,
  }));
}

export interface TeamRef {
  teamId: number;
  teamName: string;
  unitId: number;
  villageCode: string;
  villageName: string;
  communeName: string;
  ancestorIds: number[];
}

/** The team of the village with this code (the newest version of the village that has a team). */
export async function findTeam(db: Kdb, villageCode: string): Promise<TeamRef> {
  const row = await db
    .selectFrom('teams as t')
    .innerJoin('units as v', 'v.id', 't.unit_id')
    .leftJoin('units as c', 'c.id', 'v.parent_id')
    .select(['t.id as team_id', 't.name as team_name', 'v.id as unit_id', 'v.code', 'v.name', 'v.ancestor_ids', 'c.name as commune_name'])
    .where('v.code', '=', villageCode)
    .orderBy('v.valid_from', 'desc')
    .executeTakeFirst();
  if (!row) throw notFound('request.not_found', `no team for village ${villageCode}`);
  return { teamId: row.team_id, teamName: row.team_name, unitId: row.unit_id, villageCode: row.code, villageName: row.name, communeName: row.commune_name ?? '', ancestorIds: row.ancestor_ids };
}

export interface MemberDevice {
  id: string;
  label: string;
  status: 'active' | 'lost' | 'wiped';
  registeredAt: Date;
  lastSeenAt: Date;
  lastSyncAt: Date | null;
  lostMarkedAt: Date | null;
  wipedAt: Date | null;
}
export interface TeamMember {
  id: number;
  displayName: string;
  username: string;
  active: boolean;
  devices: MemberDevice[];
}

function memberIdsOf(db: Kdb, ancestorIds: number[]) {
  return db.selectFrom('user_roles').select('user_id').where('role', '=', 'member').where('unit_id', 'in', ancestorIds);
}

export async function teamMembers(db: Kdb, team: TeamRef): Promise<TeamMember[]> {
  const users = await db
    .selectFrom('users')
    .select(['id', 'display_name', 'username', 'active'])
    .where('id', 'in', memberIdsOf(db, team.ancestorIds))
    .orderBy('display_name')
    .execute();
  if (users.length === 0) return [];
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'user_id', 'label', 'status', 'registered_at', 'last_seen_at', 'last_sync_at', 'lost_marked_at', 'wiped_at'])
    .where(
      'user_id',
      'in',
      users.map((u) => u.id),
    )
    .orderBy('registered_at')
    .execute();
  return users.map((u) => ({
    id: u.id,
    displayName: u.display_name,
    username: u.username,
    active: u.active,
    devices: devices
      .filter((d) => d.user_id === u.id)
      .map((d) => ({ id: d.id, label: d.label, status: d.status, registeredAt: d.registered_at, lastSeenAt: d.last_seen_at, lastSyncAt: d.last_sync_at, lostMarkedAt: d.lost_marked_at, wipedAt: d.wiped_at })),
  }));
}

/** True when the device belongs to a member of the team. */
export async function deviceOfTeam(db: Kdb, team: TeamRef, deviceId: string): Promise<boolean> {
  const row = await db.selectFrom('devices').select('id').where('id', '=', deviceId).where('user_id', 'in', memberIdsOf(db, team.ancestorIds)).executeTakeFirst();
  return row !== undefined;
}

export interface OpenBlocker {
  id: number;
  reason: BlockerReason;
  source: 'portal' | 'field' | 'counter';
  note: string;
  createdAt: Date;
  occurrences: number;
  householdHead: string | null;
  residentName: string | null;
  /** Sealed name the citizen gave on the portal (opened, and audited, by the page). */
  personSealed: string | null;
}

export async function openBlockers(db: Kdb, unitId: number): Promise<{ byReason: Map<BlockerReason, number>; list: OpenBlocker[]; total: number }> {
  const [counts, rows] = await Promise.all([
    db.selectFrom('blockers').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).where('unit_id', '=', unitId).where('status', '=', 'open').groupBy('kind').execute(),
    db
      .selectFrom('blockers as b')
      .leftJoin('households as h', 'h.id', 'b.household_id')
      .leftJoin('residents as r', 'r.id', 'b.resident_id')
      .select([
        'b.id',
        'b.kind',
        'b.source',
        'b.note',
        'b.created_at',
        'b.occurrences',
        'b.person_sealed',
        sql<string | null>`h.data->>'headName'`.as('head_name'),
        sql<string | null>`r.data->>'fullName'`.as('resident_name'),
      ])
      .where('b.unit_id', '=', unitId)
      .where('b.status', '=', 'open')
      .orderBy('b.created_at', 'desc')
      .orderBy('b.id', 'desc')
      .limit(DETAIL_LIST_LIMIT)
      .execute(),
  ]);
  const byReason = new Map(counts.map((c) => [c.kind, Number(c.n)] as const));
  return {
    byReason,
    total: [...byReason.values()].reduce((a, b) => a + b, 0),
    list: rows.map((r) => ({
      id: Number(r.id),
      reason: r.kind,
      source: r.source,
      note: r.note,
      createdAt: r.created_at,
      occurrences: Number(r.occurrences),
      householdHead: r.head_name,
      residentName: r.resident_name,
      personSealed: r.source === 'portal' && !r.resident_name ? r.person_sealed : null,
    })),
  };
}

export interface OpenFollowUp {
  id: string;
  dueDate: string;
  overdue: boolean;
  note: string;
  assignee: string;
  householdHead: string | null;
  residentName: string | null;
}

/** Open follow-ups, earliest due first (so the overdue ones lead), and how many are overdue. */
export async function openFollowUps(db: Kdb, unitId: number, now: Date): Promise<{ list: OpenFollowUp[]; total: number; overdue: number }> {
  const today = localDateOf(now);
  const [counts, rows] = await Promise.all([
    db
      .selectFrom('follow_ups')
      .select([(eb) => eb.fn.countAll<number>().as('total'), sql<number>`count(*) FILTER (WHERE due_date < ${today}::date)`.as('overdue')])
      .where('unit_id', '=', unitId)
      .where('done_at', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('follow_ups as f')
      .innerJoin('users as u', 'u.id', 'f.assignee_id')
      .leftJoin('households as h', 'h.id', 'f.household_id')
      .leftJoin('residents as r', 'r.id', 'f.resident_id')
      .select(['f.id', 'f.due_date', 'f.note', 'u.display_name', sql<string | null>`h.data->>'headName'`.as('head_name'), sql<string | null>`r.data->>'fullName'`.as('resident_name')])
      .where('f.unit_id', '=', unitId)
      .where('f.done_at', 'is', null)
      .orderBy('f.due_date')
      .orderBy('f.created_at')
      .limit(DETAIL_LIST_LIMIT)
      .execute(),
  ]);
  return {
    total: Number(counts.total),
    overdue: Number(counts.overdue),
    list: rows.map((r) => ({ id: r.id, dueDate: r.due_date, overdue: r.due_date < today, note: r.note, assignee: r.display_name, householdHead: r.head_name, residentName: r.resident_name })),
  };
}

export interface RegisterSummary {
  households: number;
  residents: number;
  adults: number;
  smartphone: number;
  simMatched: number;
  vneid2: number;
  publicAccount: number;
  walletOrBank: number;
}

/** The village's household register in figures: adults are 18 or over this year (birth year known). */
export async function registerSummary(db: Kdb, unitId: number, now: Date): Promise<RegisterSummary> {
  const adultBorn = Number(localDateOf(now).slice(0, 4)) - 18;
  const [h, r] = await Promise.all([
    db.selectFrom('households').select((eb) => eb.fn.countAll<number>().as('n')).where('unit_id', '=', unitId).executeTakeFirstOrThrow(),
    sql<{ residents: number; adults: number; smartphone: number; sim: number; vneid2: number; account: number; wallet: number }>`
      SELECT count(*) AS residents,
        count(*) FILTER (WHERE adult) AS adults,
        count(*) FILTER (WHERE adult AND data->>'smartphone' = 'true') AS smartphone,
        count(*) FILTER (WHERE adult AND data->>'simOwnership' = 'matched') AS sim,
        count(*) FILTER (WHERE adult AND data->>'vneidLevel' = '2') AS vneid2,
        count(*) FILTER (WHERE adult AND data->>'publicServiceAccount' = 'true') AS account,
        count(*) FILTER (WHERE adult AND data->>'walletOrBank' = 'true') AS wallet
      FROM (SELECT data, coalesce((data->>'birthYear')::int <= ${adultBorn}, false) AS adult FROM residents WHERE unit_id = ${unitId}) x
    `
      .execute(db)
      .then((res) => res.rows[0]),
  ]);
  return {
    households: Number(h.n),
    residents: Number(r?.residents ?? 0),
    adults: Number(r?.adults ?? 0),
    smartphone: Number(r?.smartphone ?? 0),
    simMatched: Number(r?.sim ?? 0),
    vneid2: Number(r?.vneid2 ?? 0),
    publicAccount: Number(r?.account ?? 0),
    walletOrBank: Number(r?.wallet ?? 0),
  };
}

