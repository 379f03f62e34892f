/**
 * Citizens sign in with their phone number and a password, or with a code sent by SMS.
 * Nothing here tells whether a number has an account: an unknown number and a wrong password
 * get the same answer after the same work (a dummy password check), wrong passwords are
 * counted per phone number whether or not an account uses it, and a code asked for an
 * unknown number makes a challenge that no code opens.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import { audit } from '../audit/service.ts';
import { verifyAgainstNothing, verifyPassword } from '../auth/passwords.ts';
import { createSession, deleteSession, sha256, type NewSession } from '../auth/sessions.ts';
import { queueSms } from '../notify/outbox.ts';
import { translator } from '../../web/i18n.ts';
import { LIMITS } from './limits.ts';
import { CHALLENGE_COLUMNS, checkCode, createChallenge, newCode, recordSend, renewChallenge, resendAllowed, sendAllowance, type CodeCheck } from './otp.ts';
import type { RequestMeta } from './signup.ts';
import './schema.ts';

export type PasswordOutcome = { kind: 'ok'; citizenId: number; session: NewSession } | { kind: 'bad' } | { kind: 'locked'; minutes: number };

const minutesUntil = (until: Date, now: Date): number => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

/**
 * Claims one try for this number before the slow password check, so that concurrent guesses
 * cannot all pass the lock check before the first failure is counted. A wrong password keeps
 * its claim (the fifth in a row locks the number); a right one clears the count. No try left
 * while others are still being checked means locked.
 */
async function claimTry(trx: Trx, phoneHash: string, now: Date): Promise<{ claimed: number } | { lockedUntil: Date }> {
  // A row to lock even for the first try (concurrent first tries would otherwise all see none).
  await trx.insertInto('sign_in_failures').values({ phone_hash: phoneHash, failures: 0, locked_until: null, updated_at: now }).onConflict((oc) => oc.column('phone_hash').doNothing()).execute();
  const prev = await trx.selectFrom('sign_in_failures').selectAll().where('phone_hash', '=', phoneHash).forUpdate().executeTakeFirst();
  if (prev?.locked_until && prev.locked_until > now) return { lockedUntil: prev.locked_until };
  // Failures long ago, or before a lock that has run out, start a new count.
  const stale = !prev || prev.updated_at.getTime() < now.getTime() - LIMITS.lockMinutes * 60_000 || (prev.locked_until !== null && prev.locked_until <= now);
  const failures = (stale ? 0 : prev.failures) + 1;
  const lockedUntil = failures > LIMITS.passwordFailures ? new Date(now.getTime() + LIMITS.lockMinutes * 60_000) : null;
  await trx
    .insertInto('sign_in_failures')
    .values({ phone_hash: phoneHash, failures, locked_until: lockedUntil, updated_at: now })
    .onConflict((oc) => oc.column('phone_hash').doUpdateSet({ failures, locked_until: lockedUntil, updated_at: now }))
    .execute();
  return lockedUntil ? { lockedUntil } : { claimed: failures };
}

/** A wrong password on the last try locks the number. */
async function lockIfLast(trx: Trx, phoneHash: string, claimed: number, now: Date): Promise<Date | null> {
  if (claimed < LIMITS.passwordFailures) return null;
  const lockedUntil = new Date(now.getTime() + LIMITS.lockMinutes * 60_000);
  await trx.updateTable('sign_in_failures').set({ locked_until: lockedUntil, updated_at: now }).where('phone_hash', '=', phoneHash).execute();
  return lockedUntil;
}

async function startSession(ctx: AppContext, trx: Trx, citizenId: number, meta: RequestMeta, method: 'password' | 'sms'): Promise<NewSession> {
  // A new session for each sign-in; whatever session the browser had before ends.
  if (meta.previousToken) await deleteSession(trx, meta.previousToken);
  const session = await createSession(trx, { citizenId }, { ttlHours: ctx.config.SESSION_TTL_HOURS, ip: meta.ip, userAgent: meta.userAgent ?? null, now: ctx.now() });
  await audit(trx, { actorId: null, action: 'citizen.signed_in', entity: 'citizen', entityId: citizenId, detail: { method }, ip: meta.ip });
  return session;
}

export async function signInWithPassword(ctx: AppContext, phone: string, password: string, meta: RequestMeta): Promise<PasswordOutcome> {
  const now = ctx.now();
  const phoneHash = ctx.vault.lookupHash('phone', phone);
  const claim = await ctx.db.transaction((trx) => claimTry(trx, phoneHash, now));
  if ('lockedUntil' in claim) return { kind: 'locked', minutes: minutesUntil(claim.lockedUntil, now) };
  const citizen = await ctx.db.kysely.selectFrom('citizens').select(['id', 'password_hash']).where('phone_hash', '=', phoneHash).executeTakeFirst();
  let ok = false;
  if (citizen?.password_hash) ok = await verifyPassword(citizen.password_hash, password);
  else await verifyAgainstNothing(password);
  if (!ok) {
    const lockedUntil = await ctx.db.transaction(async (trx) => {
      const until = await lockIfLast(trx, phoneHash, claim.claimed, now);
      await audit(trx, { actorId: null, action: until ? 'citizen.sign_in_locked' : 'citizen.sign_in_failed', entity: 'citizen', entityId: citizen?.id ?? null, ip: meta.ip });
      return until;
    });
    return lockedUntil ? { kind: 'locked', minutes: minutesUntil(lockedUntil, now) } : { kind: 'bad' };
  }
  const id = citizen?.id;
  if (id === undefined) return { kind: 'bad' };
  return ctx.db.transaction(async (trx) => {
    await trx.deleteFrom('sign_in_failures').where('phone_hash', '=', phoneHash).execute();
    return { kind: 'ok' as const, citizenId: id, session: await startSession(ctx, trx, id, meta, 'password') };
  });
}

