import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openContext } from '../main.ts';
import { hasReferenceData } from '../seed/reference.ts';
import { seedDemo } from '../seed/demo.ts';
import { seedFullDemo } from '../seed/fullDemo.ts';
import { parseOptions } from './args.ts';
import { progress } from './progress.ts';

export async function runSeed(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { full: { type: 'boolean', default: false } }, z.object({ full: z.boolean() }));
  if (positionals[0] !== 'demo') throw new Error('usage: causo seed demo [--full]');
  const ctx = await openContext(loadConfig());
  try {
    await migrate(ctx.db);
    if (!(await hasReferenceData(ctx.db))) {
      const r = await seedDemo(ctx);
      process.stdout.write(`demo seeded: ${r.units} units, ${r.procedures} procedures, ${r.officers} officers, ${r.dossiers} dossiers\n`);
    } else process.stdout.write('reference data already present\n');
    if (values.full) {
      const bar = progress('Hồ sơ 2022');
      const r = await seedFullDemo(ctx, { onProgress: (done, total) => bar.update(done, total) });
      bar.finish(r.dossiers, `full demo: ${r.dossiers} dossiers of Bình Phước 2022`);
    }
  } finally {
    await ctx.db.close();
  }
}
