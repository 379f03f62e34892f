/**
 * `causo bench report`: loads synthetic dossiers across the province's communes and times the
 * II.06a report for a one-month period (by unit, by sector, and for a district) at 100,000 and
 * at 1,000,000 dossiers, on PGlite and on PostgreSQL. The report reads per-day counters, so
 * its time must not grow with the number of dossiers: the ratio 1M/100k is printed.
 */
import { ii06aReport } from '../modules/reports/service.ts';
import { bulkLoadDossiers } from '../modules/dossiers/bulkLoad.ts';
import { CalendarService } from '../modules/calendar/service.ts';
import type { Db } from '../db/database.ts';
import { benchDatabase, peakRssMb, percentile, type BenchEngine } from './engines.ts';
import { syntheticDossiers, syntheticSource } from './syntheticDossiers.ts';

export interface ReportBenchOptions {
  engines: BenchEngine[];
  rows: number;
  serverUrl?: string | undefined;
  log: (line: string) => void;
  onLoad?: (done: number, total: number) => void;
}

const PERIOD = { from: '2022-07-15', to: '2022-08-14' };
const RUNS = 30;

async function timeReport(db: Db, req: Parameters<typeof ii06aReport>[1]): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await ii06aReport(db.kysely, req);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await ii06aReport(db.kysely, req);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95) };
}

async function measure(db: Db) {
  return {
    province: await timeReport(db, { period: PERIOD, unitCode: '70', by: 'unit' }),
    sector: await timeReport(db, { period: PERIOD, unitCode: '70', by: 'sector' }),
    district: await timeReport(db, { period: PERIOD, unitCode: '693', by: 'unit' }),
  };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

export async function benchReport(o: ReportBenchOptions): Promise<void> {
  const first = Math.min(100_000, o.rows);
  for (const engine of o.engines) {
    const { db, dispose } = await benchDatabase(engine, o.serverUrl);
    try {
      const calendar = await new CalendarService(db).calendar();
      const src = await syntheticSource(db, '70', '2022-06-01', calendar);
      const load = async (count: number, tag: string, seed: number, offset: number) => {
        const t = performance.now();
        await bulkLoadDossiers(db, syntheticDossiers(src, calendar, { count, year: 2022, tag, seed }), {
          actorId: null,
          transactionPrefix: `bench-${tag}`,
          onProgress: (done) => o.onLoad?.(offset + done, o.rows),
        });
        return (performance.now() - t) / 1000;
      };
      const loadA = await load(first, 'a', 1, 0);
      const small = await measure(db);
      o.log(`[${engine}] loaded ${first.toLocaleString('en')} dossiers in ${loadA.toFixed(1)} s`);
      o.log(`[${engine}] II.06a ${PERIOD.from}..${PERIOD.to} at ${first.toLocaleString('en')}: province by unit ${ms(small.province.median)} (p95 ${ms(small.province.p95)}), by sector ${ms(small.sector.median)}, district ${ms(small.district.median)}`);
      if (o.rows > first) {
        const loadB = await load(o.rows - first, 'b', 2, first);
        const big = await measure(db);
        o.log(`[${engine}] loaded ${(o.rows - first).toLocaleString('en')} more in ${loadB.toFixed(1)} s`);
        o.log(`[${engine}] II.06a ${PERIOD.from}..${PERIOD.to} at ${o.rows.toLocaleString('en')}: province by unit ${ms(big.province.median)} (p95 ${ms(big.province.p95)}), by sector ${ms(big.sector.median)}, district ${ms(big.district.median)}`);
        o.log(`[${engine}] ratio ${o.rows.toLocaleString('en')}/${first.toLocaleString('en')} (province by unit, median): ${(big.province.median / small.province.median).toFixed(2)}  (target < 1.5; target time < 30 ms)`);
      }
      o.log(`[${engine}] peak RSS so far: ${peakRssMb()} MB`);
    } finally {
      await dispose();
    }
  }
}
