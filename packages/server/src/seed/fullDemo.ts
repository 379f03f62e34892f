/**
 * `causo seed demo --full`: Bình Phước's dossiers of 2022, synthetic but shaped like the real
 * thing, such that Biểu II.06a computed by the real engine for the year to date
 * (15 Dec 2021 – 29 Aug 2022, province 70) reproduces the province's published figures exactly:
 * 460,392 received = 31,768 carried over + 428,624 new, 415,318 resolved.
 *
 * Nothing is stored as a total. Exactness comes by construction, in two steps:
 * 1. `planFullDemo` (pure) fixes, for every reception day, how many dossiers end up in each
 *    report category: finished before the period (history), resolved in the period, withdrawn in
 *    the period, still open at its end. Integer allocations make every sum exact.
 * 2. The generator draws each dossier's details (unit, procedure, channel, times) for its
 *    category. A category is a range of working days to finish in (before 15 Dec 2021, inside
 *    the period, after 29 Aug 2022 or never), so randomness only decides *when* inside that
 *    range, never *whether*: the counts cannot drift.
 *
 * Realism: receptions on working days in office hours, volume by weekday and season (rush
 * before Tết, lull after it), online share rising from ~17% to ~35% over the 92-day campaign
 * from 1 June, due dates from the procedures' SLAs with WorkingCalendar.dueAt, a few percent
 * late, and what is open at a boundary mostly long procedures not yet due (a real pile).
 * Only the report's published totals are exact; the rest (lateness, channels) is drawn.
 */
import {
  addDays,
  dayAfter,
  dayOfWeek,
  daysBetween,
  localDateOf,
  localInstant,
  localMidnight,
  toLocalIso,
  type Channel,
  type LocalDate,
  type Period,
  type Status,
  type WorkingCalendar,
} from '@causo/domain';
import type { AppContext } from '../context.ts';
import type { Db, RawClient } from '../db/database.ts';
import { bulkLoadDossiers, type BulkDossier } from '../modules/dossiers/bulkLoad.ts';
import { formatDossierCode } from '../modules/dossiers/service.ts';

// ---------------------------------------------------------------------------------------------
// The published figures and our own choices for what the article does not say

export const PUBLISHED_2022 = {
  provinceCode: '70',
  /** The 15th-to-14th rule: the reporting year to date starts on 15 Dec of the year before. */
  period: { from: '2021-12-15', to: '2022-08-29' } satisfies Period,
  carriedOver: 31_768,
  received: 428_624,
  resolved: 415_318,
} as const;

/** The published figures leave 45,074 dossiers unresolved; this is how we split them. */
export const DEFAULT_SPLIT = {
  /** New dossiers withdrawn or stopped (7/8) inside the period. */
  withdrawnNew: 1_150,
  /** Carried-over dossiers withdrawn or stopped inside the period. */
  withdrawnCarried: 180,
  /** Carried-over dossiers still open on 29 Aug 2022 (stuck for eight months). */
  carriedOpenAtEnd: 450,
} as const;

/**
 * Carried-over dossiers were received from 6 Sep 2021, after the 2–3 Sep National Day break (the
 * holiday file begins in 2022, so the calendar would count those days as working days).
 */
const CARRIED_FROM: LocalDate = '2021-09-06';
/**
 * Dossiers that were received and finished before the period are generated for the last 2021
 * reporting month only (15 Nov – 14 Dec), so that month's report looks complete without
 * loading three months of history that no 2022 figure depends on.
 */
const HISTORY_FROM: LocalDate = '2021-11-15';
/** Dossiers finishing later than this stay open "today" (the demo shows 2022). */
const LAST_FINISH: LocalDate = '2022-12-31';
const CAMPAIGN_START: LocalDate = '2022-06-01';
const BATCH_SIZE = 50_000;
const TRANSACTION_PREFIX = 'seed-full-2022';

// ---------------------------------------------------------------------------------------------
// Small deterministic tools

export { mulberry32, type Rng } from './random.ts';
import { mulberry32, type Rng } from './random.ts';

/** Whole working days of an exponential wait with this mean (0 is the most likely). */
function extraDays(rng: Rng, mean: number): number {
  return Math.floor(-Math.log(1 - rng()) * mean);
}

/**
 * Splits `total` into integers proportional to `weights`, none above its cap, summing exactly to
 * `total` (water-filling, then largest remainders). Throws when the caps cannot hold the total.
 */
export function allocate(total: number, weights: readonly number[], caps?: readonly number[]): number[] {
  const cap = (i: number) => caps?.[i] ?? Number.POSITIVE_INFINITY;
  const usable = weights.map((w, i) => (w > 0 && cap(i) > 0 ? w : 0));
  const room = usable.reduce((sum, w, i) => sum + (w > 0 ? cap(i) : 0), 0);
  if (!Number.isInteger(total) || total < 0 || total > room) throw new RangeError(`allocate: cannot place ${total} (room ${room})`);
  const filled = (k: number) => usable.reduce((sum, w, i) => sum + Math.min(cap(i), k * w), 0);
  // Largest k with filled(k) <= total: floors of those shares never overshoot.
  let lo = 0;
  let hi = 1;
  while (filled(hi) < total) hi *= 2;
  for (let step = 0; step < 200; step++) {
    const mid = (lo + hi) / 2;
    if (filled(mid) <= total) lo = mid;
    else hi = mid;
  }
  const shares = usable.map((w, i) => Math.min(cap(i), lo * w));
  const out = shares.map((s) => Math.floor(s));
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  while (left > 0) {
    for (const { i } of byRemainder) {
      if (left === 0) break;
      if ((usable[i] ?? 0) > 0 && (out[i] ?? 0) < cap(i)) {
        out[i] = (out[i] ?? 0) + 1;
        left--;
      }
    }
  }
  return out;
}

