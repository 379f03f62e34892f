import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openContext } from '../main.ts';

export async function runMigrate(): Promise<void> {
  const ctx = await openContext(loadConfig());
  try {
    const { applied, current } = await migrate(ctx.db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : `up to date (version ${current})\n`);
  } finally {
    await ctx.db.close();
  }
}
