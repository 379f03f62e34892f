/**
 * Officers, their roles on unit subtrees, sign-in and sessions. A role on a unit covers its
 * whole subtree (a district role covers its communes and villages). Session tokens are random,
 * stored only as SHA-256 hashes, and expire; repeated failures lock the account for a while.
 */
import type { Role } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import { Problem } from '../../http/problem.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { audit } from '../audit/service.ts';
import { isInSubtree } from '../units/queries.ts';
import { createSession, deleteSession, findSession } from './sessions.ts';

export type OfficerRole = Exclude<Role, 'citizen'>;
export interface Officer {
  id: number;
  username: string;
  displayName: string;
  roles: { role: OfficerRole; unitId: number }[];
}

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;


export async function createOfficer(
  trx: Trx,
  input: { username: string; displayName: string; password: string; roles: { role: OfficerRole; unitId: number }[] },
): Promise<number> {
  const { id } = await trx
    .insertInto('users')
    .values({ username: input.username, display_name: input.displayName, password_hash: await hashPassword(input.password) })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.roles.length)
    await trx.insertInto('user_roles').values(input.roles.map((r) => ({ user_id: id, role: r.role, unit_id: r.unitId }))).execute();
  return id;
}

export async function loadOfficer(db: Db['kysely'] | Trx, userId: number): Promise<Officer | null> {
  const user = await db.selectFrom('users').select(['id', 'username', 'display_name', 'active']).where('id', '=', userId).executeTakeFirst();
  if (!user || !user.active) return null;
  const roles = await db.selectFrom('user_roles').select(['role', 'unit_id']).where('user_id', '=', userId).execute();
  return { id: user.id, username: user.username, displayName: user.display_name, roles: roles.map((r) => ({ role: r.role, unitId: r.unit_id })) };
}

export interface SessionInfo {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  officer: Officer;
}

export async function signIn(
  db: Db,
  input: { username: string; password: string; ip: string | null; userAgent: string | null; ttlHours: number },
): Promise<SessionInfo> {
  const user = await db.kysely.selectFrom('users').selectAll().where('username', '=', input.username).executeTakeFirst();
  if (!user || !user.active) {
    await verifyAgainstNothing(input.password);
    throw new Problem(401, 'auth.bad_credentials');
  }
  if (user.locked_until && user.locked_until > new Date()) throw new Problem(423, 'auth.locked');
  const ok = await verifyPassword(user.password_hash, input.password);
  if (!ok) {
    // Recorded in its own committed transaction: the failure must count even though we refuse.
    await db.transaction(async (trx) => {
      const failed = user.failed_logins + 1;
      const lock = failed >= MAX_FAILED_LOGINS ? new Date(Date.now() + LOCK_MINUTES * 60_000) : null;
      await trx.updateTable('users').set({ failed_logins: lock ? 0 : failed, locked_until: lock }).where('id', '=', user.id).execute();
      await audit(trx, { actorId: user.id, action: lock ? 'auth.locked' : 'auth.failed', entity: 'user', entityId: user.id, ip: input.ip });
    });
    throw new Problem(401, 'auth.bad_credentials');
  }
  return db.transaction(async (trx) => {
    await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    const { token, csrfToken, expiresAt } = await createSession(trx, { userId: user.id }, { ttlHours: input.ttlHours, ip: input.ip, userAgent: input.userAgent, now: new Date() });
    await audit(trx, { actorId: user.id, action: 'auth.signed_in', entity: 'user', entityId: user.id, ip: input.ip });
    const officer = await loadOfficer(trx, user.id);
    if (!officer) throw new Problem(401, 'auth.bad_credentials');
    return { token, csrfToken, expiresAt, officer };
  });
}

export async function sessionFromToken(db: Db, token: string): Promise<{ officer: Officer; csrfToken: string } | null> {
  const s = await findSession(db.kysely, token, new Date());
  if (!s || s.userId === null) return null;
  const officer = await loadOfficer(db.kysely, s.userId);
  return officer ? { officer, csrfToken: s.csrfToken } : null;
}

export async function signOut(db: Db, token: string, ip: string | null): Promise<void> {
  await db.transaction(async (trx) => {
    const s = await deleteSession(trx, token);
    if (s?.userId) await audit(trx, { actorId: s.userId, action: 'auth.signed_out', entity: 'user', entityId: s.userId, ip });
    if (s?.citizenId) await audit(trx, { actorId: null, action: 'citizen.signed_out', entity: 'citizen', entityId: s.citizenId, ip });
  });
}

/** Unit ids on which the officer holds one of `roles` (any role when omitted). */
export function rootsFor(officer: Officer, roles?: readonly OfficerRole[]): number[] {
  return officer.roles.filter((r) => !roles || roles.includes(r.role)).map((r) => r.unitId);
}

/** The roles the officer holds that cover `unitId` (through its subtree). */
export async function rolesOnUnit(db: Db['kysely'] | Trx, officer: Officer, unitId: number): Promise<OfficerRole[]> {
  const out = new Set<OfficerRole>();
  for (const r of officer.roles) if (!out.has(r.role) && (await isInSubtree(db, unitId, [r.unitId]))) out.add(r.role);
  return [...out];
}

export async function requireRoleOnUnit(db: Db['kysely'] | Trx, officer: Officer, unitId: number, roles?: readonly OfficerRole[]): Promise<OfficerRole[]> {
  const held = (await rolesOnUnit(db, officer, unitId)).filter((r) => !roles || roles.includes(r));
  if (held.length === 0) throw new Problem(403, 'auth.forbidden', 'no role on this unit');
  return held;
}