/** Piecewise-linear curve through dated anchors, flat outside them. */
function curve(anchors: readonly (readonly [LocalDate, number])[]): (date: LocalDate) => number {
  return (date) => {
    const first = anchors[0];
    if (!first) return 0;
    let prev = first;
    if (date <= prev[0]) return prev[1];
    for (const next of anchors.slice(1)) {
      if (date <= next[0]) return prev[1] + ((next[1] - prev[1]) * daysBetween(prev[0], date)) / daysBetween(prev[0], next[0]);
      prev = next;
    }
    return prev[1];
  };
}

/** Share of dossiers submitted online: 21.62% in May 2022 (article), ~35% after the campaign. */
const onlineShare = curve([
  ['2021-09-06', 0.17],
  ['2022-05-14', 0.2162],
  ['2022-05-31', 0.22],
  ['2022-08-29', 0.35],
]);

/** Share of dossiers finished after their due date: 3.78% in May 2022 (article), falling. */
const lateRate = curve([
  ['2021-09-06', 0.048],
  ['2022-04-30', 0.041],
  ['2022-05-15', 0.0378],
  ['2022-08-29', 0.025],
]);

// ---------------------------------------------------------------------------------------------
// The plan: counts per reception day and category (pure)

export interface DayPlan {
  date: LocalDate;
  /** Received and finished before the period (2021 only): history, never counted. */
  history: number;
  /** Counted dossiers received this day: carried over (2021) or new (in the period), by fate. */
  resolved: number;
  withdrawn: number;
  openAtEnd: number;
  /** Online submissions that never entered the books: refused at reception (3), waiting (1). */
  refused: number;
  waiting: number;
}

export interface FullDemoPlan {
  period: Period;
  days: DayPlan[];
}

export interface FullDemoPlanOptions {
  isWorkingDay: (date: LocalDate) => boolean;
  seed?: number;
  /** First day of the 2021 dossiers that finished before the period (history); default 15 Nov 2021. */
  historyFrom?: LocalDate;
  split?: Partial<typeof DEFAULT_SPLIT>;
}

export interface PlanTotals {
  carriedOver: number;
  received: number;
  resolved: number;
  withdrawn: number;
  inProgress: number;
  history: number;
  refused: number;
  waiting: number;
  /** Every row the seed writes. */
  dossiers: number;
}

const counted = (d: DayPlan) => d.resolved + d.withdrawn + d.openAtEnd;

export function planTotals(plan: FullDemoPlan): PlanTotals {
  const t: PlanTotals = { carriedOver: 0, received: 0, resolved: 0, withdrawn: 0, inProgress: 0, history: 0, refused: 0, waiting: 0, dossiers: 0 };
  for (const d of plan.days) {
    if (d.date < plan.period.from) t.carriedOver += counted(d);
    else t.received += counted(d);
    t.resolved += d.resolved;
    t.withdrawn += d.withdrawn;
    t.inProgress += d.openAtEnd;
    t.history += d.history;
    t.refused += d.refused;
    t.waiting += d.waiting;
    t.dossiers += counted(d) + d.history + d.refused + d.waiting;
  }
  return t;
}

export function workingDaysBetween(from: LocalDate, to: LocalDate, isWorkingDay: (d: LocalDate) => boolean): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) out.push(d);
  return out;
}

/** Relative volume of a working day: Mondays busiest, a rush before Tết, a lull after it. */
function dayWeight(date: LocalDate, rng: Rng): number {
  const weekday = [1, 1.15, 1.05, 1, 0.97, 0.88, 0.6][dayOfWeek(date)] ?? 1;
  let season = 1;
  if (date >= '2021-12-15' && date <= '2021-12-31') season = 1.1; // year-end paperwork
  else if (date >= '2022-01-10' && date <= '2022-01-28') season = 1.3; // papers before Tết
  else if (date >= '2022-02-07' && date <= '2022-02-11') season = 0.7; // first week back
  else if (date >= CAMPAIGN_START) season = 1.05; // teams bring people in
  return weekday * season * (0.9 + 0.2 * rng());
}

/**
 * How likely, up to a common factor, a dossier received `daysLeft` working days before a
 * boundary is still open there: short procedures clear within days, a few percent get stuck.
 */
function openShape(daysLeft: number): number {
  return 0.03 + Math.exp(-daysLeft / 15);
}

/** Only the last days can have most of their dossiers open; same-day work still gets done. */
const OPEN_CAP = 0.8;

