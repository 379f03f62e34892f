/**
 * Builds the platform from configuration and starts it. Nothing else starts anything: the CLI
 * and the tests call these functions.
 */
import pino from 'pino';
import { describeDatabase, type Config } from './config.ts';
import { createContext, type AppContext } from './context.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { hasReferenceData } from './seed/reference.ts';
import { seedDemo } from './seed/demo.ts';

export function createLogger(config: Config): pino.Logger {
  return pino({
    level: config.LOG_LEVEL,
    // Personal data and secrets never reach the logs.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token', '*.idNumber', '*.phone'], censor: '[redacted]' },
  });
}

export async function openContext(config: Config, log = createLogger(config)): Promise<AppContext> {
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DB_POOL_SIZE });
  return createContext(config, db, log);
}

export async function startServer(config: Config): Promise<{ close: () => Promise<void>; url: string }> {
  const log = createLogger(config);
  const ctx = await openContext(config, log);
  const { applied } = await migrate(ctx.db);
  if (applied.length) log.info({ applied }, 'migrations applied');
  if (config.dataKeyIsDevDefault) log.warn('DATA_KEY is not set: using the development key. Set DATA_KEY before storing real personal data.');
  const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && !(await hasReferenceData(ctx.db)));
  if (seed) {
    const started = Date.now();
    const result = await seedDemo(ctx);
    log.info({ ...result, ms: Date.now() - started }, 'demo data seeded');
  }
  const app = await buildApp(ctx);
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ address, database: describeDatabase(config) }, 'Cầu Số is serving');
  return {
    url: address,
    close: async () => {
      await app.close();
      await ctx.db.close();
    },
  };
}
