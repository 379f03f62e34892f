/**
 * The optional second factor for officers: time-based one-time codes (TOTP, RFC 6238) from an
 * authenticator app. The secret is sealed with the vault like personal data; the clock is the
 * context's (tests stand at any moment); a code is accepted once (the last accepted time step
 * is kept) and within one 30-second step of drift either way.
 */
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { ColumnType } from 'kysely';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import type { Officer } from './service.ts';

declare module '../../db/schema.ts' {
  interface UsersTable {
    totp_secret_sealed: ColumnType<string | null, string | null | undefined, string | null>;
    totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    totp_pending_sealed: ColumnType<string | null, string | null | undefined, string | null>;
    totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  }
}

export const TOTP_ISSUER = 'Cầu Số';
const TOLERANCE_SECONDS = 30;

export const isTotpCode = (s: string): boolean => /^\d{6}$/.test(s);

const epochOf = (now: Date) => Math.floor(now.getTime() / 1000);

/** The time step the code matched, or null. Steps at or before `afterStep` were already used. */
export async function matchTotp(secret: string, code: string, now: Date, afterStep: number | null): Promise<number | null> {
  const token = code.replace(/\s/g, '');
  if (!isTotpCode(token)) return null;
  const r = await verify({ secret, token, epoch: epochOf(now), epochTolerance: TOLERANCE_SECONDS, ...(afterStep !== null ? { afterTimeStep: afterStep } : {}) });
  return r.valid && 'timeStep' in r ? r.timeStep : null;
}

/** The current code for a secret (tests, and nothing else, need this). */
export function totpCodeAt(secret: string, now: Date): Promise<string> {
  return generate({ secret, epoch: epochOf(now) });
}

export interface TotpSetup {
  secret: string;
  uri: string;
  /** The URI as a QR code, an SVG document rendered on the server. */
  qrSvg: string;
}

async function setupOf(username: string, secret: string): Promise<TotpSetup> {
  const uri = generateURI({ issuer: TOTP_ISSUER, label: username, secret });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return { secret, uri, qrSvg };
}

/** A secret waiting for confirmation: the same one on every reload until confirmed. */
export async function beginTotpSetup(ctx: AppContext, officer: Officer): Promise<TotpSetup> {
  const row = await ctx.db.kysely.selectFrom('users').select(['totp_pending_sealed']).where('id', '=', officer.id).executeTakeFirstOrThrow();
  if (row.totp_pending_sealed) return setupOf(officer.username, ctx.vault.open<{ secret: string }>(row.totp_pending_sealed).secret);
  const secret = generateSecret();
  await ctx.db.kysely.updateTable('users').set({ totp_pending_sealed: ctx.vault.seal({ secret }) }).where('id', '=', officer.id).execute();
  return setupOf(officer.username, secret);
}

/** Turns the second factor on once the officer proves their app shows the right code. */
export async function confirmTotpSetup(ctx: AppContext, officer: Officer, code: string, ip: string | null): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('users').select(['totp_pending_sealed']).where('id', '=', officer.id).forUpdate().executeTakeFirstOrThrow();
    if (!row.totp_pending_sealed) throw new Problem(409, 'auth.totp_setup_missing');
    const sealed = row.totp_pending_sealed;
    const step = await matchTotp(ctx.vault.open<{ secret: string }>(sealed).secret, code, ctx.now(), null);
    if (step === null) throw new Problem(400, 'auth.totp_wrong');
    await trx
      .updateTable('users')
      .set({ totp_secret_sealed: sealed, totp_pending_sealed: null, totp_enabled_at: ctx.now(), totp_last_step: step })
      .where('id', '=', officer.id)
      .execute();
    await audit(trx, { actorId: officer.id, action: 'auth.totp_enabled', entity: 'user', entityId: officer.id, ip });
  });
}

/** Turning it off asks for a current code, so a session left open cannot remove the factor. */
export async function disableTotp(ctx: AppContext, officer: Officer, code: string, ip: string | null): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('users').select(['totp_secret_sealed', 'totp_last_step']).where('id', '=', officer.id).forUpdate().executeTakeFirstOrThrow();
    if (!row.totp_secret_sealed) return;
    const step = await matchTotp(ctx.vault.open<{ secret: string }>(row.totp_secret_sealed).secret, code, ctx.now(), row.totp_last_step);
    if (step === null) throw new Problem(400, 'auth.totp_wrong');
    await trx.updateTable('users').set({ totp_secret_sealed: null, totp_enabled_at: null, totp_last_step: null }).where('id', '=', officer.id).execute();
    await audit(trx, { actorId: officer.id, action: 'auth.totp_disabled', entity: 'user', entityId: officer.id, ip });
  });
}

export async function totpStatus(ctx: AppContext, userId: number): Promise<{ enabledAt: Date | null }> {
  const row = await ctx.db.kysely.selectFrom('users').select(['totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
  return { enabledAt: row.totp_enabled_at };
}