export function planFullDemo(opts: FullDemoPlanOptions): FullDemoPlan {
  const rng = mulberry32(opts.seed ?? 2022);
  const split = { ...DEFAULT_SPLIT, ...opts.split };
  const { period } = PUBLISHED_2022;
  const before = workingDaysBetween(CARRIED_FROM, addDays(period.from, -1), opts.isWorkingDay);
  const inPeriod = workingDaysBetween(period.from, period.to, opts.isWorkingDay);

  const newWeights = inPeriod.map((d) => dayWeight(d, rng));
  const fresh = allocate(PUBLISHED_2022.received, newWeights);
  // 2021's daily volume on the same scale, a little below 2022's.
  const scale = PUBLISHED_2022.received / newWeights.reduce((a, b) => a + b, 0);
  const volume2021 = before.map((d) => 0.95 * scale * dayWeight(d, rng));

  const carried = allocate(
    PUBLISHED_2022.carriedOver,
    volume2021.map((v, i) => v * openShape(before.length - 1 - i)),
    volume2021.map((v) => Math.floor(v * OPEN_CAP)),
  );
  const historyFrom = opts.historyFrom ?? HISTORY_FROM;
  const history = volume2021.map((v, i) => ((before[i] ?? '') >= historyFrom ? Math.round(Math.max(0, v - (carried[i] ?? 0))) : 0));
  const carriedDays = splitFates(before, carried, split.carriedOpenAtEnd, split.withdrawnCarried, () => 1);

  const totalCounted = PUBLISHED_2022.carriedOver + PUBLISHED_2022.received;
  const openAtEnd = totalCounted - PUBLISHED_2022.resolved - split.withdrawnNew - split.withdrawnCarried - split.carriedOpenAtEnd;
  if (openAtEnd < 0) throw new RangeError('planFullDemo: the split leaves a negative number of open dossiers');
  const newDays = splitFates(inPeriod, fresh, openAtEnd, split.withdrawnNew, (i) => openShape(inPeriod.length - 1 - i));

  carriedDays.forEach((d, i) => (d.history = history[i] ?? 0));
  newDays.forEach((d, i) => (d.refused = Math.floor((fresh[i] ?? 0) * onlineShare(d.date) * 0.012)));
  const last = newDays[newDays.length - 1];
  if (last) last.waiting = 37; // submitted online on the last evening, received after the period
  return { period, days: [...carriedDays, ...newDays] };
}

/**
 * For each day's `counts`, which dossiers are still open at the period's end (by `openWeight`,
 * for carried-over ones simply proportional), which are withdrawn, and the rest resolved.
 */
function splitFates(dates: LocalDate[], counts: number[], open: number, withdrawn: number, openWeight: (i: number) => number): DayPlan[] {
  const count = (i: number) => counts[i] ?? 0;
  const openAt = allocate(
    open,
    dates.map((_, i) => count(i) * openWeight(i)),
    dates.map((_, i) => Math.floor(count(i) * OPEN_CAP)),
  );
  const withdrawnAt = allocate(
    withdrawn,
    dates.map((_, i) => count(i)),
    dates.map((_, i) => count(i) - (openAt[i] ?? 0)),
  );
  return dates.map((date, i) => {
    const o = openAt[i] ?? 0;
    const w = withdrawnAt[i] ?? 0;
    return { date, history: 0, resolved: count(i) - o - w, withdrawn: w, openAtEnd: o, refused: 0, waiting: 0 };
  });
}

// ---------------------------------------------------------------------------------------------
// Working days as an index, so "finish within these days" is integer arithmetic

class WorkingDays {
  readonly dates: LocalDate[];
  readonly #index = new Map<LocalDate, number>();
  /** Local midnight of each working day in ms: instants are built ~1.5 million times. */
  readonly #midnights: number[];
  readonly #windows: { start: number; end: number; before: number }[] = [];
  readonly minutesPerDay: number;

