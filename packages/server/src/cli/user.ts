import { z } from 'zod';
import { localDateOf } from '@causo/domain';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openContext } from '../main.ts';
import { audit } from '../modules/audit/service.ts';
import { createOfficer } from '../modules/auth/service.ts';
import { findUnitByCode, findUnitVersions } from '../modules/units/queries.ts';
import { parseOptions } from './args.ts';

const Options = z.object({
  username: z.string().regex(/^[a-z0-9._-]{3,50}$/, '3–50 lower-case letters, digits, . _ -'),
  name: z.string().min(1).max(100).optional(),
  role: z.enum(['admin', 'leader', 'officer', 'specialist', 'member']),
  unit: z.string().min(2).max(20),
});

/** `causo user add`: an operator creates an officer; the password comes from CAUSO_PASSWORD, never argv. */
export async function runUser(args: string[]): Promise<void> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseOptions(args, { username: s, name: s, role: s, unit: s }, Options);
  if (positionals[0] !== 'add') throw new Error('usage: causo user add --username U --role R --unit CODE [--name N]');
  const password = process.env.CAUSO_PASSWORD ?? '';
  if (password.length < 12) throw new Error('set CAUSO_PASSWORD to a password of at least 12 characters');
  const ctx = await openContext(loadConfig());
  try {
    await migrate(ctx.db);
    const unit = (await findUnitByCode(ctx.db.kysely, values.unit, localDateOf(new Date()))) ?? (await findUnitVersions(ctx.db.kysely, values.unit))[0];
    if (!unit) throw new Error(`no unit ${values.unit}`);
    const id = await ctx.db.transaction(async (trx) => {
      const uid = await createOfficer(trx, { username: values.username, displayName: values.name ?? values.username, password, roles: [{ role: values.role, unitId: unit.id }] });
      await audit(trx, { actorId: null, action: 'user.create', entity: 'user', entityId: uid, detail: { role: values.role, unit: unit.code, via: 'cli' } });
      return uid;
    });
    process.stdout.write(`officer ${values.username} (#${id}) is ${values.role} of ${unit.name}\n`);
  } finally {
    await ctx.db.close();
  }
}
