/**
 * `causo bench import --rows N`: writes a valid CSV of N synthetic dossiers of Bình Phước 2022,
 * then times `importDossiersCsv` (parse, validate every row, bulk load, counters) on a fresh
 * database and prints rows, seconds, rows/s and peak RSS.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pino from 'pino';
import { toLocalIso } from '@causo/domain';
import { loadConfig } from '../config.ts';
import { createContext } from '../context.ts';
import { CalendarService } from '../modules/calendar/service.ts';
import { IMPORT_COLUMNS, importDossiersCsv } from '../modules/dossiers/importCsv.ts';
import { benchDatabase, peakRssMb, type BenchEngine } from './engines.ts';
import { syntheticDossiers, syntheticSource } from './syntheticDossiers.ts';

export async function benchImport(opts: { rows: number; engine: BenchEngine; databaseUrl?: string | undefined; log: (line: string) => void }): Promise<void> {
  const { db, dispose } = await benchDatabase(opts.engine, opts.databaseUrl);
  const dir = mkdtempSync(join(tmpdir(), 'causo-bench-import-'));
  const file = join(dir, 'dossiers.csv');
  try {
    const calendar = await new CalendarService(db).calendar();
    const src = await syntheticSource(db, '70', '2022-06-01', calendar);
    const codes = new Map((await db.kysely.selectFrom('units').select(['id', 'code']).execute()).map((u) => [u.id, u.code]));
    const procedures = new Map((await db.kysely.selectFrom('procedures').select(['id', 'code']).execute()).map((p) => [p.id, p.code]));
    const out = createWriteStream(file);
    out.write(`${IMPORT_COLUMNS.join(',')}\n`);
    const t = (d: Date | null) => (d ? toLocalIso(d) : '');
    for (const batch of syntheticDossiers(src, calendar, { count: opts.rows, year: 2022, tag: 'i', seed: 3 })) {
      const text = batch
        .map((d) => [d.code, procedures.get(d.procedureId), codes.get(d.unitId), d.channel, d.status, t(d.receivedAt), t(d.dueAt), t(d.finishedAt)].join(','))
        .join('\n');
      if (!out.write(`${text}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const ctx = createContext(loadConfig({ LOG_LEVEL: 'silent' }), db, pino({ level: 'silent' }));
    const started = performance.now();
    const r = await importDossiersCsv(ctx, file, { actorId: null });
    const seconds = (performance.now() - started) / 1000;
    opts.log(`[${opts.engine}] import: ${r.imported.toLocaleString('en')} rows (${Math.round(statSync(file).size / 1e6)} MB CSV) in ${seconds.toFixed(1)} s = ${Math.round(r.imported / seconds).toLocaleString('en')} rows/s (target: 1,000,000 in < 60 s); peak RSS ${peakRssMb()} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dispose();
  }
}