  constructor(calendar: WorkingCalendar, from: LocalDate, to: LocalDate) {
    this.dates = workingDaysBetween(from, to, (d) => calendar.isWorkingDay(d));
    this.dates.forEach((d, i) => this.#index.set(d, i));
    this.#midnights = this.dates.map((d) => localMidnight(d).getTime());
    let before = 0;
    for (const w of calendar.officeHours) {
      this.#windows.push({ start: w.start, end: w.end, before });
      before += w.end - w.start;
    }
    this.minutesPerDay = before;
  }

  indexOf(date: LocalDate): number {
    const i = this.#index.get(date);
    if (i === undefined) throw new Error(`full demo: ${date} is not a working day inside ${this.dates[0]}..${this.dates[this.dates.length - 1]}`);
    return i;
  }

  /** The instant `minute` working minutes after the opening of working day `i`. */
  instant(i: number, minute: number): Date {
    const midnight = this.#midnights[i];
    if (midnight === undefined) throw new RangeError(`full demo: working day ${i} is outside the index`);
    const w = this.#windows.find((x) => minute < x.before + (x.end - x.start)) ?? this.#windows[this.#windows.length - 1];
    if (!w) throw new Error('full demo: no office hours');
    return new Date(midnight + (w.start + minute - w.before) * 60_000);
  }
}

// ---------------------------------------------------------------------------------------------
// What dossiers are made of: units, procedures, names

interface UnitRow {
  id: number;
  code: string;
  type: string;
  level: 'province' | 'district' | 'commune' | 'village';
  parent_id: number | null;
  ancestor_ids: number[];
  agency_code: string;
  valid_from: string;
  valid_to: string | null;
}

interface ProcedureRow {
  id: number;
  code: string;
  sector_code: string;
  sla_value: number;
  sla_unit: 'working_days' | 'working_hours';
}

class Weighted<T> {
  readonly #items: T[] = [];
  readonly #cumulative: number[] = [];
  constructor(entries: Iterable<readonly [T, number]>) {
    let sum = 0;
    for (const [item, weight] of entries) {
      if (weight <= 0) continue;
      sum += weight;
      this.#items.push(item);
      this.#cumulative.push(sum);
    }
    if (this.#items.length === 0) throw new Error('full demo: nothing to pick from');
  }
  pick(rng: Rng): T {
    const target = rng() * (this.#cumulative[this.#cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#cumulative[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.#items[lo] as T;
  }
}

/**
 * Relative volume of the commune-level catalogue: certified copies dominate a commune one-stop,
 * then civil status (birth, marital status, extracts); welfare and land are rare. Unlisted: 0.5.
 */
const PROCEDURE_WEIGHTS: Record<string, number> = {
  '2.000815': 30, // chứng thực bản sao
  '1.001193': 10, // khai sinh
  '2.000884': 8, // chứng thực chữ ký
  '1.004873': 6, // xác nhận tình trạng hôn nhân
  '2.000635': 6, // bản sao trích lục hộ tịch
  '1.003412': 4, // khai sinh liên thông
  '1.004222': 4, // thường trú
  '1.004194': 4, // tạm trú
  '1.000894': 3, // kết hôn
  '2.001035': 3, // chứng thực hợp đồng
  '1.000656': 2, // khai tử
  '1.003677': 2, // tạm vắng
  '1.001776': 1.2,
  '1.004884': 1,
  '1.008878': 0.8,
  '1.011607': 0.6,
  '1.001699': 0.5,
  '1.001731': 0.4,
  '1.012812': 0.3,
  '6.006758': 0.3,
  '1.001022': 0.3,
  '2.000337': 0.2,
  '1.010803': 0.2,
  '1.004837': 0.1,
  '1.012592': 0.05,
};

/** Communes, wards and townships differ in size: wards and towns see far more dossiers. */
const TYPE_WEIGHTS: Record<string, number> = { phuong: 2.6, thi_tran: 2.2, xa: 1 };

/** Share of ethnic-minority residents by district (Bù Đốp 28% per the story; others rounded). */
const MINORITY_SHARE: Record<string, number> = { '691': 0.35, '692': 0.22, '693': 0.28, '694': 0.2, '695': 0.15, '696': 0.35, '698': 0.2 };
const TOWN_MINORITY_SHARE = 0.07;

const KINH_SURNAMES: [string, number][] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Phan', 4.5], ['Hoàng', 4], ['Huỳnh', 3], ['Vũ', 2],
  ['Võ', 2], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5],
];
const TAY_NUNG_SURNAMES = new Weighted<string>([
  ['Nông', 3], ['Hoàng', 3], ['Lâm', 2], ['Triệu', 1.5], ['Vi', 1.5], ['Lương', 1.2], ['Hà', 1],
  ['Đàm', 0.8], ['Ma', 0.8], ['Lục', 0.6], ['Chu', 0.6], ['Mã', 0.5], ['Lăng', 0.4],
]);
const MALE_MIDDLE = ['Văn', 'Văn', 'Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Công', 'Xuân'];
const FEMALE_MIDDLE = ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Hồng'];
const MALE_GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Đức', 'Hải', 'Hùng', 'Huy', 'Khang', 'Khoa', 'Long', 'Lợi', 'Minh', 'Nam', 'Phúc', 'Quang', 'Sơn', 'Tài', 'Thắng', 'Thành', 'Tiến', 'Trung', 'Tuấn', 'Việt', 'Vinh'];
const FEMALE_GIVEN = ['Anh', 'Bích', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hoa', 'Hương', 'Lan', 'Linh', 'Loan', 'Mai', 'My', 'Nga', 'Ngọc', 'Nhung', 'Oanh', 'Phương', 'Thảo', 'Thủy', 'Trang', 'Uyên', 'Yến'];
// S'tiêng (and M'nông) names: men usually carry "Điểu", women "Thị", before the given name.
const STIENG_MALE = ['Lành', 'Khiêm', 'Ty', 'Xia', 'Brah', 'Điều', 'Rét', 'Krai', 'Bình', 'Sơn', 'Thanh', 'Dũng', 'Hiền', 'Len', 'Ngoan', 'Phong'];
const STIENG_FEMALE = ['Bé', 'Hên', 'Mai', 'Sang', 'Lan', 'Rinh', 'Thu', 'Nhung', 'Duyên', 'Hơn', 'Đẹp', 'Liên', 'Mơ', 'Xuyên'];

const pickOf = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const KINH = new Weighted(KINH_SURNAMES);

/** A plausible applicant name for a district, NFC. */
export function applicantName(rng: Rng, districtCode: string): string {
  const female = rng() < 0.5;
  const minority = rng() < (MINORITY_SHARE[districtCode] ?? TOWN_MINORITY_SHARE);
  let name: string;
  if (minority && rng() < 0.55) {
    name = female ? `Thị ${pickOf(rng, STIENG_FEMALE)}` : `Điểu ${pickOf(rng, STIENG_MALE)}`;
  } else {
    const surname = (minority ? TAY_NUNG_SURNAMES : KINH).pick(rng);
    const middle = minority ? (female ? 'Thị' : 'Văn') : pickOf(rng, female ? FEMALE_MIDDLE : MALE_MIDDLE);
    name = `${surname} ${middle} ${pickOf(rng, female ? FEMALE_GIVEN : MALE_GIVEN)}`;
  }
  return name.normalize('NFC');
}

/** Province 70's units and the catalogue, read once before the load's transaction starts. */
class Catalogue {
  readonly #versions = new Map<string, UnitRow[]>();
  readonly #byId = new Map<number, UnitRow>();
  readonly #villagesOf = new Map<string, string[]>();
  readonly communes: Weighted<string>;
  readonly districts: Weighted<string>;
  readonly procedures: Weighted<ProcedureRow>;
  /** Weighted by SLA too: what piles up (and what district one-stops see) is the long procedures. */
  readonly backlogProcedures: Weighted<ProcedureRow>;
  readonly #procedures: ProcedureRow[];
  /** Backlog mixes by minimum SLA in working days, built on first use. */
  readonly #reaching = new Map<number, Weighted<ProcedureRow>>();

  constructor(
    units: UnitRow[],
    procedures: ProcedureRow[],
    rng: Rng,
    private readonly slaDays: (p: ProcedureRow) => number,
  ) {
    this.#procedures = procedures;
    for (const u of [...units].sort((a, b) => a.valid_from.localeCompare(b.valid_from))) {
      this.#byId.set(u.id, u);
      const list = this.#versions.get(u.code) ?? [];
      list.push(u);
      this.#versions.set(u.code, list);
    }
    const first = (level: UnitRow['level']) => [...this.#versions.values()].map((v) => v[0]).filter((u): u is UnitRow => u?.level === level);
    for (const v of first('village')) {
      const commune = v.parent_id === null ? undefined : this.#byId.get(v.parent_id);
      if (!commune) continue;
      this.#villagesOf.set(commune.code, [...(this.#villagesOf.get(commune.code) ?? []), v.code]);
    }
    // Each commune also gets its own size (0.7–1.3), fixed by the seed.
    this.communes = new Weighted(first('commune').map((u) => [u.code, (TYPE_WEIGHTS[u.type] ?? 1) * (0.7 + 0.6 * rng())] as const));
    this.districts = new Weighted(first('district').map((u) => [u.code, 1] as const));
    this.procedures = new Weighted(procedures.map((p) => [p, PROCEDURE_WEIGHTS[p.code] ?? 0.5] as const));
    this.backlogProcedures = this.#backlogOf(procedures);
  }

  #backlogOf(procedures: ProcedureRow[]): Weighted<ProcedureRow> {
    return new Weighted(procedures.map((p) => [p, (PROCEDURE_WEIGHTS[p.code] ?? 0.5) * this.slaDays(p)] as const));
  }

  /** The backlog mix restricted to procedures with at least `days` working days (all, if none has). */
  backlogReaching(days: number): Weighted<ProcedureRow> {
    const key = Math.max(0, Math.ceil(days));
    let picker = this.#reaching.get(key);
    if (!picker) {
      const long = this.#procedures.filter((p) => this.slaDays(p) >= key);
      picker = long.length > 0 ? this.#backlogOf(long) : this.backlogProcedures;
      this.#reaching.set(key, picker);
    }
    return picker;
  }

  /** The version of unit `code` in force on `date` (Chơn Thành's units changed on 1 Oct 2022). */
  versionOn(code: string, date: LocalDate): UnitRow {
    const v = this.#versions.get(code)?.find((u) => u.valid_from <= date && (u.valid_to === null || u.valid_to >= date));
    if (!v) throw new Error(`full demo: unit ${code} is not in force on ${date}`);
    return v;
  }

  villagesOf(communeCode: string): string[] {
    return this.#villagesOf.get(communeCode) ?? [];
  }

  /** Villages have no one-stop desk: their dossiers are numbered by the commune's agency. */
  agencyOf(u: UnitRow): string {
    const parent = u.level === 'village' && u.parent_id !== null ? this.#byId.get(u.parent_id) : undefined;
    return parent?.agency_code ?? u.agency_code;
  }

  districtCodeOf(u: UnitRow): string {
    for (const id of u.ancestor_ids) {
      const a = this.#byId.get(id);
      if (a?.level === 'district') return a.code;
    }
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// One dossier at a time

/** A moment on the working-day index: the day and working minutes after opening. */
interface Slot {
  day: number;
  minute: number;
}

interface Draft {
  unit: UnitRow;
  procedure: ProcedureRow;
  channel: Channel;
  received: Slot;
  receivedAt: Date;
  dueAt: Date;
  dueDay: number;
  /** When it would finish if nothing forced it into a category. */
  natural: Slot;
}

type Fate = 'history' | 'resolvedIn' | 'withdrawnIn' | 'afterEnd';

/** A dossier and the agency that numbers it. */
interface Row {
  agency: string;
  dossier: BulkDossier;
}

interface Bounds {
  /** First working day of the period and its last. */
  start: number;
  end: number;
  /** Last working day a dossier may finish on (LAST_FINISH, or today if earlier). */
  lastFinish: number;
  now: Date;
}

/** Shares among dossiers still open today; 5 counts as paused (within) in the report. */
const OPEN_STATUS = new Weighted<Status>([[4, 0.72], [5, 0.14], [6, 0.06], [2, 0.08]]);
const DISTRICT_SHARE = 0.015;
/** From June the community teams help villagers apply online; those dossiers carry the village. */
const VILLAGE_SHARE_OF_ONLINE = 0.35;
const POST_SHARE = 0.015;
/** Of the dossiers open at a boundary, the share that are not yet due there. */
const COVERED_SHARE = 0.8;
/** Dossiers open at the end of the period that never finish (still open in the demo's today). */
const STUCK_FOREVER = 0.03;

class DossierFactory {
  readonly sequences = new Map<string, number>();
  /** The day's online share and late rate, computed once per day rather than per dossier. */
  #today = { online: 0, late: 0 };

  constructor(
    private readonly rng: Rng,
    private readonly calendar: WorkingCalendar,
    private readonly days: WorkingDays,
    private readonly catalogue: Catalogue,
    private readonly bounds: Bounds,
  ) {}

  /** Every dossier received (or submitted) on one plan day, in the order of their codes. */
  day(plan: DayPlan): BulkDossier[] {
    const rows = this.drafts(plan).map(({ draft, fate }) => this.finish(draft, fate));
    for (let i = 0; i < plan.refused; i++) rows.push(this.notReceived(plan.date, 3));
    for (let i = 0; i < plan.waiting; i++) rows.push(this.notReceived(plan.date, 1));
    rows.sort((a, b) => a.dossier.submittedAt.getTime() - b.dossier.submittedAt.getTime());
    for (const r of rows) r.dossier.code = this.nextCode(r.agency, r.dossier.submittedAt);
    return rows.map((r) => r.dossier);
  }

  /**
   * The day's received dossiers with the plan's categories. Those that cross a boundary (carried
   * over into the period, or still open at its end) are drawn from the backlog mix, where long
   * procedures weigh more, as in a real one-stop's pile. Of the carried-over ones, the latest to
   * finish stay open to the end; withdrawals are picked at random.
   */
  private drafts(plan: DayPlan): { draft: Draft; fate: Fate }[] {
    const dayIndex = this.days.indexOf(plan.date);
    this.#today = { online: onlineShare(plan.date), late: lateRate(plan.date) };
    const isCarried = plan.date < PUBLISHED_2022.period.from;
    const boundary = isCarried ? this.bounds.start : this.bounds.end + 1;
    const make = (n: number, reach: number | null) => Array.from({ length: n }, () => this.draft(plan.date, dayIndex, reach));
    const crossing = make(isCarried ? counted(plan) : plan.openAtEnd, boundary - dayIndex);
    const staying = make(isCarried ? plan.history : counted(plan) - plan.openAtEnd, null);
    if (!isCarried) {
      return [...crossing.map((draft) => ({ draft, fate: 'afterEnd' as const })), ...this.withWithdrawals(staying, plan.withdrawn)];
    }
    crossing.sort((a, b) => slotKey(b) - slotKey(a));
    return [
      ...crossing.slice(0, plan.openAtEnd).map((draft) => ({ draft, fate: 'afterEnd' as const })),
      ...this.withWithdrawals(crossing.slice(plan.openAtEnd), plan.withdrawn),
      ...staying.map((draft) => ({ draft, fate: 'history' as const })),
    ];
  }

  /** `withdrawn` of the drafts, at random, end withdrawn in the period; the rest are resolved. */
  private withWithdrawals(drafts: Draft[], withdrawn: number): { draft: Draft; fate: Fate }[] {
    const order = drafts.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const fates = new Array<Fate>(drafts.length).fill('resolvedIn');
    order.slice(0, withdrawn).forEach((i) => (fates[i] = 'withdrawnIn'));
    return drafts.map((draft, i) => ({ draft, fate: fates[i] ?? 'resolvedIn' }));
  }

  /** `reach`: for a dossier that crosses a boundary, how many working days away it lies. */
  private draft(date: LocalDate, dayIndex: number, reach: number | null): Draft {
    const channel = this.channel();
    const unit = this.unit(date, channel);
    const procedure = this.procedure(unit, reach);
    // Never in the last quarter hour, so a same-day finish always has room after reception.
    const received = { day: dayIndex, minute: Math.floor(this.rng() * (this.days.minutesPerDay - 15) * 60) / 60 };
    const receivedAt = this.days.instant(received.day, received.minute);
    const dueAt = this.calendar.dueAt(receivedAt, { value: procedure.sla_value, unit: procedure.sla_unit });
    const dueDay = this.days.indexOf(localDateOf(dueAt));
    const draft = { unit, procedure, channel, received, receivedAt, dueAt, dueDay, natural: received };
    draft.natural = this.naturalFinish(draft);
    return draft;
  }

  /**
   * What is still open at a boundary is mostly long procedures not yet due there (a one-stop's
   * normal pile); a fifth is already overdue. District one-stops see the long procedures too.
   */
  private procedure(unit: UnitRow, reach: number | null): ProcedureRow {
    if (reach !== null && this.rng() < COVERED_SHARE) return this.catalogue.backlogReaching(reach).pick(this.rng);
    if (reach !== null || unit.level === 'district') return this.catalogue.backlogProcedures.pick(this.rng);
    return this.catalogue.procedures.pick(this.rng);
  }

  private channel(): Channel {
    const r = this.rng();
    if (r < this.#today.online) return 2;
    return r < this.#today.online + POST_SHARE ? 3 : 1;
  }

  private unit(date: LocalDate, channel: Channel): UnitRow {
    if (this.rng() < DISTRICT_SHARE) return this.catalogue.versionOn(this.catalogue.districts.pick(this.rng), date);
    const commune = this.catalogue.communes.pick(this.rng);
    const villages = this.catalogue.villagesOf(commune);
    if (channel === 2 && date >= CAMPAIGN_START && villages.length > 0 && this.rng() < VILLAGE_SHARE_OF_ONLINE)
      return this.catalogue.versionOn(pickOf(this.rng, villages), date);
    return this.catalogue.versionOn(commune, date);
  }

  /** Before (most), on, or after the due date, by the lateness of the month. */
  private naturalFinish(d: Draft): Slot {
    if (this.rng() < this.#today.late) return this.slotOn(d, d.dueDay + 1 + extraDays(this.rng, 3));
    if (d.dueDay > d.received.day && this.rng() < 0.75) return this.slotOn(d, d.received.day + Math.floor(this.rng() * (d.dueDay - d.received.day)));
    return this.slotOn(d, d.dueDay);
  }

  /** A moment on working day `day`, after the reception when it is the same day. */
  private slotOn(d: Pick<Draft, 'received'>, day: number): Slot {
    const from = day === d.received.day ? d.received.minute + 1 : 0;
    return { day, minute: from + this.rng() * (this.days.minutesPerDay - from) };
  }

  /** Moves the natural finish into the fate's window of working days, then sets the status. */
  private finish(d: Draft, fate: Fate): Row {
    const { start, end } = this.bounds;
    let slot: Slot | null = d.natural;
    let status: Status;
    if (fate === 'history') {
      slot = this.within(d, d.received.day, start - 1);
      status = this.rng() < 0.005 ? 8 : this.resolvedStatus();
    } else if (fate === 'afterEnd') {
      slot = this.afterEnd(d);
      status = slot === null ? OPEN_STATUS.pick(this.rng) : this.rng() < 0.04 ? this.withdrawnStatus() : this.resolvedStatus();
    } else {
      slot = this.within(d, Math.max(d.received.day, start), end);
      status = fate === 'withdrawnIn' ? this.withdrawnStatus() : this.resolvedStatus();
    }
    const dossier: BulkDossier = {
      code: '', // numbered once the day is in submission order
      procedureId: d.procedure.id,
      sectorCode: d.procedure.sector_code,
      unitId: d.unit.id,
      unitAncestorIds: d.unit.ancestor_ids,
      provinceCode: PUBLISHED_2022.provinceCode,
      channel: d.channel,
      status,
      submittedAt: this.submittedAt(d),
      receivedAt: d.receivedAt,
      dueAt: d.dueAt,
      finishedAt: slot ? this.days.instant(slot.day, slot.minute) : null,
      applicantName: applicantName(this.rng, this.catalogue.districtCodeOf(d.unit)),
    };
    return { agency: this.catalogue.agencyOf(d.unit), dossier };
  }

  /** The natural finish if it lies in [lo, hi]; late ones finish soon after lo, early ones anywhere. */
  private within(d: Draft, lo: number, hi: number): Slot {
    if (d.natural.day >= lo && d.natural.day <= hi) return d.natural;
    if (d.natural.day < lo) return this.slotOn(d, Math.min(hi, this.pastBoundary(d, lo, 6)));
    return this.slotOn(d, lo + Math.floor(this.rng() * (hi - lo + 1)));
  }

  /** A day from `lo` for a dossier held over a boundary: by its due date if still possible. */
  private pastBoundary(d: Draft, lo: number, overdueMean: number): number {
    if (d.dueDay >= lo) return lo + Math.floor(this.rng() * (d.dueDay - lo + 1));
    return lo + extraDays(this.rng, overdueMean);
  }

  /** Finished after the period (mostly Sep–Oct 2022), or null when still open today. */
  private afterEnd(d: Draft): Slot | null {
    const lo = this.bounds.end + 1;
    const day = d.natural.day >= lo ? d.natural.day : this.pastBoundary(d, lo, 15);
    if (this.rng() < STUCK_FOREVER || day > this.bounds.lastFinish) return null;
    const slot = this.slotOn(d, day);
    return this.days.instant(slot.day, slot.minute) <= this.bounds.now ? slot : null;
  }

  private resolvedStatus(): Status {
    return this.rng() < 0.95 ? 10 : 9;
  }

  private withdrawnStatus(): Status {
    return this.rng() < 0.75 ? 8 : 7;
  }

  /** Online: any hour before reception (nights, weekends); by post: a few days before. */
  private submittedAt(d: Draft): Date {
    const hour = 3_600_000;
    if (d.channel === 2) return new Date(d.receivedAt.getTime() - (0.2 + Math.min(72, -Math.log(1 - this.rng()) * 14)) * hour);
    if (d.channel === 3) return new Date(d.receivedAt.getTime() - (24 + this.rng() * 48) * hour);
    return d.receivedAt;
  }

  /** An online submission that was refused at reception (3) or is still waiting (1). */
  private notReceived(date: LocalDate, status: 1 | 3): Row {
    const unit = this.catalogue.versionOn(this.catalogue.communes.pick(this.rng), date);
    const procedure = this.catalogue.procedures.pick(this.rng);
    // Refused ones were sent during the day; waiting ones on the evening after the last reception.
    const minute = status === 3 ? 6 * 60 + this.rng() * 16 * 60 : 17 * 60 + this.rng() * 6 * 60;
    const dossier: BulkDossier = {
      code: '',
      procedureId: procedure.id,
      sectorCode: procedure.sector_code,
      unitId: unit.id,
      unitAncestorIds: unit.ancestor_ids,
      provinceCode: PUBLISHED_2022.provinceCode,
      channel: 2,
      status,
      submittedAt: localInstant(date, minute),
      receivedAt: null,
      dueAt: null,
      finishedAt: null,
      applicantName: applicantName(this.rng, this.catalogue.districtCodeOf(unit)),
    };
    return { agency: this.catalogue.agencyOf(unit), dossier };
  }

  /** `{agency}-{yyMMdd}-{NNNN}`, numbered per agency and local day of submission. */
  private nextCode(agency: string, at: Date): string {
    const key = `${agency} ${localDateOf(at)}`;
    const seq = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, seq);
    return formatDossierCode(agency, at, seq);
  }
}

const slotKey = (d: Draft) => d.natural.day * 10_000 + d.natural.minute;

function* batchesOf(plan: FullDemoPlan, factory: DossierFactory): Generator<BulkDossier[]> {
  let batch: BulkDossier[] = [];
  for (const day of plan.days) {
    batch.push(...factory.day(day));
    if (batch.length >= BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// ---------------------------------------------------------------------------------------------
// Loading

async function readCatalogue(ctx: AppContext): Promise<{ units: UnitRow[]; procedures: ProcedureRow[] }> {
  const units = await ctx.db.kysely
    .selectFrom('units')
    .select(['id', 'code', 'type', 'level', 'parent_id', 'ancestor_ids', 'agency_code', 'valid_from', 'valid_to'])
    .where('province_code', '=', PUBLISHED_2022.provinceCode)
    .where('level', '!=', 'province')
    .execute();
  const procedures = await ctx.db.kysely
    .selectFrom('procedures')
    .select(['id', 'code', 'sector_code', 'sla_value', 'sla_unit'])
    .where('active', '=', true)
    .orderBy('code')
    .execute();
  if (units.length === 0 || procedures.length === 0) throw new Error('full demo: load the reference data first (units of province 70 and the procedure catalogue)');
  return { units, procedures };
}

async function refuseIfLoaded(db: Db): Promise<void> {
  const row = await db.kysely.selectFrom('dossiers').select('id').where('province_code', '=', PUBLISHED_2022.provinceCode).limit(1).executeTakeFirst();
  if (row)
    throw new Error(
      `full demo: province ${PUBLISHED_2022.provinceCode} already has dossiers; the full demo must start from none (its figures are exact), so it was not loaded again`,
    );
}

/** Live dossiers created later continue each agency's daily numbering after the seeded codes. */
async function saveSequences(client: RawClient, sequences: Map<string, number>): Promise<void> {
  const csv = [...sequences].map(([key, last]) => `${key.replace(' ', ',')},${last}`).join('\n');
  if (csv === '') return;
  await client.query('CREATE TEMP TABLE full_demo_sequences (LIKE dossier_code_sequences) ON COMMIT DROP');
  await client.copyCsv('full_demo_sequences', ['agency_code', 'day', 'last_value'], csv);
  await client.query(
    `INSERT INTO dossier_code_sequences (agency_code, day, last_value)
     SELECT agency_code, day, last_value FROM full_demo_sequences ORDER BY agency_code, day
     ON CONFLICT (agency_code, day) DO UPDATE
       SET last_value = greatest(dossier_code_sequences.last_value, excluded.last_value)`,
  );
  await client.query('DROP TABLE full_demo_sequences');
}

/** Everything the generator needs, read and built before the load starts. */
async function factoryFor(ctx: AppContext, plan: FullDemoPlan, calendar: WorkingCalendar, seed: number, now: Date): Promise<DossierFactory> {
  const { units, procedures } = await readCatalogue(ctx);
  const rng = mulberry32(seed ^ 0x5bd1e995);
  // Finishes may run into 2023 before being cut at LAST_FINISH; the index just needs to cover them.
  const days = new WorkingDays(calendar, CARRIED_FROM, '2023-12-31');
  const catalogue = new Catalogue(units, procedures, rng, (p) => (p.sla_unit === 'working_days' ? p.sla_value : p.sla_value / 8));
  const today = localDateOf(now) < LAST_FINISH ? localDateOf(now) : LAST_FINISH;
  const bounds: Bounds = {
    start: days.indexOf(plan.days.find((d) => d.date >= plan.period.from)?.date ?? plan.period.from),
    end: days.indexOf(plan.days[plan.days.length - 1]?.date ?? plan.period.to),
    lastFinish: lastWorkingIndexOnOrBefore(days, today),
    now,
  };
  return new DossierFactory(rng, calendar, days, catalogue, bounds);
}

/**
 * Loads Bình Phước's 2021–2022 dossiers (about 490,000) so that the II.06a year to date of
 * 29 Aug 2022 gives the published figures. Refuses when province 70 already has dossiers, and
 * when the clock stands before the end of that period (finishes would lie in the future).
 */
export async function seedFullDemo(ctx: AppContext, opts: { onProgress?: (done: number, total: number) => void; seed?: number }): Promise<{ dossiers: number }> {
  const seed = opts.seed ?? 2022;
  const now = ctx.now();
  if (now < localMidnight(dayAfter(PUBLISHED_2022.period.to)))
    throw new Error(`full demo: it describes Bình Phước up to ${PUBLISHED_2022.period.to}, but the clock says ${toLocalIso(now)}`);
  await refuseIfLoaded(ctx.db);
  const started = Date.now();
  const calendar = await ctx.calendar.calendar();
  const plan = planFullDemo({ isWorkingDay: (d) => calendar.isWorkingDay(d), seed });
  const total = planTotals(plan).dossiers;
  const factory = await factoryFor(ctx, plan, calendar, seed, now);

  const { inserted } = await bulkLoadDossiers(ctx.db, batchesOf(plan, factory), {
    actorId: null,
    transactionPrefix: TRANSACTION_PREFIX,
    onProgress: (done) => opts.onProgress?.(done, total),
  });
  // After the load, in its own transaction: the sequences only matter to dossiers created later
  // with a 2021–2022 date, and a second run is refused before it could number anything.
  await ctx.db.raw((client) => saveSequences(client, factory.sequences), { transaction: true });
  ctx.log.info({ dossiers: inserted, sequences: factory.sequences.size, ms: Date.now() - started }, 'full demo loaded');
  return { dossiers: inserted };
}

function lastWorkingIndexOnOrBefore(days: WorkingDays, date: LocalDate): number {
  let i = days.dates.length - 1;
  while (i > 0 && (days.dates[i] ?? '') > date) i--;
  return i;
}
