/**
 * For account tests: the demo subscriber file with a few people of the tests' own, answered
 * at once and without random timeouts, and a way to read the last SMS sent to a number.
 */
import type { AppContext } from '../../src/context.ts';
import { DEMO_SUBSCRIBER_FILE, TelecomSimulator, loadSubscriberFile, parseSubscribers } from '../../src/adapters/telecom/simulator.ts';
import type { SignupDetails } from '../../src/modules/people/forms.ts';

/** Registered in their own names, only in the tests' register. */
export const TEST_PEOPLE = {
  an: { idNumber: '070091002222', fullName: 'Nguyễn Văn An', birthDate: '1991-05-05', phone: '0912100001' },
  bich: { idNumber: '075302004444', fullName: 'Trần Thị Bích', birthDate: '2002-12-24', phone: '0912100002' },
  phuc: { idNumber: '070087003333', fullName: 'Lê Văn Phúc', birthDate: '1987-08-19', phone: '0912100003' },
  hoa: { idNumber: '070199006666', fullName: 'Lý Thị Hoa', birthDate: '1999-02-02', phone: '0912100004' },
  tuan: { idNumber: '070090001234', fullName: 'Nông Văn Tuấn', birthDate: '1990-04-12', phone: '0912000001' },
} satisfies Record<string, SignupDetails>;

/** A person using a SIM bought on a shop's papers (the number is Trần Văn Đại's in the demo file). */
export const SIM_NOT_OWNED: SignupDetails = { idNumber: '070094007777', fullName: 'Hoàng Văn Nam', birthDate: '1994-03-03', phone: '0977000010' };
/** The register never answers for this number (demo file). */
export const TIMING_OUT: SignupDetails = { idNumber: '070090005555', fullName: 'Điểu Brah', birthDate: '1990-10-10', phone: '0966000099' };
/** Not in any register. */
export const UNKNOWN_NUMBER: SignupDetails = { idNumber: '070090008888', fullName: 'Thị Lành', birthDate: '1990-01-01', phone: '0399999999' };

export function testRegister(): TelecomSimulator {
  const extra = Object.values(TEST_PEOPLE)
    .filter((p) => p.phone.startsWith('09121'))
    .map((p) => `${p.phone},${p.idNumber},${p.fullName},${p.birthDate},Viettel,active`)
    .join('\n');
  const subscribers = [...loadSubscriberFile(DEMO_SUBSCRIBER_FILE), ...parseSubscribers(`phone,id_number,full_name,birth_date,carrier,status\n${extra}\n`, 'test')];
  return new TelecomSimulator({ subscribers, latencyMs: [0, 0], timeoutRate: 0, timeoutMs: 0 });
}

export function useTestRegister(ctx: AppContext): void {
  ctx.adapters.telecom = testRegister();
}

/** The newest SMS queued for `phone` (text only), straight from the outbox. */
export async function lastSmsTo(ctx: AppContext, phone: string): Promise<{ body: string; purpose: string; status: string } | null> {
  const row = await ctx.db.kysely
    .selectFrom('notify_outbox')
    .select(['body', 'purpose', 'status'])
    .where('recipient_hash', '=', ctx.vault.lookupHash('phone', phone))
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

export async function lastCodeTo(ctx: AppContext, phone: string): Promise<string> {
  const sms = await lastSmsTo(ctx, phone);
  const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
  if (!code) throw new Error(`no code in the last SMS to ${phone}: ${sms?.body ?? '(none)'}`);
  return code;
}

export const meta = (ip = '203.0.113.7') => ({ ip, userAgent: 'test', lang: 'vi' });

export async function countRows(ctx: AppContext, table: 'signups' | 'blockers' | 'otp_sends' | 'notify_outbox' | 'audit_log' | 'citizens' | 'otp_challenges'): Promise<number> {
  const r = await ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
