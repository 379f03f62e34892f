/**
 * Synthetic dossiers for benchmarks: spread over the province's communes, the catalogue's
 * procedures and a year of working days, with a realistic mix of channels and outcomes.
 * Deterministic (seeded), so two runs load the same data.
 */
import { localDateOf, type Status, type WorkingCalendar } from '@causo/domain';
import type { Db } from '../db/database.ts';
import type { BulkDossier } from '../modules/dossiers/bulkLoad.ts';
import { mulberry32 } from '../seed/random.ts';

export { mulberry32 };

export interface SyntheticSource {
  communes: { id: number; agency: string; ancestors: number[]; provinceCode: string }[];
  procedures: { id: number; sector: string; slaMinutes: number }[];
}

export async function syntheticSource(db: Db, provinceCode: string, date: string, calendar: WorkingCalendar): Promise<SyntheticSource> {
  const communes = await db.kysely
    .selectFrom('units')
    .select(['id', 'agency_code', 'ancestor_ids', 'province_code'])
    .where('province_code', '=', provinceCode)
    .where('level', '=', 'commune')
    .where('valid_from', '<=', date)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', date)]))
    .execute();
  const procedures = await db.kysely.selectFrom('procedures').select(['id', 'sector_code', 'sla_value', 'sla_unit']).execute();
  return {
    communes: communes.map((c) => ({ id: c.id, agency: c.agency_code, ancestors: c.ancestor_ids, provinceCode: c.province_code })),
    procedures: procedures.map((p) => ({ id: p.id, sector: p.sector_code, slaMinutes: p.sla_unit === 'working_hours' ? p.sla_value * 60 : p.sla_value * calendar.minutesPerDay })),
  };
}

/** `count` dossiers received during `year`, in batches, with codes unique within the run (`tag`). */
export function* syntheticDossiers(src: SyntheticSource, calendar: WorkingCalendar, opts: { count: number; year: number; tag: string; seed: number; batch?: number }): Generator<BulkDossier[]> {
  const rnd = mulberry32(opts.seed);
  const start = Date.parse(`${opts.year}-01-01T00:00:00+07:00`);
  const span = 365 * 86_400_000;
  const batchSize = opts.batch ?? 50_000;
  let batch: BulkDossier[] = [];
  for (let i = 0; i < opts.count; i++) {
    const commune = src.communes[Math.floor(rnd() * src.communes.length)];
    const procedure = src.procedures[Math.floor(rnd() * src.procedures.length)];
    if (!commune || !procedure) throw new Error('no communes or procedures to generate from');
    const receivedAt = calendar.alignToWorkingTime(new Date(start + rnd() * span));
    const dueAt = calendar.addWorkingMinutes(receivedAt, procedure.slaMinutes);
    const r = rnd();
    let status: Status = 10;
    let finishedAt: Date | null = null;
    if (r < 0.86) {
      // Most finish; a few percent late.
      const ratio = rnd() < 0.04 ? 1.2 + rnd() : rnd() * 0.95;
      finishedAt = calendar.addWorkingMinutes(receivedAt, Math.max(1, procedure.slaMinutes * ratio));
      status = rnd() < 0.7 ? 10 : 9;
    } else if (r < 0.875) {
      finishedAt = calendar.addWorkingMinutes(receivedAt, 30);
      status = rnd() < 0.5 ? 7 : 8;
    } else status = ([2, 4, 4, 4, 5, 6] as const)[Math.floor(rnd() * 6)] ?? 4;
    const channel = rnd() < 0.3 ? 2 : rnd() < 0.03 ? 3 : 1;
    batch.push({
      code: `${commune.agency}-${localDateOf(receivedAt).replace(/-/g, '').slice(2)}-${opts.tag}${i}`,
      procedureId: procedure.id,
      sectorCode: procedure.sector,
      unitId: commune.id,
      unitAncestorIds: commune.ancestors,
      provinceCode: commune.provinceCode,
      channel,
      status,
      submittedAt: receivedAt,
      receivedAt,
      dueAt,
      finishedAt,
      applicantName: 'Người dân thử nghiệm',
    });
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
