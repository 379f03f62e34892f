/**
 * Every sign-in attempt on a known officer account, successful or not, with where it came from.
 * Officers see their own on the account page, so a stranger's attempts do not go unnoticed.
 */
import type { Generated } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';

export type SignInOutcome = 'success' | 'bad_password' | 'bad_code' | 'locked';

export interface OfficerSignInsTable {
  id: Generated<number>;
  user_id: number;
  at: Date;
  outcome: SignInOutcome;
  ip: string | null;
  user_agent: string | null;
}

declare module '../../db/schema.ts' {
  interface DB {
    officer_sign_ins: OfficerSignInsTable;
  }
}

export interface SignInRecord {
  at: Date;
  outcome: SignInOutcome;
  ip: string | null;
  userAgent: string | null;
}

export async function recordSignIn(trx: Trx, userId: number, r: SignInRecord): Promise<void> {
  await trx
    .insertInto('officer_sign_ins')
    .values({ user_id: userId, at: r.at, outcome: r.outcome, ip: r.ip, user_agent: r.userAgent?.slice(0, 300) ?? null })
    .execute();
}

export async function recentSignIns(db: Db['kysely'] | Trx, userId: number, limit = 20): Promise<SignInRecord[]> {
  const rows = await db
    .selectFrom('officer_sign_ins')
    .select(['at', 'outcome', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ at: r.at, outcome: r.outcome, ip: r.ip, userAgent: r.user_agent }));
}
