/**
 * Officer accounts as a province administrator manages them: create, give and take roles on
 * units, deactivate, unlock, reset a password. An administrator manages an officer only when
 * every role the officer holds lies in the administrator's scope (their province, and the
 * province it replaced): an officer who also works for another province is that province's
 * business too, so neither can change them alone. Every change is audited.
 */
import '../../notify/schema.ts';
import { matchesSearch } from '@causo/domain';
import { sql } from 'kysely';
import type { AppContext } from '../../../context.ts';
import type { Db, Trx } from '../../../db/database.ts';
import { Problem, notFound } from '../../../http/problem.ts';
import { audit } from '../../audit/service.ts';
import { hashPassword } from '../passwords.ts';
import { createOfficer, type AdminScope, type OfficerRole } from '../service.ts';

export const OFFICER_ROLES = ['admin', 'leader', 'officer', 'specialist', 'member'] as const satisfies readonly OfficerRole[];
export const USERNAME_PATTERN = /^[a-z0-9._-]{3,50}$/;
export const MIN_PASSWORD = 12;

export interface Meta {
  ip: string;
  userAgent: string | null;
}

export interface RoleView {
  role: OfficerRole;
  unitId: number;
  unitCode: string;
  unitName: string;
  unitLevel: string;
  inScope: boolean;
}

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  active: boolean;
  failedLogins: number;
  lockedUntil: Date | null;
  createdAt: Date;
  roles: RoleView[];
  /** Every role in the administrator's scope (and at least one): they may change this officer. */
  manageable: boolean;
}

const inScopeSql = (rootIds: number[]) => sql<boolean>`un.ancestor_ids && ${sql.val(rootIds)}::int[]`;

async function rolesOf(db: Db['kysely'] | Trx, scope: AdminScope, userIds: number[]): Promise<Map<number, RoleView[]>> {
  const out = new Map<number, RoleView[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('user_roles as r')
    .innerJoin('units as un', 'un.id', 'r.unit_id')
    .select(['r.user_id', 'r.role', 'r.unit_id', 'un.code', 'un.name', 'un.level'])
    .select(inScopeSql(scope.rootIds).as('in_scope'))
    .where('r.user_id', 'in', userIds)
    .orderBy('r.role')
    .orderBy('un.code')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ role: r.role, unitId: r.unit_id, unitCode: r.code, unitName: r.name, unitLevel: r.level, inScope: r.in_scope });
    out.set(r.user_id, list);
  }
  return out;
}

type UserRecord = { id: number; username: string; display_name: string; active: boolean; failed_logins: number; locked_until: Date | null; created_at: Date };

function view(u: UserRecord, roles: RoleView[]): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    active: u.active,
    failedLogins: u.failed_logins,
    lockedUntil: u.locked_until,
    createdAt: u.created_at,
    roles,
    manageable: roles.length > 0 && roles.every((r) => r.inScope),
  };
}

const USER_COLUMNS = ['users.id', 'users.username', 'users.display_name', 'users.active', 'users.failed_logins', 'users.locked_until', 'users.created_at'] as const;

/** Officers with at least one role in scope, matching `query` (diacritics ignored), a page at a time. */
export async function listUsers(db: Db['kysely'], scope: AdminScope, query: string, page: number, pageSize = 50): Promise<{ users: UserView[]; hasNext: boolean }> {
  const rows = await db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('user_roles as r').innerJoin('units as un', 'un.id', 'r.unit_id').select('r.user_id').whereRef('r.user_id', '=', 'users.id').where(inScopeSql(scope.rootIds))),
    )
    .orderBy('users.username')
    .execute();
  // A province has hundreds of officers, not millions: filter in memory, with the domain's search.
  const matching = query ? rows.filter((u) => matchesSearch(`${u.username} ${u.display_name}`, query)) : rows;
  const slice = matching.slice((page - 1) * pageSize, page * pageSize + 1);
  const roles = await rolesOf(db, scope, slice.map((u) => u.id));
  return { users: slice.slice(0, pageSize).map((u) => view(u, roles.get(u.id) ?? [])), hasNext: slice.length > pageSize };
}

export async function findUser(db: Db['kysely'] | Trx, scope: AdminScope, userId: number): Promise<UserView> {
  const u = await db.selectFrom('users').select(USER_COLUMNS).where('users.id', '=', userId).executeTakeFirst();
  if (!u) throw notFound('request.not_found', `no officer ${userId}`);
  const roles = (await rolesOf(db, scope, [u.id])).get(u.id) ?? [];
  const v = view(u, roles);
  if (!roles.some((r) => r.inScope)) throw notFound('request.not_found', `officer ${userId} is not in your province`);
  return v;
}

/** The officer, if this administrator may change them; 403 otherwise. */
export async function managedUser(db: Db['kysely'] | Trx, scope: AdminScope, userId: number): Promise<UserView> {
  const v = await findUser(db, scope, userId);
  if (!v.manageable) throw new Problem(403, 'auth.forbidden', 'the officer also holds roles outside your province');
  return v;
}

/** Units in force on `today` inside the scope: where roles can be given. */
export function assignableUnits(db: Db['kysely'], scope: AdminScope, today: string) {
  return db
    .selectFrom('units as un')
    .select(['un.id', 'un.code', 'un.name', 'un.level'])
    .where(inScopeSql(scope.rootIds))
    .where('un.valid_from', '<=', today)
    .where((eb) => eb.or([eb('un.valid_to', 'is', null), eb('un.valid_to', '>=', today)]))
    .orderBy(sql`array_length(un.ancestor_ids, 1)`)
    .orderBy('un.code')
    .execute();
}

