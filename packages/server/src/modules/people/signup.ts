/**
 * Opening a citizen account, step by step:
 *   1. details (ID number, name, date of birth, phone) → the telecom register is asked whether
 *      the phone is in this person's name. Not in their name: a blocker is recorded for the
 *      community team, nothing else. Register unavailable: nothing is stored at all.
 *   2. in their name → a 6-digit code by SMS; the sign-up waits server-side (table `signups`),
 *      the browser holds only a random token.
 *   3. the right code → the citizen chooses a password or SMS codes → the account is created
 *      and signed in, in one transaction.
 * An account that already exists for the ID number or phone is never revealed on the page:
 * the same "code sent" page follows, the SMS tells the owner to sign in instead, and that
 * sign-up can never complete.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import { audit } from '../audit/service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { createSession, deleteSession, sha256, type NewSession } from '../auth/sessions.ts';
import { queueSms } from '../notify/outbox.ts';
import { translator } from '../../web/i18n.ts';
import { recordPortalBlocker } from './blockers.ts';
import type { SignInMethod, SignupDetails } from './forms.ts';
import { LIMITS } from './limits.ts';
import { CHALLENGE_COLUMNS, checkCode, createChallenge, newCode, recordSend, renewChallenge, resendAllowed, sendAllowance, type CodeCheck } from './otp.ts';
import './schema.ts';

export interface RequestMeta {
  ip: string | null;
  userAgent?: string | null;
  lang: string;
  /** The session the browser had before signing in, ended when a new one starts. */
  previousToken?: string | null;
}

export type StartOutcome =
  | { kind: 'code_sent'; token: string }
  | { kind: 'not_owner'; answer: 'mismatched' | 'unknown_number' }
  | { kind: 'unavailable' }
  | { kind: 'too_many_codes'; waitMinutes: number };

