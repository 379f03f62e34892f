/**
 * Everything the II.06a page shows, gathered for one officer: which unit (the one asked for,
 * else the officer's highest unit), whether they may see it (a role on the unit's subtree, as
 * the JSON API requires), the report itself, the breadcrumb up to the top, and the chart's
 * series. Each part is one or two small queries; the chart is a single grouped query. What does
 * not depend on the officer is cached for a few seconds (viewCache.ts).
 */
import { periodBounds, type Ii06aReport, type Period } from '@causo/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { requireRoleOnUnit, type Officer } from '../auth/service.ts';
import { ii06aReport, resolveReportUnit, type ReportUnit } from './service.ts';
import { cachedView } from './viewCache.ts';
import { assistedOnlineCount, sectorNames, seriesSums, unitTrail, unitsByIds, type SeriesSums } from './queries.ts';

const LEVEL_RANK = { province: 0, district: 1, commune: 2, village: 3 } as const;

export interface TrailStep {
  code: string;
  name: string;
  /** The officer may open this unit's report. */
  covered: boolean;
}

export interface ReportView {
  report: Ii06aReport;
  unit: { code: string; name: string; level: keyof typeof LEVEL_RANK };
  trail: TrailStep[];
  /** Other units the officer holds roles on, in force for the period (to switch between them). */
  ownUnits: { code: string; name: string }[];
  series: SeriesSums[];
  /** Online applications assisted by the community digital technology teams, received in the period. */
  assistedOnline: number;
}

const inForce = (u: { valid_from: string; valid_to: string | null }, date: string) => u.valid_from <= date && (u.valid_to === null || u.valid_to >= date);

/** The officer's units for a period, highest level first (in force at the period's end first). */
async function officerUnits(db: Kysely<DB>, officer: Officer, period: Period) {
  const units = await unitsByIds(db, [...new Set(officer.roles.map((r) => r.unitId))]);
  return units.sort(
    (a, b) =>
      Number(inForce(b, period.to)) - Number(inForce(a, period.to)) ||
      LEVEL_RANK[a.level] - LEVEL_RANK[b.level] ||
      b.valid_from.localeCompare(a.valid_from) ||
      a.code.localeCompare(b.code, 'en', { numeric: true }),
  );
}

export async function loadReportView(
  db: Kysely<DB>,
  officer: Officer,
  input: { period: Period; unitCode: string | undefined; by: 'unit' | 'sector'; chartPeriods: Period[]; lang: string },
  now: Date,
): Promise<ReportView> {
  // The officer's own units are needed for the default unit, and to switch between several.
  const several = new Set(officer.roles.map((r) => r.unitId)).size > 1;
  const mine = input.unitCode === undefined || several ? await officerUnits(db, officer, input.period) : [];
  const code = input.unitCode ?? mine[0]?.code;
  const unit = await cachedView(db, `unit|${code ?? ''}|${input.period.to}`, () => resolveReportUnit(db, code, input.period));
  // Always checked, never cached.
  await requireRoleOnUnit(db, officer, unit.id);

  const key = JSON.stringify(['view', unit.id, input.period, input.by, input.lang, input.chartPeriods]);
  const { report, trail, series, assistedOnline } = await cachedView(db, key, () => computeView(db, unit, input, now));
  const roots = new Set(officer.roles.map((r) => r.unitId));
  const seen = new Set<string>();
  const ownUnits = mine
    .filter((u) => inForce(u, input.period.to) && !seen.has(u.code) && seen.add(u.code))
    .map((u) => ({ code: u.code, name: u.name }));
  return {
    report,
    unit: { code: unit.code, name: report.unit?.name ?? unit.name, level: unit.level },
    trail: trail.map((t) => ({ code: t.code, name: t.name, covered: t.ancestor_ids.some((id) => roots.has(id)) })),
    ownUnits,
    series,
    assistedOnline,
  };
}

/** What every officer allowed to see the unit sees alike (cached; the caller has authorized). */
async function computeView(db: Kysely<DB>, unit: ReportUnit, input: { period: Period; by: 'unit' | 'sector'; chartPeriods: Period[]; lang: string }, now: Date) {
  const bounds = periodBounds(input.period);
  const [report, trail, series, names, assistedOnline] = await Promise.all([
    ii06aReport(db, { period: input.period, unitCode: unit.code, by: input.by }, now, unit),
    // A province is its own breadcrumb: no query for it.
    unit.ancestor_ids.length > 1 ? unitTrail(db, unit.ancestor_ids) : Promise.resolve([{ code: unit.code, name: unit.name, ancestor_ids: unit.ancestor_ids }]),
    seriesSums(db, unit, input.chartPeriods),
    input.by === 'sector' && input.lang !== 'vi' ? sectorNames(db) : Promise.resolve(null),
    assistedOnlineCount(db, unit, bounds.start, bounds.end),
  ]);
  if (names) {
    const en = new Map(names.map((s) => [s.code, s.name_en]));
    report.rows = report.rows.map((r) => ({ ...r, name: en.get(r.code) ?? r.name }));
  }
  return { report, trail, series, assistedOnline };
}

/** The report alone, for downloads: the same unit choice and the same authorization. */
export async function loadReportForDownload(
  db: Kysely<DB>,
  officer: Officer,
  input: { period: Period; unitCode: string | undefined; by: 'unit' | 'sector' },
  now: Date,
): Promise<Ii06aReport> {
  const code = input.unitCode ?? (await officerUnits(db, officer, input.period))[0]?.code;
  const unit = await resolveReportUnit(db, code, input.period);
  await requireRoleOnUnit(db, officer, unit.id);
  return ii06aReport(db, { period: input.period, unitCode: unit.code, by: input.by }, now, unit);
}
