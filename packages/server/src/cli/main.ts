/**
 * `causo <command>`: serve, migrate, seed demo [--full], import dossiers FILE, report ii06a,
 * user add, backup, restore, migrate-to, doctor, bench. Each command lives in its own file; this one only dispatches.
 */
import { ConfigError } from '../config.ts';
import { Problem } from '../http/problem.ts';

const USAGE = `Cầu Số — nền tảng dịch vụ công cho vùng khó khăn / public services for hard-to-reach communities

Usage: causo <command> [options]

  serve                              run the platform (PORT, DATA_DIR or DATABASE_URL)
  migrate                            apply database migrations
  seed demo [--full]                 load demo data (--full: Bình Phước's 2022 dossiers)
  import dossiers FILE.csv           import dossiers from another one-stop system (all or nothing)
  report ii06a --from D --to D [--unit CODE] [--by unit|sector] [--format json|csv|xlsx] [--out FILE]
  user add --username U --role R --unit CODE [--name N]   (password from CAUSO_PASSWORD)
  audit verify [--anchor SEQ:HASH]   chain pending audit entries, recompute the chain, report any break
  payments reconcile                 settle online payments pending 15+ minutes by asking the gateway
  people export --cccd N [--phone P] --out FILE.zip   everything held about one person (data-subject request)
  retention --dry-run|--apply        purge personal data past its retention period (RETENTION_*), per kind
  backup --out FILE                  encrypted backup of the database and its documents (BACKUP_PASSPHRASE)
  backup --verify FILE               decrypt and check every chunk, table row count and SHA-256 of a backup
  restore FILE [--allow-other-data-key]   restore a backup into the empty database of DATA_DIR or DATABASE_URL
  migrate-to postgres://USER@HOST/DB copy this installation into an empty PostgreSQL database, then verify it
  doctor [--json] [--timeout-ms N]   check the installation: database, migrations, disk, clock, SMS and e-mail gateways, backups
  notify check-templates [--max-parts N] [--gsm7]   encoding and parts of every SMS template
  notify remind [--date D]           queue team reminders for follow-ups due on D (default tomorrow)
  notify send                        hand every due SMS and e-mail to the gateways now
  bench report|import [--rows N] [--engine pglite|postgres|both]
  bench pages                        bytes and first paint of every citizen page on emulated 2G (Chromium)
  bench backoffice [--rows N] [--commune-rows N] [--seconds S] [--connections C] [--engine …]
                                     work queues and the II.06a page under 20 concurrent officers
  bench notify [--seconds S] [--rate N] [--engine …]   SMS per second through SMPP to a local SMSC, outbox lag

Environment: PORT (3000), DATA_DIR (./data), DATABASE_URL (postgres://…), DATA_KEY, LOG_LEVEL,
BACKUP_PASSPHRASE, PAYMENT_GATEWAY, TELECOM_REGISTER, SMS_GATEWAY, TRUST_PROXY… (every variable: README, Configuration).`;

type Command = (args: string[]) => Promise<void>;
/** Loaded on demand: `causo serve` does not load the benchmark or import code. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).runServe,
  migrate: async () => (await import('./migrate.ts')).runMigrate,
  seed: async () => (await import('./seed.ts')).runSeed,
  import: async () => (await import('./import.ts')).runImport,
  report: async () => (await import('./report.ts')).runReport,
  user: async () => (await import('./user.ts')).runUser,
  audit: async () => (await import('./audit.ts')).runAudit,
  payments: async () => (await import('./payments.ts')).runPayments,
  people: async () => (await import('./people.ts')).runPeople,
  retention: async () => (await import('./retention.ts')).runRetention,
  backup: async () => (await import('./backup.ts')).runBackup,
  restore: async () => (await import('./backup.ts')).runRestore,
  'migrate-to': async () => (await import('./backup.ts')).runMigrateTo,
  notify: async () => (await import('./notify.ts')).runNotify,
  doctor: async () => (await import('./doctor.ts')).runDoctor,
  bench: async () => (await import('./bench.ts')).runBench,
  prepare: async () => (await import('./prepare.ts')).runPrepare,
};

const [command, ...rest] = process.argv.slice(2);
const load = command ? COMMANDS[command] : undefined;
if (!load || command === '--help' || command === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(load || command === '--help' || command === 'help' || !command ? 0 : 2);
}
try {
  const run = await load();
  await run(rest);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(78);
  }
  if (e instanceof Problem) {
    const doc = e.toDocument();
    process.stderr.write(`${doc.messages.vi}\n${doc.messages.en}\n${e.detail ? `${e.detail}\n` : ''}`);
    for (const err of doc.errors ?? []) process.stderr.write(`  ${err.line !== undefined ? `line ${err.line}: ` : ''}${err.path}: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
