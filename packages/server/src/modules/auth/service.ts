/**
 * Officers, their roles on unit subtrees, sign-in and sessions. A role on a unit covers its
 * whole subtree (a district role covers its communes and villages). Session tokens are random,
 * stored only as SHA-256 hashes, and expire; repeated failures lock the account for a while.
 */
import type { Role } from '@causo/domain';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Db, Trx } from '../../db/database.ts';
import { Problem } from '../../http/problem.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { audit } from '../audit/service.ts';
import { isInSubtree } from '../units/queries.ts';
import { createSession, deleteSession, findSession } from './sessions.ts';
import { recordSignIn } from './signInLog.ts';
import { matchTotp } from './totp.ts';

export type OfficerRole = Exclude<Role, 'citizen'>;
export interface Officer {
  id: number;
  username: string;
  displayName: string;
  /** `unitLevel` lets pages decide what to show (the administration link) without a query. */
  roles: { role: OfficerRole; unitId: number; unitLevel?: string }[];
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
  const roles = await db
    .selectFrom('user_roles as r')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .select(['r.role', 'r.unit_id', 'u.level'])
    .where('r.user_id', '=', userId)
    .execute();
  return { id: user.id, username: user.username, displayName: user.display_name, roles: roles.map((r) => ({ role: r.role, unitId: r.unit_id, unitLevel: r.level })) };
}

export interface SessionInfo {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  officer: Officer;
}

/**
 * A refused password or code. `lockedNow` says this very failure locked the account: the
 * answer stays "wrong" (as for the failures before it; the next try gets 423), but a page can
 * already tell the officer what happened.
 */
export class SignInRefused extends Problem {
  constructor(
    code: 'auth.bad_credentials' | 'auth.totp_wrong',
    readonly lockedNow: boolean,
  ) {
    super(401, code);
  }
}

export interface SignInAttempt {
  username: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

interface AccountRow {
  id: number;
  failed_logins: number;
  locked_until: Date | null;
  totp_secret_sealed: string | null;
  totp_last_step: number | null;
}

/**
 * Every try (password or code) first claims one of the MAX_FAILED_LOGINS attempts, in one
 * statement, before the slow check: concurrent guesses cannot all pass the lock check before
 * the first failure is counted. A failure keeps its claim (the fifth in a row locks the
 * account); a success gives it back. No attempt left means locked.
 */
async function claimAttempt(ctx: AppContext, user: Pick<AccountRow, 'id'>, where: { ip: string | null; userAgent: string | null }): Promise<number> {
  const now = ctx.now();
  const claimed = await ctx.db.kysely
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', user.id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .where('failed_logins', '<', MAX_FAILED_LOGINS)
    .returning('failed_logins')
    .executeTakeFirst();
  if (claimed) return claimed.failed_logins;
  await ctx.db.transaction(async (trx) => {
    // All attempts taken by tries still running (or lost in a crash): locked from now, so the count cannot stick.
    await trx
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: new Date(now.getTime() + LOCK_MINUTES * 60_000) })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .execute();
    await recordSignIn(trx, user.id, { at: now, outcome: 'locked', ip: where.ip, userAgent: where.userAgent });
  });
  throw new Problem(423, 'auth.locked');
}

/** A right password or code gives its claimed attempt back (startSession then clears the count). */
async function releaseAttempt(ctx: AppContext, user: Pick<AccountRow, 'id'>): Promise<void> {
  await ctx.db.kysely
    .updateTable('users')
    .set((eb) => ({ failed_logins: sql<number>`greatest(${eb.ref('failed_logins')} - 1, 0)` }))
    .where('id', '=', user.id)
    .execute();
}

/**
 * A failed attempt is recorded in its own committed transaction: it must count even though we
 * refuse. Its attempt was claimed before the check; the fifth in a row (wrong password or
 * wrong code) locks the account.
 */
