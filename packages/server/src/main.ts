/**
 * Builds the platform from configuration and starts it. Nothing else starts anything: the CLI
 * and the tests call these functions.
 */
import pino from 'pino';
import { describeDatabase, type Config } from './config.ts';
import { createContext, type AppContext } from './context.ts';
import { openDatabase } from './db/database.ts';
import { prepareDatabase } from './db/prepare.ts';
import { buildApp } from './http/app.ts';

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

export async function startServer(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<{ close: () => Promise<void>; url: string }> {
  const log = createLogger(config);
  if (config.dataKeyIsDevDefault) log.warn('DATA_KEY is not set: using the development key. Set DATA_KEY before storing real personal data.');
  const prepared = await prepareDatabase(config, env);
  if (prepared.applied.length) log.info({ applied: prepared.applied }, 'migrations applied');
  if (prepared.seeded) log.info({ ms: prepared.ms }, 'demo data seeded');
  const ctx = await openContext(config, log);
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
