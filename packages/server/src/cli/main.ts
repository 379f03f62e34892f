/**
 * `causo <command>`: serve, migrate, seed demo [--full], import dossiers FILE, report ii06a,
 * user add, bench. Each command lives in its own file; this one only dispatches.
 */
import { ConfigError } from '../config.ts';
import { Problem } from '../http/problem.ts';
import { runServe } from './serve.ts';
import { runMigrate } from './migrate.ts';
import { runSeed } from './seed.ts';
import { runImport } from './import.ts';
import { runReport } from './report.ts';
import { runUser } from './user.ts';
import { runBench } from './bench.ts';

const USAGE = `Cầu Số — nền tảng dịch vụ công cho vùng khó khăn / public services for hard-to-reach communities

Usage: causo <command> [options]

  serve                              run the platform (PORT, DATA_DIR or DATABASE_URL)
  migrate                            apply database migrations
  seed demo [--full]                 load demo data (--full: Bình Phước's 2022 dossiers)
  import dossiers FILE.csv           import dossiers from another one-stop system (all or nothing)
  report ii06a --from D --to D [--unit CODE] [--by unit|sector] [--format json|csv|xlsx] [--out FILE]
  user add --username U --role R --unit CODE [--name N]   (password from CAUSO_PASSWORD)
  bench report|import [--rows N] [--engine pglite|postgres|both]

Environment: PORT (3000), DATA_DIR (./data), DATABASE_URL (postgres://…), DATA_KEY, LOG_LEVEL.`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  serve: runServe,
  migrate: runMigrate,
  seed: runSeed,
  import: runImport,
  report: runReport,
  user: runUser,
  bench: runBench,
};

const [command, ...rest] = process.argv.slice(2);
const run = command ? COMMANDS[command] : undefined;
if (!run || command === '--help' || command === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(run || command === '--help' || command === 'help' || !command ? 0 : 2);
}
try {
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
