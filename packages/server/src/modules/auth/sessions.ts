/**
 * Sessions for both kinds of principal: officers (back office, API, field app) and citizens
 * (portal). Tokens are random, stored only as SHA-256 hashes, and expire.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import { compileOnce, queryBuilder } from '../../db/compiledOnce.ts';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  trx: Trx,
  who: { userId: number } | { citizenId: number },
  opts: { ttlHours: number; ip: string | null; userAgent: string | null; now: Date },
): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(opts.now.getTime() + opts.ttlHours * 3_600_000);
  await trx
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      user_id: 'userId' in who ? who.userId : null,
      citizen_id: 'citizenId' in who ? who.citizenId : null,
      csrf_token: csrfToken,
      expires_at: expiresAt,
      ip: opts.ip,
      user_agent: opts.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, csrfToken, expiresAt };
}

export interface SessionRow {
  userId: number | null;
  citizenId: number | null;
  csrfToken: string;
  expiresAt: Date;
}

export async function findSession(db: Db['kysely'] | Trx, token: string, now: Date): Promise<SessionRow | null> {
  const s = await db
    .selectFrom('sessions')
    .select(['user_id', 'citizen_id', 'csrf_token', 'expires_at'])
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!s || s.expires_at <= now) return null;
  return { userId: s.user_id, citizenId: s.citizen_id, csrfToken: s.csrf_token, expiresAt: s.expires_at };
}

/** The officer a session belongs to, read with the session in the same statement (every page asks). */
export interface SessionOfficer {
  id: number;
  username: string;
  displayName: string;
  roles: { role: 'admin' | 'leader' | 'officer' | 'specialist' | 'member'; unitId: number; unitLevel: string }[];
}

/**
 * findSession and the officer's account and roles in one round trip: on the embedded database
 * each statement is a turn of its single connection, and every back-office request needs both.
 * The officer is null for a citizen's session or a deactivated account.
 */
export async function findSessionWithOfficer(db: Db['kysely'] | Trx, token: string, now: Date): Promise<(SessionRow & { officer: SessionOfficer | null }) | null> {
  const s = (await db.executeQuery(sessionWithOfficerQuery({ tokenHash: sha256(token) }))).rows[0];
  if (!s || s.expires_at <= now) return null;
  const officer = s.uid !== null && s.username !== null && s.display_name !== null ? { id: s.uid, username: s.username, displayName: s.display_name, roles: s.roles ?? [] } : null;
  return { userId: s.user_id, citizenId: s.citizen_id, csrfToken: s.csrf_token, expiresAt: s.expires_at, officer };
}

/** Built once: every signed-in request runs it (db/compiledOnce.ts). */
const sessionWithOfficerQuery = compileOnce(['tokenHash'], (v) =>
  queryBuilder
    .selectFrom('sessions as s')
    .leftJoin('users as u', (j) => j.onRef('u.id', '=', 's.user_id').on('u.active', '=', true))
    .select([
      's.user_id',
      's.citizen_id',
      's.csrf_token',
      's.expires_at',
      'u.id as uid',
      'u.username',
      'u.display_name',
      sql<SessionOfficer['roles'] | null>`(SELECT json_agg(json_build_object('role', r.role, 'unitId', r.unit_id, 'unitLevel', un.level) ORDER BY r.unit_id, r.role) FROM user_roles r JOIN units un ON un.id = r.unit_id WHERE r.user_id = u.id)`.as('roles'),
    ])
    .where('s.token_hash', '=', v.tokenHash),
);

export async function deleteSession(trx: Trx, token: string): Promise<{ userId: number | null; citizenId: number | null } | null> {
  const s = await trx.deleteFrom('sessions').where('token_hash', '=', sha256(token)).returning(['user_id', 'citizen_id']).executeTakeFirst();
  return s ? { userId: s.user_id, citizenId: s.citizen_id } : null;
}

/** Expired sessions are refused at once by findSession; this only keeps the table small. */
export async function deleteExpiredSessions(db: Db['kysely'] | Trx, now: Date): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Sweeps expired sessions every hour (and once at start). */
export function startSessionSweeper(db: Db['kysely'], now: () => Date, onError: (err: unknown) => void, intervalMs = 3_600_000): () => void {
  const sweep = () => void deleteExpiredSessions(db, now()).catch(onError);
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
