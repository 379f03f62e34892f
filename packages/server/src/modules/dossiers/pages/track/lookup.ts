/**
 * Public tracking: a dossier code plus the last 4 digits of the applicant's phone, no sign-in.
 * A wrong code and wrong digits get the same answer after the same work, so codes cannot be
 * probed; look-ups are limited per IP address and wrong guesses per code (10,000 possible
 * digit endings make a per-code limit the one that matters). What comes back holds nothing
 * personal beyond the applicant's initials.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Status } from '@causo/domain';
import type { AppContext } from '../../../../context.ts';
import { audit } from '../../../audit/service.ts';
import { feeQuoteForDossier, type FeeQuote } from '../../../payments/service.ts';
import { citizenViewOf, type CitizenDossierView } from '../../citizenDossiers.ts';
import { findDossierByCode, type DossierRecord } from '../../queries.ts';
import { attemptsSoFar, countAttempt, limitKey, type Limit } from './lookupLimits.ts';

export const TRACK_LIMITS = {
  /** Every look-up from one address. */
  perIp: { scope: 'track_ip', max: 20, windowMinutes: 15 } satisfies Limit,
  /** Wrong guesses for one code, from anywhere: then the code rests until the window ends. */
  perCode: { scope: 'track_code_miss', max: 5, windowMinutes: 15 } satisfies Limit,
};

export interface PublicTrackView {
  code: string;
  /** "Đ. T. H.": enough to recognise one's own dossier, not enough to learn a name. */
  initials: string;
  status: Status;
  procedure: CitizenDossierView['procedure'];
  unit: CitizenDossierView['unit'];
  submittedAt: string;
  receivedAt: string | null;
  dueAt: string | null;
  finishedAt: string | null;
  missingDocuments: string[];
  /** The fees due, when the dossier waits for them. */
  fees: FeeQuote | null;
  /** History without officers' notes (free text may name people). */
  history: { action: string; toStatus: Status; at: string; byCitizen: boolean }[];
  /** Whether the dossier belongs to a portal account (then the citizen can act after signing in). */
  hasAccount: boolean;
}

export type TrackResult = { kind: 'found'; view: PublicTrackView } | { kind: 'not_found' } | { kind: 'limited' };

export function initialsOf(fullName: string): string {
  return fullName
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${[...w][0]?.toLocaleUpperCase('vi') ?? ''}.`)
    .join(' ');
}

const digitsOf = (phone: string) => phone.replace(/\D/g, '');

/** The phone given on the dossier, or the account's phone for a dossier submitted online. */
async function phoneOf(ctx: AppContext, d: DossierRecord): Promise<string | null> {
  const personal = d.applicant_sealed ? ctx.vault.open<{ phone?: string }>(d.applicant_sealed) : {};
  if (personal.phone) return personal.phone;
  if (!d.citizen_id) return null;
  const c = await ctx.db.kysely.selectFrom('citizens').select('phone_sealed').where('id', '=', d.citizen_id).executeTakeFirst();
  return c ? ctx.vault.open<{ phone: string }>(c.phone_sealed).phone : null;
}

/** Opening a sealed value costs time; a code that does not exist pays the same. */
const decoys = new WeakMap<AppContext['vault'], string>();
function decoyOpen(ctx: AppContext): void {
  let sealed = decoys.get(ctx.vault);
  if (!sealed) decoys.set(ctx.vault, (sealed = ctx.vault.seal({ phone: '0000000000' })));
  ctx.vault.open(sealed);
}

export async function trackByCode(ctx: AppContext, q: { code: string; last4: string; ip: string | null }): Promise<TrackResult> {
  const ipKey = limitKey(ctx, 'ip', q.ip ?? 'unknown');
  const codeKey = limitKey(ctx, 'code', q.code);
  if ((await countAttempt(ctx, TRACK_LIMITS.perIp, ipKey)) > TRACK_LIMITS.perIp.max) return { kind: 'limited' };
  if ((await attemptsSoFar(ctx, TRACK_LIMITS.perCode, codeKey)) >= TRACK_LIMITS.perCode.max) return { kind: 'limited' };

  const d = await findDossierByCode(ctx.db.kysely, q.code);
  let phone: string | null = null;
  if (d) phone = await phoneOf(ctx, d);
  else decoyOpen(ctx);
  const expected = Buffer.from((phone ? digitsOf(phone).slice(-4) : '').padStart(4, '#'));
  const given = Buffer.from(q.last4.padStart(4, '#').slice(0, 4));
  const matches = timingSafeEqual(expected, given) && phone !== null && d !== undefined;
  if (!matches || !d) {
    await countAttempt(ctx, TRACK_LIMITS.perCode, codeKey);
    return { kind: 'not_found' };
  }
  const view = await citizenViewOf(ctx, d);
  // Which dossier was looked up, not by whom: nothing personal in the trail.
  await audit(ctx.db.kysely, { actorId: null, action: 'dossier.track', entity: 'dossier', entityId: d.code });
  return {
    kind: 'found',
    view: {
      code: view.code,
      initials: initialsOf(d.applicant_name),
      status: view.status,
      procedure: view.procedure,
      unit: view.unit,
      submittedAt: view.submittedAt,
      receivedAt: view.receivedAt,
      dueAt: view.dueAt,
      finishedAt: view.finishedAt,
      missingDocuments: view.missingDocuments,
      fees: view.status === 6 ? await feeQuoteForDossier(ctx, d) : null,
      history: view.history.map((h) => ({ action: h.action, toStatus: h.toStatus, at: h.at, byCitizen: h.byCitizen })),
      hasAccount: d.citizen_id !== null,
    },
  };
}
