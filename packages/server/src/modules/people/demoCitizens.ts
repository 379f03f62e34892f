/**
 * Citizens with accounts in the demo, so signing in can be tried without opening an account
 * first. Their phones are in the simulator's subscriber file (seed/demo/subscribers.csv),
 * registered in their own names; docs/adapters.md lists who is who.
 */
import type { AppContext } from '../../context.ts';
import { hashPassword } from '../auth/passwords.ts';
import { sealedCitizenColumns } from './citizens.ts';
import './schema.ts';

export const DEMO_CITIZENS = [
  { fullName: 'Điểu Thị Lan', idNumber: '070195004321', birthDate: '1995-09-03', phone: '0912000002', withPassword: true },
  { fullName: 'Lâm Văn Sơn', idNumber: '070203000567', birthDate: '2003-01-20', phone: '0987000003', withPassword: false },
] as const;

export async function seedDemoCitizens(ctx: AppContext, password: string): Promise<number> {
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction(async (trx) => {
    for (const c of DEMO_CITIZENS)
      await trx
        .insertInto('citizens')
        .values({
          ...sealedCitizenColumns(ctx.vault, c),
          phone_ownership: 'matched',
          phone_checked_by: 'simulator',
          phone_checked_at: ctx.now(),
          password_hash: c.withPassword ? passwordHash : null,
        })
        .onConflict((oc) => oc.column('id_hash').doNothing())
        .execute();
  });
  return DEMO_CITIZENS.length;
}