/** Does an account already use this ID number or this phone? */
async function accountExists(trx: Trx, idHash: string, phoneHash: string): Promise<boolean> {
  const row = await trx
    .selectFrom('citizens')
    .select('id')
    .where((eb) => eb.or([eb('id_hash', '=', idHash), eb('phone_hash', '=', phoneHash)]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Sign-ups and codes nobody will use again; personal data is not kept longer than needed. */
async function prune(trx: Trx, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  await trx.deleteFrom('signups').where('expires_at', '<', now).execute();
  await trx.deleteFrom('otp_challenges').where('purpose', '=', 'sign_in').where('created_at', '<', dayAgo).execute();
  await trx.deleteFrom('otp_sends').where('sent_at', '<', dayAgo).execute();
}

export async function startSignup(ctx: AppContext, details: SignupDetails, meta: RequestMeta & { next?: string | null }): Promise<StartOutcome> {
  const now = ctx.now();
  const phoneHash = ctx.vault.lookupHash('phone', details.phone);
  const idHash = ctx.vault.lookupHash('id', details.idNumber);
  const allowance = await sendAllowance(ctx.db.kysely, phoneHash, meta.ip, now);
  if (!allowance.ok) return { kind: 'too_many_codes', waitMinutes: allowance.waitMinutes };

  const answer = await ctx.adapters.telecom
    .checkOwnership({ phone: details.phone, idNumber: details.idNumber, fullName: details.fullName, birthDate: details.birthDate })
    .catch((err: unknown) => ({ result: 'unavailable' as const, register: ctx.adapters.telecom.name, reason: err instanceof Error ? err.message : 'error' }));
  if (answer.result === 'unavailable') {
    // Nothing is stored: the citizen is asked to try again later.
    ctx.log.warn({ register: answer.register, reason: answer.reason }, 'telecom register unavailable');
    return { kind: 'unavailable' };
  }
  if (answer.result !== 'matched') {
    await ctx.db.transaction(async (trx) => {
      await recordPortalBlocker(trx, ctx.vault, {
        person: details,
        kind: 'sim_not_owner',
        note: answer.result === 'mismatched' ? 'telecom: phone registered to someone else' : 'telecom: number unknown to the register',
        register: answer.register,
        now,
        ip: meta.ip,
      });
    });
    return { kind: 'not_owner', answer: answer.result };
  }

  return ctx.db.transaction(async (trx): Promise<StartOutcome> => {
    await prune(trx, now);
    const again = await sendAllowance(trx, phoneHash, meta.ip, now);
    if (!again.ok) return { kind: 'too_many_codes', waitMinutes: again.waitMinutes };
    const duplicate = await accountExists(trx, idHash, phoneHash);
    const token = randomBytes(32).toString('base64url');
    const { id } = await trx
      .insertInto('signups')
      .values({
        token_hash: sha256(token),
        id_hash: idHash,
        phone_hash: phoneHash,
        person_sealed: ctx.vault.seal(details),
        register: answer.register,
        duplicate,
        lang: meta.lang,
        next_path: meta.next ?? null,
        created_at: now,
        expires_at: new Date(now.getTime() + LIMITS.signupTtlMinutes * 60_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const code = newCode();
    await createChallenge(ctx, trx, { purpose: 'sign_up', phone: details.phone, phoneHash, signupId: id }, code);
    await recordSend(trx, phoneHash, meta.ip, 'sign_up', now);
    await queueSms(trx, ctx.vault, { to: details.phone, text: signupSms(meta.lang, duplicate, code), purpose: 'otp' });
    await audit(trx, { actorId: null, action: 'account.signup_started', entity: 'signup', entityId: id, detail: { register: answer.register, duplicate }, ip: meta.ip });
    return { kind: 'code_sent', token };
  });
}

/** The code, or (for an existing account) a message telling the owner to sign in instead. */
function signupSms(lang: string, duplicate: boolean, code: string): string {
  const t = translator(lang);
  return duplicate ? t('account.sms.exists') : t('account.sms.code', { code });
}

interface SignupRow {
  id: number;
  person_sealed: string;
  phone_hash: string;
  duplicate: boolean;
  lang: string;
  next_path: string | null;
  register: string;
  created_at: Date;
  verified_at: Date | null;
  expires_at: Date;
}

async function openSignup(ctx: AppContext, trx: Trx, token: string): Promise<SignupRow | null> {
  const row = await trx
    .selectFrom('signups')
    .select(['id', 'person_sealed', 'phone_hash', 'duplicate', 'lang', 'next_path', 'register', 'created_at', 'verified_at', 'expires_at'])
    .where('token_hash', '=', sha256(token))
    .where('completed_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  return row && row.expires_at > ctx.now() ? row : null;
}

async function challengeOf(trx: Trx, signupId: number) {
  return trx.selectFrom('otp_challenges').select(CHALLENGE_COLUMNS).where('signup_id', '=', signupId).orderBy('id', 'desc').forUpdate().executeTakeFirstOrThrow();
}

/** What the code page shows: where the code went (the number the citizen typed). */
export async function signupStatus(ctx: AppContext, token: string): Promise<{ phone: string; verified: boolean } | null> {
  const row = await ctx.db.kysely
    .selectFrom('signups')
    .select(['person_sealed', 'verified_at', 'expires_at'])
    .where('token_hash', '=', sha256(token))
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.expires_at <= ctx.now()) return null;
  return { phone: ctx.vault.open<SignupDetails>(row.person_sealed).phone, verified: row.verified_at !== null };
}

export type VerifyOutcome = CodeCheck | { kind: 'gone' };

export async function verifySignupCode(ctx: AppContext, token: string, code: string, meta: RequestMeta): Promise<VerifyOutcome> {
  return ctx.db.transaction(async (trx): Promise<VerifyOutcome> => {
    const signup = await openSignup(ctx, trx, token);
    if (!signup) return { kind: 'gone' };
    if (signup.verified_at) return { kind: 'ok' };
    const result = await checkCode(ctx, trx, await challengeOf(trx, signup.id), code, signup.duplicate);
    if (result.kind === 'ok') await trx.updateTable('signups').set({ verified_at: ctx.now() }).where('id', '=', signup.id).execute();
    await audit(trx, { actorId: null, action: result.kind === 'ok' ? 'account.phone_verified' : 'account.code_refused', entity: 'signup', entityId: signup.id, detail: { result: result.kind }, ip: meta.ip });
    return result;
  });
}

export type ResendOutcome = { kind: 'sent' } | { kind: 'wait'; seconds: number } | { kind: 'limit' } | { kind: 'too_many_codes'; waitMinutes: number } | { kind: 'gone' };

export async function resendSignupCode(ctx: AppContext, token: string, meta: RequestMeta): Promise<ResendOutcome> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx): Promise<ResendOutcome> => {
    const signup = await openSignup(ctx, trx, token);
    if (!signup || signup.verified_at) return { kind: 'gone' };
    const challenge = await challengeOf(trx, signup.id);
    const allowed = resendAllowed(challenge, now);
    if (!allowed.ok) return allowed.reason === 'wait' ? { kind: 'wait', seconds: allowed.seconds } : { kind: 'limit' };
    const allowance = await sendAllowance(trx, signup.phone_hash, meta.ip, now);
    if (!allowance.ok) return { kind: 'too_many_codes', waitMinutes: allowance.waitMinutes };
    const code = newCode();
    await renewChallenge(ctx, trx, challenge.id, code);
    await recordSend(trx, signup.phone_hash, meta.ip, 'sign_up', now);
    const person = ctx.vault.open<SignupDetails>(signup.person_sealed);
    await queueSms(trx, ctx.vault, { to: person.phone, text: signupSms(signup.lang, signup.duplicate, code), purpose: 'otp' });
    await audit(trx, { actorId: null, action: 'account.code_resent', entity: 'signup', entityId: signup.id, ip: meta.ip });
    return { kind: 'sent' };
  });
}

export type CompleteOutcome = { kind: 'created'; citizenId: number; session: NewSession; next: string | null } | { kind: 'not_verified' } | { kind: 'gone' };

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string } | null)?.code === '23505';

export async function completeSignup(ctx: AppContext, token: string, choice: { method: SignInMethod; password: string | null }, meta: RequestMeta): Promise<CompleteOutcome> {
  // Hashing takes ~50 ms of CPU: done before the transaction so no row is locked meanwhile.
  const passwordHash = choice.method === 'password' && choice.password ? await hashPassword(choice.password) : null;
  const now = ctx.now();
  try {
    return await ctx.db.transaction(async (trx): Promise<CompleteOutcome> => {
      const signup = await openSignup(ctx, trx, token);
      if (!signup) return { kind: 'gone' };
      if (!signup.verified_at || signup.duplicate) return { kind: 'not_verified' };
      const person = ctx.vault.open<SignupDetails>(signup.person_sealed);
      const idHash = ctx.vault.lookupHash('id', person.idNumber);
      if (await accountExists(trx, idHash, signup.phone_hash)) return { kind: 'gone' };
      const { id } = await trx
        .insertInto('citizens')
        .values({
          id_hash: idHash,
          id_sealed: ctx.vault.seal({ idNumber: person.idNumber }),
          full_name: person.fullName,
          birth_date_sealed: ctx.vault.seal({ birthDate: person.birthDate }),
          phone_hash: signup.phone_hash,
          phone_sealed: ctx.vault.seal({ phone: person.phone }),
          phone_ownership: 'matched',
          phone_checked_by: signup.register,
          phone_checked_at: signup.created_at,
          password_hash: passwordHash,
          preferred_lang: signup.lang,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // The sign-up's sealed copy of the details is no longer needed (its codes go with it).
      await trx.deleteFrom('signups').where('id', '=', signup.id).execute();
      if (meta.previousToken) await deleteSession(trx, meta.previousToken);
      const session = await createSession(trx, { citizenId: id }, { ttlHours: ctx.config.SESSION_TTL_HOURS, ip: meta.ip, userAgent: meta.userAgent ?? null, now });
      await queueSms(trx, ctx.vault, { to: person.phone, text: translator(signup.lang)('account.sms.created'), purpose: 'other', citizenId: id });
      await audit(trx, { actorId: null, action: 'citizen.account_created', entity: 'citizen', entityId: id, detail: { register: signup.register, method: choice.method }, ip: meta.ip });
      return { kind: 'created', citizenId: id, session, next: signup.next_path };
    });
  } catch (err) {
    // Two tabs finishing at once: the second meets the first's account.
    if (isUniqueViolation(err)) return { kind: 'gone' };
    throw err;
  }
}
