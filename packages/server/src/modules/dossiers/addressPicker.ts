/**
 * The address question, picked one level per page: province → commune → village (and the
 * district between them for a date when districts existed). Only units in force today are
 * offered, so after the 2025 reform a citizen sees the new communes and the villages that
 * moved into them. Every step is a plain GET/POST page, so it works with JavaScript off.
 */
import { localDateOf, type AddressAnswer, type AddressDepth, type AddressFieldDef, type PickedUnit } from '@causo/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { Problem } from '../../http/problem.ts';
import { findUnitByCode, listUnits, type UnitRecord } from '../units/queries.ts';

const RANK: Record<AddressDepth, number> = { province: 0, district: 1, commune: 2, village: 3 };

export interface UnitOption {
  code: string;
  name: string;
  level: AddressDepth;
}

/** What the page for one step shows: the units already chosen, and what to choose at `at`. */
export interface PickerStep {
  /** Units chosen so far (a province alone in force is chosen for the citizen). */
  path: PickedUnit[];
  /** Index in `path` that this page picks; the units before it stay. */
  at: number;
  options: UnitOption[];
  /** Level of the options (they share one), for the label "Xã, phường". */
  level: AddressDepth;
  /** The option already chosen at this index, if any. */
  selected: string | undefined;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'vi');
const toOption = (u: UnitRecord): UnitOption => ({ code: u.code, name: u.name, level: u.level });

/** Units to choose from under `parent` (provinces when null), in force on `date`, not finer than `depth`. */
async function optionsUnder(db: Kysely<DB>, parent: PickedUnit | null, depth: AddressDepth, date: string): Promise<UnitOption[]> {
  let rows: UnitRecord[];
  if (parent === null) rows = await listUnits(db, { level: 'province', date, limit: 100, offset: 0 });
  else {
    const unit = await findUnitByCode(db, parent.code, date);
    if (!unit) return [];
    rows = await listUnits(db, { parentId: unit.id, date, limit: 1000, offset: 0 });
  }
  return rows
    .filter((u) => RANK[u.level] <= RANK[depth])
    .map(toOption)
    .sort(byName);
}

/** A path is complete at the wanted depth, or when its last unit has nothing finer to offer. */
async function isComplete(db: Kysely<DB>, path: PickedUnit[], depth: AddressDepth, date: string): Promise<boolean> {
  const last = path[path.length - 1];
  if (!last) return false;
  if (RANK[last.level] >= RANK[depth]) return true;
  return (await optionsUnder(db, last, depth, date)).length === 0;
}

/** Drops a saved path that is no longer in force (the answer was given before a reform). */
async function stillInForce(db: Kysely<DB>, path: PickedUnit[], date: string): Promise<PickedUnit[]> {
  const kept: PickedUnit[] = [];
  for (const u of path) {
    if (!(await findUnitByCode(db, u.code, date))) break;
    kept.push(u);
  }
  return kept;
}

/**
 * The step to show. `wantAt` asks to pick again at an earlier level (a "change" link);
 * otherwise the first level not yet chosen, or the last one when the address is complete.
 */
export async function pickerStep(db: Kysely<DB>, field: AddressFieldDef, saved: AddressAnswer | null, now: Date, wantAt?: number): Promise<PickerStep> {
  const date = localDateOf(now);
  let path = await stillInForce(db, saved?.units ?? [], date);
  if (path.length === 0) {
    const provinces = await optionsUnder(db, null, field.depth, date);
    if (provinces.length === 1 && provinces[0]) path = [provinces[0]];
  }
  const complete = path.length > 0 && (await isComplete(db, path, field.depth, date));
  let at = complete ? path.length - 1 : path.length;
  if (wantAt !== undefined && wantAt >= 0 && wantAt < at) at = wantAt;
  const parent = at > 0 ? (path[at - 1] ?? null) : null;
  const options = await optionsUnder(db, parent, field.depth, date);
  return { path, at, options, level: options[0]?.level ?? field.depth, selected: path[at]?.code };
}

/**
 * Records the unit chosen at `at`. The choice must be one the page offered (a child in force
 * of the unit above it); finer levels chosen before are dropped, as they belonged to the old choice.
 */
export async function pickUnit(db: Kysely<DB>, field: AddressFieldDef, saved: AddressAnswer | null, now: Date, at: number, code: string): Promise<AddressAnswer> {
  const step = await pickerStep(db, field, saved, now, at);
  if (at > step.path.length) throw new Problem(400, 'request.invalid', 'pick the levels in order');
  const option = step.at === at ? step.options.find((o) => o.code === code) : undefined;
  if (!option) throw new Problem(400, 'request.invalid', `unit ${code} cannot be chosen here`, [{ path: field.key, message: 'apply.error.address_choose' }]);
  const path = [...step.path.slice(0, at), option];
  return { units: path, complete: await isComplete(db, path, field.depth, localDateOf(now)) };
}

/** "Ấp Phước Tiến, Xã Hưng Phước, Tỉnh Đồng Nai": finest first, as addresses are written here. */
export function addressText(a: AddressAnswer): string {
  return [...a.units].reverse().map((u) => u.name).join(', ');
}

/** The commune of an address (the unit that receives a dossier). */
export function communeOf(a: AddressAnswer): PickedUnit | undefined {
  return a.units.find((u) => u.level === 'commune');
}
