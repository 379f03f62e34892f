/**
 * A citizen with a portal account and a signed-in session, made directly in the database for
 * tests that are not about opening accounts. Personal values are sealed as the real flow does.
 */
import type { AppContext } from '../../src/context.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { sealedCitizenColumns } from '../../src/modules/people/citizens.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';

let n = 0;

export interface TestCitizen {
  id: number;
  fullName: string;
  phone: string;
  idNumber: string;
  /** Value for a Cookie header: the session cookie. */
  cookie: string;
  sessionToken: string;
}

export async function makeCitizen(ctx: AppContext, opts: { fullName?: string; phone?: string; idNumber?: string; birthDate?: string } = {}): Promise<TestCitizen> {
  n += 1;
  const fullName = opts.fullName ?? 'Điểu Thị Hoa';
  const phone = opts.phone ?? `09${String(10_000_000 + Math.floor(Math.random() * 89_999_999)).slice(0, 8)}`;
  const idNumber = opts.idNumber ?? `0703${String(n).padStart(2, '0')}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const birthDate = opts.birthDate ?? '2003-05-01';
  return ctx.db.transaction(async (trx) => {
    const { id } = await trx
      .insertInto('citizens')
      .values({
        ...sealedCitizenColumns(ctx.vault, { idNumber, fullName, birthDate, phone }),
        phone_ownership: 'matched',
        password_hash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const s = await createSession(trx, { citizenId: id }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'test', now: ctx.now() });
    return { id, fullName, phone, idNumber, cookie: `${SESSION_COOKIE}=${s.token}`, sessionToken: s.token };
  });
}