export type CodeRequestOutcome = { kind: 'sent'; token: string } | { kind: 'too_many_codes'; waitMinutes: number };

export async function requestSignInCode(ctx: AppContext, phone: string, meta: RequestMeta): Promise<CodeRequestOutcome> {
  const now = ctx.now();
  const phoneHash = ctx.vault.lookupHash('phone', phone);
  return ctx.db.transaction(async (trx): Promise<CodeRequestOutcome> => {
    const allowance = await sendAllowance(trx, phoneHash, meta.ip, now);
    if (!allowance.ok) return { kind: 'too_many_codes', waitMinutes: allowance.waitMinutes };
    const citizen = await trx.selectFrom('citizens').select(['id']).where('phone_hash', '=', phoneHash).executeTakeFirst();
    const token = randomBytes(32).toString('base64url');
    const code = newCode();
    await createChallenge(ctx, trx, { purpose: 'sign_in', phone, phoneHash, citizenId: citizen?.id ?? null, tokenHash: sha256(token) }, code);
    await recordSend(trx, phoneHash, meta.ip, 'sign_in', now);
    if (citizen) await queueSms(trx, ctx.vault, { to: phone, text: translator(meta.lang)('account.sms.sign_in_code', { code }), purpose: 'sign_in_code', citizenId: citizen.id });
    await audit(trx, { actorId: null, action: 'citizen.sign_in_code_requested', entity: 'citizen', entityId: citizen?.id ?? null, ip: meta.ip });
    return { kind: 'sent', token };
  });
}

async function challengeByToken(ctx: AppContext, trx: Trx, token: string) {
  const ch = await trx
    .selectFrom('otp_challenges')
    .select([...CHALLENGE_COLUMNS, 'citizen_id', 'phone_hash', 'phone_sealed', 'created_at'])
    .where('token_hash', '=', sha256(token))
    .where('purpose', '=', 'sign_in')
    .forUpdate()
    .executeTakeFirst();
  // A sign-in started more than a sign-up's lifetime ago is over, whatever its codes say.
  if (!ch || ch.created_at.getTime() < ctx.now().getTime() - LIMITS.signupTtlMinutes * 60_000) return null;
  return ch;
}

/** The number the citizen typed, for the code page ("we sent a code to …"). */
export async function signInCodePhone(ctx: AppContext, token: string): Promise<string | null> {
  const ch = await ctx.db.transaction((trx) => challengeByToken(ctx, trx, token));
  return ch ? ctx.vault.open<{ phone: string }>(ch.phone_sealed).phone : null;
}

export type CodeSignInOutcome = { kind: 'ok'; citizenId: number; session: NewSession } | Exclude<CodeCheck, { kind: 'ok' }> | { kind: 'gone' };

export async function verifySignInCode(ctx: AppContext, token: string, code: string, meta: RequestMeta): Promise<CodeSignInOutcome> {
  return ctx.db.transaction(async (trx): Promise<CodeSignInOutcome> => {
    const ch = await challengeByToken(ctx, trx, token);
    if (!ch) return { kind: 'gone' };
    const result = await checkCode(ctx, trx, ch, code, ch.citizen_id === null);
    if (result.kind !== 'ok' || ch.citizen_id === null) {
      await audit(trx, { actorId: null, action: 'citizen.sign_in_failed', entity: 'citizen', entityId: ch.citizen_id, detail: { method: 'sms', result: result.kind }, ip: meta.ip });
      return result.kind === 'ok' ? { kind: 'gone' } : result;
    }
    // A code that opened a session also ends any password lock on the number.
    await trx.deleteFrom('sign_in_failures').where('phone_hash', '=', ch.phone_hash).execute();
    return { kind: 'ok', citizenId: ch.citizen_id, session: await startSession(ctx, trx, ch.citizen_id, meta, 'sms') };
  });
}

export type SignInResendOutcome = { kind: 'sent' } | { kind: 'wait'; seconds: number } | { kind: 'limit' } | { kind: 'too_many_codes'; waitMinutes: number } | { kind: 'gone' };

export async function resendSignInCode(ctx: AppContext, token: string, meta: RequestMeta): Promise<SignInResendOutcome> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx): Promise<SignInResendOutcome> => {
    const ch = await challengeByToken(ctx, trx, token);
    if (!ch || ch.used_at) return { kind: 'gone' };
    const allowed = resendAllowed(ch, now);
    if (!allowed.ok) return allowed.reason === 'wait' ? { kind: 'wait', seconds: allowed.seconds } : { kind: 'limit' };
    const allowance = await sendAllowance(trx, ch.phone_hash, meta.ip, now);
    if (!allowance.ok) return { kind: 'too_many_codes', waitMinutes: allowance.waitMinutes };
    const code = newCode();
    await renewChallenge(ctx, trx, ch.id, code);
    await recordSend(trx, ch.phone_hash, meta.ip, 'sign_in', now);
    if (ch.citizen_id !== null) {
      const { phone } = ctx.vault.open<{ phone: string }>(ch.phone_sealed);
      await queueSms(trx, ctx.vault, { to: phone, text: translator(meta.lang)('account.sms.sign_in_code', { code }), purpose: 'sign_in_code', citizenId: ch.citizen_id });
    }
    return { kind: 'sent' };
  });
}

export async function signOutCitizen(ctx: AppContext, token: string, ip: string | null): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const s = await deleteSession(trx, token);
    if (s?.citizenId) await audit(trx, { actorId: null, action: 'citizen.signed_out', entity: 'citizen', entityId: s.citizenId, ip });
    if (s?.userId) await audit(trx, { actorId: s.userId, action: 'auth.signed_out', entity: 'user', entityId: s.userId, ip });
  });
}
