/**
 * Signing a phone in (online, once) and checking it on every later call. A field session is a
 * bearer token bound to one device; an admin can mark the device lost, and its next contact
 * answers 410 `device.wiped` so the app erases what it holds.
 */
import { localDateOf } from '@causo/domain';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import { checkPassword, checkSecondFactor, loadOfficer, type Officer } from '../auth/service.ts';
import { createSession, sha256 } from '../auth/sessions.ts';
import { recordSignIn } from '../auth/signInLog.ts';
import { memberVillages, type Village } from '../teams/members.ts';

export interface FieldSignIn {
  username: string;
  password: string;
  totp?: string | undefined;
  deviceId: string;
  deviceLabel: string;
  ip: string | null;
  userAgent: string | null;
}

export interface FieldMember {
  officer: Officer;
  deviceId: string;
  villages: Village[];
  ip: string | null;
}

export async function fieldSignIn(ctx: AppContext, input: FieldSignIn): Promise<{ token: string; expiresAt: Date; member: { id: number; displayName: string } }> {
  const { userId, needsTotp } = await checkPassword(ctx, input);
  if (needsTotp) {
    if (!input.totp) throw new Problem(401, 'auth.totp_required');
    await checkSecondFactor(ctx, userId, input.totp, input);
  }
  const now = ctx.now();
  const officer = await loadOfficer(ctx.db.kysely, userId);
  if (!officer || (await memberVillages(ctx.db.kysely, officer, localDateOf(now))).length === 0) throw new Problem(403, 'field.not_member');
  return ctx.db.transaction(async (trx) => {
    const device = await trx.selectFrom('devices').select(['user_id', 'status']).where('id', '=', input.deviceId).forUpdate().executeTakeFirst();
    // A lost phone stays lost; another account cannot take over a device id either.
    if (device && device.status !== 'active') throw new Problem(410, 'device.wiped', undefined, undefined, { wipe: true });
    if (device && device.user_id !== userId) throw new Problem(403, 'device.unknown');
    if (device) await trx.updateTable('devices').set({ last_seen_at: now, label: input.deviceLabel }).where('id', '=', input.deviceId).execute();
    else await trx.insertInto('devices').values({ id: input.deviceId, user_id: userId, label: input.deviceLabel, registered_at: now, last_seen_at: now }).execute();
    await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    const session = await createSession(trx, { userId }, { ttlHours: ctx.config.FIELD_SESSION_DAYS * 24, ip: input.ip, userAgent: input.userAgent, now });
    await trx.updateTable('sessions').set({ device_id: input.deviceId }).where('token_hash', '=', sha256(session.token)).execute();
    await recordSignIn(trx, userId, { at: now, outcome: 'success', ip: input.ip, userAgent: input.userAgent });
    await audit(trx, { actorId: userId, action: 'field.signed_in', entity: 'device', entityId: input.deviceId, ip: input.ip, detail: { label: input.deviceLabel } });
    return { token: session.token, expiresAt: session.expiresAt, member: { id: officer.id, displayName: officer.displayName } };
  });
}

/**
 * The member behind a field call: a bearer session of this device, the device still active,
 * and at least one village. A device marked lost is wiped here: its sessions end and the
 * answer tells the app to erase its data.
 */
export async function requireFieldMember(ctx: AppContext, req: FastifyRequest): Promise<FieldMember> {
  const officer = req.officer;
  const deviceId = String(req.headers['x-device-id'] ?? '');
  if (!officer || !req.sessionToken) throw new Problem(401, 'auth.required');
  const now = ctx.now();
  const session = await ctx.db.kysely
    .selectFrom('sessions as s')
    .leftJoin('devices as d', 'd.id', 's.device_id')
    .select(['s.device_id', 'd.status', 'd.user_id'])
    .where('s.token_hash', '=', sha256(req.sessionToken))
    .executeTakeFirst();
  if (!session?.device_id || session.device_id !== deviceId || session.user_id !== officer.id) throw new Problem(403, 'device.unknown');
  if (session.status !== 'active') {
    await ctx.db.transaction(async (trx) => {
      await trx.updateTable('devices').set({ status: 'wiped', wiped_at: now }).where('id', '=', deviceId).where('status', '=', 'lost').execute();
      await trx.deleteFrom('sessions').where('device_id', '=', deviceId).execute();
      await audit(trx, { actorId: officer.id, action: 'field.device_wiped', entity: 'device', entityId: deviceId, ip: req.ip });
    });
    throw new Problem(410, 'device.wiped', undefined, undefined, { wipe: true });
  }
  const villages = await memberVillages(ctx.db.kysely, officer, localDateOf(now));
  if (villages.length === 0) throw new Problem(403, 'field.not_member');
  return { officer, deviceId, villages, ip: req.ip };
}

export async function fieldSignOut(ctx: AppContext, member: FieldMember, token: string): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await trx.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
    await audit(trx, { actorId: member.officer.id, action: 'field.signed_out', entity: 'device', entityId: member.deviceId, ip: member.ip });
  });
}