async function recordFailure(ctx: AppContext, user: Pick<AccountRow, 'id'>, claimed: number, outcome: 'bad_password' | 'bad_code', where: { ip: string | null; userAgent: string | null }): Promise<boolean> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    const lock = claimed >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null;
    if (lock) await trx.updateTable('users').set({ failed_logins: 0, locked_until: lock }).where('id', '=', user.id).execute();
    await recordSignIn(trx, user.id, { at: now, outcome, ip: where.ip, userAgent: where.userAgent });
    await audit(trx, { actorId: user.id, action: lock ? 'auth.locked' : 'auth.failed', entity: 'user', entityId: user.id, ip: where.ip, detail: { reason: outcome } });
    return lock !== null;
  });
}

async function refuseWhileLocked(ctx: AppContext, user: AccountRow, where: { ip: string | null; userAgent: string | null }): Promise<void> {
  if (!user.locked_until || user.locked_until <= ctx.now()) return;
  await ctx.db.transaction((trx) => recordSignIn(trx, user.id, { at: ctx.now(), outcome: 'locked', ip: where.ip, userAgent: where.userAgent }));
  throw new Problem(423, 'auth.locked');
}

/**
 * First step of signing in: the password (argon2id). Unknown usernames cost the same time as
 * known ones. Returns the account and whether it asks for a second factor.
 */
export async function checkPassword(ctx: AppContext, a: SignInAttempt): Promise<{ userId: number; needsTotp: boolean }> {
  const user = await ctx.db.kysely
    .selectFrom('users')
    .select(['id', 'active', 'password_hash', 'failed_logins', 'locked_until', 'totp_secret_sealed', 'totp_last_step'])
    .where('username', '=', a.username)
    .executeTakeFirst();
  if (!user || !user.active) {
    await verifyAgainstNothing(a.password);
    throw new Problem(401, 'auth.bad_credentials');
  }
  await refuseWhileLocked(ctx, user, a);
  const claimed = await claimAttempt(ctx, user, a);
  if (!(await verifyPassword(user.password_hash, a.password))) {
    throw new SignInRefused('auth.bad_credentials', await recordFailure(ctx, user, claimed, 'bad_password', a));
  }
  await releaseAttempt(ctx, user);
  return { userId: user.id, needsTotp: user.totp_secret_sealed !== null };
}

/** Second step, for accounts with TOTP: the code from the officer's app, usable once. */
export async function checkSecondFactor(ctx: AppContext, userId: number, code: string, where: { ip: string | null; userAgent: string | null }): Promise<void> {
  const user = await ctx.db.kysely
    .selectFrom('users')
    .select(['id', 'active', 'failed_logins', 'locked_until', 'totp_secret_sealed', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user || !user.active) throw new Problem(401, 'auth.bad_credentials');
  await refuseWhileLocked(ctx, user, where);
  if (!user.totp_secret_sealed) return;
  const claimed = await claimAttempt(ctx, user, where);
  const step = await matchTotp(ctx.vault.open<{ secret: string }>(user.totp_secret_sealed).secret, code, ctx.now(), user.totp_last_step);
  if (step === null) {
    throw new SignInRefused('auth.totp_wrong', await recordFailure(ctx, user, claimed, 'bad_code', where));
  }
  await releaseAttempt(ctx, user);
  // Compare-and-set: two requests with the same code cannot both pass.
  const res = await ctx.db.kysely
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new Problem(401, 'auth.totp_wrong');
}

/** Last step: a fresh session (never reuse a token from before sign-in), logged and audited. */
export async function startSession(ctx: AppContext, userId: number, where: { ip: string | null; userAgent: string | null; previousToken?: string | null }): Promise<SessionInfo> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    // Whatever session the browser had before (another officer's, a citizen's) ends here.
    if (where.previousToken) await deleteSession(trx, where.previousToken);
    await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    const { token, csrfToken, expiresAt } = await createSession(trx, { userId }, { ttlHours: ctx.config.SESSION_TTL_HOURS, ip: where.ip, userAgent: where.userAgent, now });
    await recordSignIn(trx, userId, { at: now, outcome: 'success', ip: where.ip, userAgent: where.userAgent });
    await audit(trx, { actorId: userId, action: 'auth.signed_in', entity: 'user', entityId: userId, ip: where.ip });
    const officer = await loadOfficer(trx, userId);
    if (!officer) throw new Problem(401, 'auth.bad_credentials');
    return { token, csrfToken, expiresAt, officer };
  });
}