/** Null when the unit may carry a role given by this administrator today. */
async function checkAssignable(trx: Trx, scope: AdminScope, unitId: number, today: string): Promise<string | null> {
  const unit = await trx
    .selectFrom('units as un')
    .select(['un.id', 'un.valid_from', 'un.valid_to'])
    .select(inScopeSql(scope.rootIds).as('in_scope'))
    .where('un.id', '=', unitId)
    .executeTakeFirst();
  if (!unit || !unit.in_scope) return 'admin.users.error.unit_not_yours';
  if (unit.valid_from > today || (unit.valid_to !== null && unit.valid_to < today)) return 'admin.users.error.unit_ended';
  return null;
}

export class FieldProblem extends Error {
  constructor(
    readonly field: string,
    readonly key: string,
  ) {
    super(key);
  }
}

export interface NewOfficer {
  username: string;
  displayName: string;
  password: string;
  role: OfficerRole;
  unitId: number;
}

export async function createUser(ctx: AppContext, scope: AdminScope, input: NewOfficer, today: string, meta: Meta): Promise<number> {
  return ctx.db.transaction(async (trx) => {
    const bad = await checkAssignable(trx, scope, input.unitId, today);
    if (bad) throw new FieldProblem('unitId', bad);
    const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (taken) throw new FieldProblem('username', 'admin.users.error.username_taken');
    const id = await createOfficer(trx, { username: input.username, displayName: input.displayName, password: input.password, roles: [{ role: input.role, unitId: input.unitId }] });
    await audit(trx, { actorId: scope.officer.id, action: 'user.create', entity: 'user', entityId: id, detail: { username: input.username, role: input.role, unitId: input.unitId }, ...meta });
    return id;
  });
}

export async function addRole(ctx: AppContext, scope: AdminScope, userId: number, role: OfficerRole, unitId: number, today: string, meta: Meta): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await managedUser(trx, scope, userId);
    const bad = await checkAssignable(trx, scope, unitId, today);
    if (bad) throw new FieldProblem('unitId', bad);
    const added = await trx.insertInto('user_roles').values({ user_id: userId, role, unit_id: unitId }).onConflict((oc) => oc.doNothing()).returning('user_id').executeTakeFirst();
    if (!added) throw new FieldProblem('role', 'admin.users.error.role_exists');
    await audit(trx, { actorId: scope.officer.id, action: 'user.role_add', entity: 'user', entityId: userId, detail: { role, unitId }, ...meta });
  });
}

export async function removeRole(ctx: AppContext, scope: AdminScope, userId: number, role: OfficerRole, unitId: number, meta: Meta): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const user = await managedUser(trx, scope, userId);
    if (!user.roles.some((r) => r.role === role && r.unitId === unitId)) throw notFound('request.not_found', 'no such role');
    // An account with no role could be reached by no administrator; deactivate it instead.
    if (user.roles.length === 1) throw new FieldProblem('roles', 'admin.users.error.last_role');
    if (userId === scope.officer.id && role === 'admin') throw new FieldProblem('roles', 'admin.users.error.own_admin');
    await trx.deleteFrom('user_roles').where('user_id', '=', userId).where('role', '=', role).where('unit_id', '=', unitId).execute();
    await audit(trx, { actorId: scope.officer.id, action: 'user.role_remove', entity: 'user', entityId: userId, detail: { role, unitId }, ...meta });
  });
}

export type StatusChange = 'deactivate' | 'reactivate' | 'unlock';

export async function changeStatus(ctx: AppContext, scope: AdminScope, userId: number, change: StatusChange, meta: Meta): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await managedUser(trx, scope, userId);
    if (change === 'deactivate') {
      if (userId === scope.officer.id) throw new FieldProblem('status', 'admin.users.error.own_account');
      await trx.updateTable('users').set({ active: false }).where('id', '=', userId).execute();
      // Signed out everywhere at once, not when their sessions expire.
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    } else if (change === 'reactivate') {
      await trx.updateTable('users').set({ active: true, failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    } else {
      await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    }
    await audit(trx, { actorId: scope.officer.id, action: `user.${change}`, entity: 'user', entityId: userId, ...meta });
  });
}

export async function resetPassword(ctx: AppContext, scope: AdminScope, userId: number, password: string, meta: Meta): Promise<void> {
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (trx) => {
    await managedUser(trx, scope, userId);
    await trx.updateTable('users').set({ password_hash: hash, failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await audit(trx, { actorId: scope.officer.id, action: 'user.password_reset', entity: 'user', entityId: userId, ...meta });
  });
}

/** A team member's or officer's contact details for reminders: the phone sealed, the e-mail in the clear. */
export interface Contact {
  phone: string | null;
  email: string | null;
}

export async function contactOf(ctx: AppContext, userId: number): Promise<Contact> {
  const u = await ctx.db.kysely.selectFrom('users').select(['phone_sealed', 'email']).where('id', '=', userId).executeTakeFirst();
  return { phone: u?.phone_sealed ? ctx.vault.open<{ phone: string }>(u.phone_sealed).phone : null, email: u?.email ?? null };
}

export async function setContact(ctx: AppContext, scope: AdminScope, userId: number, contact: Contact, meta: Meta): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await managedUser(trx, scope, userId);
    await trx
      .updateTable('users')
      .set({
        phone_sealed: contact.phone ? ctx.vault.seal({ phone: contact.phone }) : null,
        phone_hash: contact.phone ? ctx.vault.lookupHash('phone', contact.phone) : null,
        email: contact.email,
      })
      .where('id', '=', userId)
      .execute();
    // What changed, not the values: the audit trail holds no phone numbers.
    await audit(trx, { actorId: scope.officer.id, action: 'user.contact', entity: 'user', entityId: userId, detail: { phone: contact.phone !== null, email: contact.email !== null }, ...meta });
  });
}
