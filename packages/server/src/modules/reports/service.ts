/**
 * Biểu II.06a for a unit and period: rows are the unit's direct children (or the sectors), the
 * total is the unit itself, all read from the per-day counters. A unit code stands for all its
 * dated versions inside one province (Chơn Thành's communes changed type on 1 Oct 2022 but kept
 * their codes); codes reused by the 2025 reform in another province are kept apart.
 */
import {
  ZERO_SUMS,
  addSums,
  checkReport,
  rowFromSums,
  type CounterSums,
  type Ii06aReport,
  type Ii06aRow,
  type Period,
} from '@causo/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { notFound } from '../../http/problem.ts';
import { sumsBySector, sumsByUnit } from './queries.ts';

export interface Ii06aRequest {
  period: Period;
  unitCode?: string | undefined;
  by: 'unit' | 'sector';
}

interface UnitGroup {
  code: string;
  name: string;
  ids: number[];
}

/** The unit a report is about: the version in force at the end of the period, else the latest before it. */
export async function resolveReportUnit(db: Kysely<DB>, code: string | undefined, period: Period) {
  let q = db.selectFrom('units').selectAll().where('valid_from', '<=', period.to);
  q = code ? q.where('code', '=', code) : q.where('level', '=', 'province');
  const unit = await q.orderBy('valid_from', 'desc').orderBy('code').executeTakeFirst();
  if (unit) return unit;
  if (code) {
    const any = await db.selectFrom('units').selectAll().where('code', '=', code).orderBy('valid_from').executeTakeFirst();
    if (any) return any;
  }
  throw notFound('unit.not_found', code ? `no unit ${code}` : 'no province is loaded');
}

export type ReportUnit = Awaited<ReturnType<typeof resolveReportUnit>>;

/** Group unit versions by code (within a province), naming each group after its latest version in the period. */
function groupVersions(units: { id: number; code: string; name: string; valid_from: string }[], period: Period): UnitGroup[] {
  const groups = new Map<string, UnitGroup & { nameFrom: string }>();
  for (const u of units) {
    const g = groups.get(u.code) ?? { code: u.code, name: u.name, ids: [], nameFrom: '' };
    g.ids.push(u.id);
    if (u.valid_from <= period.to && u.valid_from >= g.nameFrom) {
      g.name = u.name;
      g.nameFrom = u.valid_from;
    }
    groups.set(u.code, g);
  }
  return [...groups.values()].map(({ code, name, ids }) => ({ code, name, ids })).sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
}

const sumOver = (ids: number[], sums: Map<number, CounterSums>) => ids.reduce((acc, id) => addSums(acc, sums.get(id) ?? ZERO_SUMS), ZERO_SUMS);

/** `resolved`: the unit row when the caller already resolved it (saves a query per page view). */
export async function ii06aReport(db: Kysely<DB>, req: Ii06aRequest, now = new Date(), resolved?: ReportUnit): Promise<Ii06aReport> {
  const { from, to } = req.period;
  const unit = resolved ?? (await resolveReportUnit(db, req.unitCode, req.period));
  const versions = await db
    .selectFrom('units')
    .select(['id', 'code', 'name', 'valid_from'])
    .where('code', '=', unit.code)
    .where('province_code', '=', unit.province_code)
    .execute();
  const self = groupVersions(versions, req.period)[0] ?? { code: unit.code, name: unit.name, ids: [unit.id] };

  let rows: Ii06aRow[];
  let totalSums: CounterSums;
  if (req.by === 'sector') {
    const [bySector, totals, sectors] = await Promise.all([
      sumsBySector(db, self.ids, from, to),
      sumsByUnit(db, self.ids, from, to),
      db.selectFrom('sectors').select(['code', 'name_vi']).orderBy('code').execute(),
    ]);
    totalSums = sumOver(self.ids, totals);
    rows = sectors.map((s) => rowFromSums(s.code, s.name_vi, bySector.get(s.code) ?? ZERO_SUMS));
  } else {
    const children = await db.selectFrom('units').select(['id', 'code', 'name', 'valid_from']).where('parent_id', 'in', self.ids).execute();
    const groups = groupVersions(children, req.period);
    const sums = await sumsByUnit(db, [...self.ids, ...children.map((c) => c.id)], from, to);
    totalSums = sumOver(self.ids, sums);
    rows = groups.map((g) => rowFromSums(g.code, g.name, sumOver(g.ids, sums)));
    // Dossiers received at the unit's own level (a district office) get their own row, so rows add up.
    const own = rows.reduce((acc, r) => addSums(acc, rowSums(r), -1), totalSums);
    if (Object.values(own).some((v) => v !== 0)) rows.unshift(rowFromSums(self.code, `${self.name} (tiếp nhận trực tiếp)`, own));
  }
  const total = rowFromSums(self.code, self.name, totalSums);
  return {
    period: { from, to },
    unit: { code: self.code, name: self.name },
    by: req.by,
    rows,
    total,
    checks: checkReport(rows, total),
    generatedAt: now.toISOString(),
  };
}

/** Back from a row to the sums it was made of. */
function rowSums(r: Ii06aRow): CounterSums {
  return {
    openBefore: r.carriedOver,
    openThrough: r.inProgressTotal,
    overdueThrough: r.inProgressOverdue,
    receivedOnline: r.receivedOnline,
    receivedDirect: r.receivedDirect,
    resolvedBefore: r.resolvedBefore,
    resolvedOn: r.resolvedOn,
    resolvedLate: r.resolvedLate,
    withdrawn: r.withdrawn,
  };
}
