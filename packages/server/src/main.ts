/**
 * Builds the platform from configuration and starts it. Nothing else starts anything: the CLI
 * and the tests call these functions.
 */
import pino from 'pino';
import { describeDatabase, type Config } from './config.ts';
import { createContext, type AppContext } from './context.ts';
import { openDatabase } from './db/database.ts';
import { prepareDatabase } from './db/prepare.ts';
import { assertDataDirFree, lockDataDir } from './db/dataDirLock.ts';
import { mkdirSync } from 'node:fs';
import { buildApp } from './http/app.ts';
import { startSmsSender } from './modules/notify/sender.ts';
import { assertSmsTemplatesFit } from './modules/notify/templates.ts';
import { listenToSmsGateway } from './modules/notify/service.ts';
import { startReminderJob } from './modules/notify/reminders.ts';
import { startScheduledBackups } from './ops/backup/schedule.ts';
import { startAuditSealer } from './modules/audit/chain.ts';
import { startPaymentReconciler } from './modules/payments/reconciler.ts';
import { startSessionSweeper } from './modules/auth/sessions.ts';
import { startRegisterRefresher } from './modules/campaigns/service.ts';
import { startRetentionJob } from './ops/retention.ts';

export function createLogger(config: Config): pino.Logger {
  return pino({
    level: config.LOG_LEVEL,
    // Personal data and secrets never reach the logs.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token', '*.idNumber', '*.phone'], censor: '[redacted]' },
  });
}

export async function openContext(config: Config, log = createLogger(config)): Promise<AppContext> {
  // A command opening the embedded folder while a server holds it would be a second writer.
  if (!config.DATABASE_URL && !config.DATA_DIR.startsWith('memory://')) assertDataDirFree(config.DATA_DIR);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, replicaUrl: config.DATABASE_REPLICA_URL, dataDir: config.DATA_DIR, poolSize: config.DB_POOL_SIZE, prepareStatements: config.DB_PREPARED_STATEMENTS === 'true', log });
  return createContext(config, db, log);
}

export async function startServer(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<{ close: () => Promise<void>; url: string }> {
  const log = createLogger(config);
  if (config.dataKeyIsDevDefault) log.warn('DATA_KEY is not set: using the development key. Set DATA_KEY before storing real personal data.');
  // A template that would go in more SMS parts than allowed stops the start, with what to fix.
  assertSmsTemplatesFit(config.SMS_MAX_PARTS, config.SMS_GSM7_ONLY === 'true');
  // Two servers on one embedded data folder would corrupt it (db/dataDirLock.ts).
  const embedded = !config.DATABASE_URL && !config.DATA_DIR.startsWith('memory://');
  if (embedded) mkdirSync(config.DATA_DIR, { recursive: true });
  const unlockDataDir = embedded ? lockDataDir(config.DATA_DIR) : () => undefined;
  try {
    return await startLocked(config, env, log, unlockDataDir);
  } catch (e) {
    unlockDataDir();
    throw e;
  }
}

async function startLocked(config: Config, env: NodeJS.ProcessEnv, log: pino.Logger, unlockDataDir: () => void): Promise<{ close: () => Promise<void>; url: string }> {
  const prepared = await prepareDatabase(config, env);
  if (prepared.applied.length) log.info({ applied: prepared.applied }, 'migrations applied');
  if (prepared.seeded) log.info({ ms: prepared.ms }, 'demo data seeded');
  const ctx = await openContext(config, log);
  const app = await buildApp(ctx);
  // Chains audit entries after they commit (modules/audit/chain.ts).
  const stopAuditSealer = startAuditSealer(ctx.db, (err) => log.error({ err }, 'audit sealing failed'));
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ address, database: describeDatabase(config), ...(ctx.db.replica ? { replica: ctx.db.replica.describe() } : {}) }, 'Cầu Số is serving');
  // SMS written to the outbox go out through the configured gateway (sink in development).
  const smsSender = startSmsSender(ctx);
  // Delivery receipts and residents' texts (HS <code>) from an SMPP session.
  listenToSmsGateway(ctx);
  // Evening SMS to team members with follow-ups due the next day.
  const reminders = startReminderJob(ctx);
  // Encrypted backups with retention, when BACKUP_DIR is set.
  const backups =
    config.BACKUP_DIR && config.BACKUP_PASSPHRASE
      ? startScheduledBackups(ctx, { dir: config.BACKUP_DIR, everyHours: config.BACKUP_EVERY_HOURS, keep: config.BACKUP_KEEP, passphrase: config.BACKUP_PASSPHRASE })
      : null;
  // Online payments whose gateway callback never came are settled by asking the gateway.
  const paymentReconciler = startPaymentReconciler(ctx);
  // The household registers' figures behind the campaign dashboards.
  const registerRefresher = startRegisterRefresher(ctx);
  // Personal data past its retention period (RETENTION_*), once a day at RETENTION_HOUR.
  const retention = startRetentionJob(ctx);
  const stopSessionSweeper = startSessionSweeper(ctx.db.kysely, ctx.now, (err) => log.error({ err }, 'session sweep failed'));
  return {
    url: address,
    close: async () => {
      stopSessionSweeper();
      await retention.stop();
      reminders.stop();
      await backups?.stop();
      await smsSender.stop();
      await ctx.adapters.sms.close?.();
      await ctx.adapters.email.close?.();
      await paymentReconciler.stop();
      await registerRefresher.stop();
      await app.close();
      await stopAuditSealer();
      await ctx.db.close();
      unlockDataDir();
    },
  };
}
