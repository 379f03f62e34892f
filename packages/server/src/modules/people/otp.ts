/**
 * One-time codes sent by SMS: 6 random digits, kept only as a keyed hash (a plain hash of six
 * digits would be reversed in a second), valid 5 minutes, 5 wrong entries, a few resends with
 * a wait between them, and limits per phone number and per IP address across all codes.
 */
import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Db, Trx } from '../../db/database.ts';
import { LIMITS } from './limits.ts';
import './schema.ts';

export type OtpPurpose = 'sign_up' | 'sign_in';

export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

const keys = new Map<string, Buffer>();
function codeKey(dataKey: string): Buffer {
  let k = keys.get(dataKey);
  if (!k) {
    k = Buffer.from(hkdfSync('sha256', Buffer.from(dataKey, 'utf8'), 'causo', 'one-time-codes', 32));
    keys.set(dataKey, k);
  }
  return k;
}

/** `salt.mac`: the salt keeps two equal codes from having equal hashes. */
export function hashCode(dataKey: string, code: string, salt = randomBytes(12).toString('base64url')): string {
  return `${salt}.${createHmac('sha256', codeKey(dataKey)).update(`${salt}:${code}`).digest('base64url')}`;
}

export function codeMatches(dataKey: string, stored: string, code: string): boolean {
  const salt = stored.split('.')[0] ?? '';
  const a = Buffer.from(hashCode(dataKey, code, salt));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Advisory lock namespace for the sends to one phone number (the second key is the number's hash). */
const OTP_SEND_LOCK = 7_046_304;

const minutesAgo = (now: Date, minutes: number): Date => new Date(now.getTime() - minutes * 60_000);

/**
 * Whether another code may be sent to this phone from this address now; if not, how many
 * minutes until the oldest send in the window ages out.
 */
export async function sendAllowance(trx: Db['kysely'] | Trx, phoneHash: string, ip: string | null, now: Date): Promise<{ ok: true } | { ok: false; waitMinutes: number }> {
  // In a transaction, concurrent requests for one number queue here until the send is recorded,
  // so they cannot all count the same sends (the lock ends with the transaction).
  if (trx.isTransaction) await sql`SELECT pg_advisory_xact_lock(${sql.lit(OTP_SEND_LOCK)}, hashtext(${phoneHash}))`.execute(trx);
  const since = minutesAgo(now, 60);
  const byPhone = await trx.selectFrom('otp_sends').select(['sent_at']).where('phone_hash', '=', phoneHash).where('sent_at', '>', since).orderBy('sent_at').execute();
  const byIp = ip ? await trx.selectFrom('otp_sends').select(['sent_at']).where('ip', '=', ip).where('sent_at', '>', since).orderBy('sent_at').execute() : [];
  const blocking = [
    byPhone.length >= LIMITS.codesPerPhonePerHour ? byPhone[byPhone.length - LIMITS.codesPerPhonePerHour]?.sent_at : undefined,
    byIp.length >= LIMITS.codesPerIpPerHour ? byIp[byIp.length - LIMITS.codesPerIpPerHour]?.sent_at : undefined,
  ].filter((d): d is Date => d instanceof Date);
  if (!blocking.length) return { ok: true };
  const freeAt = Math.max(...blocking.map((d) => d.getTime() + 3_600_000));
  return { ok: false, waitMinutes: Math.max(1, Math.ceil((freeAt - now.getTime()) / 60_000)) };
}

export async function recordSend(trx: Trx, phoneHash: string, ip: string | null, purpose: OtpPurpose, now: Date): Promise<void> {
  await trx.insertInto('otp_sends').values({ phone_hash: phoneHash, ip, purpose, sent_at: now }).execute();
}

export interface NewChallenge {
  purpose: OtpPurpose;
  phone: string;
  phoneHash: string;
  signupId?: number;
  citizenId?: number | null;
  tokenHash?: string;
}

/** Stores a challenge for `code` and returns its id. */
export async function createChallenge(ctx: AppContext, trx: Trx, c: NewChallenge, code: string): Promise<number> {
  const now = ctx.now();
  const { id } = await trx
    .insertInto('otp_challenges')
    .values({
      purpose: c.purpose,
      token_hash: c.tokenHash ?? null,
      signup_id: c.signupId ?? null,
      citizen_id: c.citizenId ?? null,
      phone_hash: c.phoneHash,
      phone_sealed: ctx.vault.seal({ phone: c.phone }),
      code_hash: hashCode(ctx.config.dataKey, code),
      expires_at: new Date(now.getTime() + LIMITS.codeTtlMinutes * 60_000),
      tries_left: LIMITS.codeTries,
      resend_limit: LIMITS.resends,
      last_sent_at: now,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export type CodeCheck = { kind: 'ok' } | { kind: 'wrong'; triesLeft: number } | { kind: 'expired' } | { kind: 'no_tries'; canResend: boolean };

export interface ChallengeRow {
  id: number;
  code_hash: string;
  expires_at: Date;
  tries_left: number;
  sends: number;
  resend_limit: number;
  last_sent_at: Date;
  used_at: Date | null;
}

/**
 * Checks a typed code against a challenge (locked by the caller's transaction). A wrong code
 * costs a try; `neverMatches` makes a challenge that looks and counts like any other but that
 * no code opens (the path that must not reveal an existing account).
 */
export async function checkCode(ctx: AppContext, trx: Trx, ch: ChallengeRow, code: string, neverMatches = false): Promise<CodeCheck> {
  const canResend = ch.sends <= ch.resend_limit;
  if (ch.used_at) return { kind: 'expired' };
  if (ch.tries_left <= 0) return { kind: 'no_tries', canResend };
  if (ch.expires_at <= ctx.now()) return { kind: 'expired' };
  if (!neverMatches && codeMatches(ctx.config.dataKey, ch.code_hash, code)) {
    await trx.updateTable('otp_challenges').set({ used_at: ctx.now() }).where('id', '=', ch.id).execute();
    return { kind: 'ok' };
  }
  const { tries_left } = await trx
    .updateTable('otp_challenges')
    .set({ tries_left: sql`tries_left - 1` })
    .where('id', '=', ch.id)
    .returning('tries_left')
    .executeTakeFirstOrThrow();
  return tries_left > 0 ? { kind: 'wrong', triesLeft: tries_left } : { kind: 'no_tries', canResend };
}

export type ResendCheck = { ok: true } | { ok: false; reason: 'wait'; seconds: number } | { ok: false; reason: 'limit' };

export function resendAllowed(ch: ChallengeRow, now: Date): ResendCheck {
  if (ch.sends > ch.resend_limit) return { ok: false, reason: 'limit' };
  const wait = Math.ceil((ch.last_sent_at.getTime() + LIMITS.resendWaitSeconds * 1000 - now.getTime()) / 1000);
  if (wait > 0) return { ok: false, reason: 'wait', seconds: wait };
  return { ok: true };
}

/** A new code replaces the old one: fresh expiry and tries, one more send counted. */
export async function renewChallenge(ctx: AppContext, trx: Trx, challengeId: number, code: string): Promise<void> {
  const now = ctx.now();
  await trx
    .updateTable('otp_challenges')
    .set({
      code_hash: hashCode(ctx.config.dataKey, code),
      expires_at: new Date(now.getTime() + LIMITS.codeTtlMinutes * 60_000),
      tries_left: LIMITS.codeTries,
      sends: sql`sends + 1`,
      last_sent_at: now,
    })
    .where('id', '=', challengeId)
    .execute();
}

export const CHALLENGE_COLUMNS = ['id', 'code_hash', 'expires_at', 'tries_left', 'sends', 'resend_limit', 'last_sent_at', 'used_at'] as const;