/** Both steps at once (the JSON API): an account with TOTP must send the code with the password. */
export async function signIn(ctx: AppContext, input: SignInAttempt & { totp?: string | undefined; previousToken?: string | null }): Promise<SessionInfo> {
  const { userId, needsTotp } = await checkPassword(ctx, input);
  if (needsTotp) {
    if (!input.totp) throw new Problem(401, 'auth.totp_required');
    await checkSecondFactor(ctx, userId, input.totp, input);
  }
  return startSession(ctx, userId, input);
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

/**
 * The officer's roles on a unit whose row is already read: its `ancestor_ids` hold the unit
 * itself and every ancestor, so this is `rolesOnUnit` without a query per role.
 */
export function rolesOnLoadedUnit(officer: Officer, unit: { ancestor_ids: readonly number[] }): OfficerRole[] {
  const out = new Set<OfficerRole>();
  for (const r of officer.roles) if (unit.ancestor_ids.includes(r.unitId)) out.add(r.role);
  return [...out];
}

export function requireRoleOnLoadedUnit(officer: Officer, unit: { ancestor_ids: readonly number[] }, roles?: readonly OfficerRole[]): OfficerRole[] {
  const held = rolesOnLoadedUnit(officer, unit).filter((r) => !roles || roles.includes(r));
  if (held.length === 0) throw new Problem(403, 'auth.forbidden', 'no role on this unit');
  return held;
}

export async function requireRoleOnUnit(db: Db['kysely'] | Trx, officer: Officer, unitId: number, roles?: readonly OfficerRole[]): Promise<OfficerRole[]> {
  const held = (await rolesOnUnit(db, officer, unitId)).filter((r) => !roles || roles.includes(r));
  if (held.length === 0) throw new Problem(403, 'auth.forbidden', 'no role on this unit');
  return held;
}

/**
 * What a province administrator may manage: the subtree of each province they are admin of
 * (a province in force on `today`), together with the subtrees of the provinces it replaced in
 * the 2025 reform, so old units and the officers still holding roles on them stay in reach.
 * Null when the officer is not the admin of a province in force (a district admin is not).
 */
export interface AdminScope {
  officer: Officer;
  provinceIds: number[];
  rootIds: number[];
}

export async function provinceAdminScope(db: Db['kysely'] | Trx, officer: Officer, today: string): Promise<AdminScope | null> {
  const adminOn = rootsFor(officer, ['admin']);
  if (adminOn.length === 0) return null;
  const provinces = await db
    .selectFrom('units')
    .select('id')
    .where('id', 'in', adminOn)
    .where('level', '=', 'province')
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
    .execute();
  if (provinces.length === 0) return null;
  const provinceIds = provinces.map((p) => p.id);
  const predecessors = await db
    .selectFrom('unit_replacements as r')
    .innerJoin('units as o', 'o.id', 'r.old_unit_id')
    .select('o.id')
    .where('r.new_unit_id', 'in', provinceIds)
    .where('o.level', '=', 'province')
    .execute();
  return { officer, provinceIds, rootIds: [...new Set([...provinceIds, ...predecessors.map((p) => p.id)])] };
}

export async function requireProvinceAdmin(db: Db['kysely'] | Trx, officer: Officer | null, today: string): Promise<AdminScope> {
  if (!officer) throw new Problem(401, 'auth.required');
  const scope = await provinceAdminScope(db, officer, today);
  if (!scope) throw new Problem(403, 'auth.forbidden', 'only the administrator of a province may do this');
  return scope;
}
