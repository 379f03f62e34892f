/**
 * Campaign indicators (chỉ tiêu), each defined once: what it means in plain words, its formula,
 * where its numbers come from, and how a parent unit's value follows from its children's.
 *
 * Everything a dashboard shows is computed from `IndicatorInputs`: raw, additive figures for one
 * unit and one period (sums of counts, and a histogram of days for the median). Merging the
 * inputs of a unit's children (plus the unit's own-level figures, such as a commune's dossiers)
 * gives exactly the inputs of the unit, so a province's value always equals the aggregation of
 * its districts', communes' and villages'. Values are computed from inputs only here.
 *
 * "No data" is not zero: a percentage over a register that no village under the unit has yet,
 * or over no dossiers, is `null`; so is a household count where no village has a register.
 */
import { BLOCKER_REASONS, type BlockerReason } from './sync.ts';

/** Figures of the household register (sổ hộ) at the end of the period. */
export interface RegisterInputs {
  households: number;
  residents: number;
  /** Residents 18 or over (birth year known): the denominator of the readiness percentages. */
  adults: number;
  smartphone: number;
  simMatched: number;
  vneid2: number;
  serviceAccounts: number;
  walletOrBank: number;
}
export const REGISTER_FIELDS = ['households', 'residents', 'adults', 'smartphone', 'simMatched', 'vneid2', 'serviceAccounts', 'walletOrBank'] as const satisfies readonly (keyof RegisterInputs)[];

/** Dossier figures of the period, from the II.06a counters. */
export interface DossierInputs {
  receivedOnline: number;
  receivedDirect: number;
  /** Resolved before or on the due date. */
  resolvedOnTime: number;
  resolvedLate: number;
}
export const DOSSIER_FIELDS = ['receivedOnline', 'receivedDirect', 'resolvedOnTime', 'resolvedLate'] as const satisfies readonly (keyof DossierInputs)[];

/** Longest time to resolve a blocker that the histogram tells apart; longer ones land in the last bucket. */
export const RESOLVE_DAYS_CAP = 365;

export interface IndicatorInputs {
  /** Villages under the unit, and how many of them have a household register (at least one household). */
  villages: number;
  villagesWithRegister: number;
  register: RegisterInputs;
  dossiers: DossierInputs;
  /** Dossiers submitted through a team member (hỗ trợ nộp hồ sơ) in the period. */
  assistedApplications: number;
  /** Distinct households with at least one visit in the period. */
  householdsVisited: number;
  /** Blockers still open at the end of the period, by reason. */
  openBlockers: Record<BlockerReason, number>;
  /** Blockers resolved in the period. */
  blockersResolved: number;
  /** Sparse histogram of whole days from recording to resolving, for blockers resolved in the period: day → count. */
  resolveDays: Record<number, number>;
}

export const emptyRegister = (): RegisterInputs => ({ households: 0, residents: 0, adults: 0, smartphone: 0, simMatched: 0, vneid2: 0, serviceAccounts: 0, walletOrBank: 0 });
export const emptyDossiers = (): DossierInputs => ({ receivedOnline: 0, receivedDirect: 0, resolvedOnTime: 0, resolvedLate: 0 });
export const emptyBlockers = (): Record<BlockerReason, number> => Object.fromEntries(BLOCKER_REASONS.map((r) => [r, 0])) as Record<BlockerReason, number>;

export function emptyInputs(): IndicatorInputs {
  return {
    villages: 0,
    villagesWithRegister: 0,
    register: emptyRegister(),
    dossiers: emptyDossiers(),
    assistedApplications: 0,
    householdsVisited: 0,
    openBlockers: emptyBlockers(),
    blockersResolved: 0,
    resolveDays: {},
  };
}

/** The inputs of a unit from those of its parts (children and own level): every figure adds up. */
export function mergeInputs(parts: readonly IndicatorInputs[]): IndicatorInputs {
  const out = emptyInputs();
  for (const p of parts) {
    out.villages += p.villages;
    out.villagesWithRegister += p.villagesWithRegister;
    for (const f of REGISTER_FIELDS) out.register[f] += p.register[f];
    for (const f of DOSSIER_FIELDS) out.dossiers[f] += p.dossiers[f];
    out.assistedApplications += p.assistedApplications;
    out.householdsVisited += p.householdsVisited;
    for (const r of BLOCKER_REASONS) out.openBlockers[r] += p.openBlockers[r];
    out.blockersResolved += p.blockersResolved;
    for (const [day, n] of Object.entries(p.resolveDays)) out.resolveDays[Number(day)] = (out.resolveDays[Number(day)] ?? 0) + n;
  }
  return out;
}

/** The median of a day histogram (the mean of the two middle values for an even count); null when empty. */
export function histogramMedian(histogram: Readonly<Record<number, number>>): number | null {
  const days = Object.keys(histogram).map(Number).filter((d) => (histogram[d] ?? 0) > 0).sort((a, b) => a - b);
  const total = days.reduce((s, d) => s + (histogram[d] ?? 0), 0);
  if (total === 0) return null;
  const at = (k: number): number => {
    let seen = 0;
    for (const d of days) {
      seen += histogram[d] ?? 0;
      if (seen > k) return d;
    }
    return days[days.length - 1] ?? 0;
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

export const INDICATOR_KEYS = [
  'smartphone_pct',
  'sim_owner_pct',
  'vneid2_pct',
  'service_accounts',
  'wallet_bank_pct',
  'assisted_applications',
  'online_share_pct',
  'on_time_pct',
  'households_visited',
  'open_blockers',
  'blockers_resolved',
  'blocker_median_days',
] as const;
export type IndicatorKey = (typeof INDICATOR_KEYS)[number];

export type IndicatorKind = 'percent' | 'count' | 'days';
/** Where the figures come from; shown on screen with the formula. */
export type IndicatorSource = 'register' | 'dossiers' | 'field';

export interface IndicatorValue {
  /** The value (a percentage 0–100, a count or a number of days); null means "no data". */
  value: number | null;
  /** The fraction behind a percentage, so a table can show "412 / 980". */
  numerator: number | null;
  denominator: number | null;
}

export interface IndicatorDefinition {
  key: IndicatorKey;
  kind: IndicatorKind;
  source: IndicatorSource;
  /** True when more is better (a smaller number of open blockers or of days is better). */
  higherIsBetter: boolean;
  /** How a parent target relates to its children's targets (see `checkChildTargets`). */
  split: 'sum' | 'weighted_mean' | 'max';
  name: { vi: string; en: string };
  description: { vi: string; en: string };
  formula: { vi: string; en: string };
  compute(inputs: IndicatorInputs): IndicatorValue;
  /** The weight of a unit when splitting or checking a percentage target, and when splitting a count. */
  weight(inputs: IndicatorInputs): number;
}

const noRegister = (i: IndicatorInputs): boolean => i.villagesWithRegister === 0;
const ratio = (numerator: number, denominator: number): IndicatorValue =>
  denominator > 0 ? { value: (100 * numerator) / denominator, numerator, denominator } : { value: null, numerator, denominator };
const registerRatio = (i: IndicatorInputs, pick: (r: RegisterInputs) => number): IndicatorValue =>
  noRegister(i) ? { value: null, numerator: null, denominator: null } : ratio(pick(i.register), i.register.adults);
const count = (value: number | null): IndicatorValue => ({ value, numerator: null, denominator: null });
const openBlockerTotal = (i: IndicatorInputs): number => BLOCKER_REASONS.reduce((s, r) => s + i.openBlockers[r], 0);
const adults = (i: IndicatorInputs): number => i.register.adults;
const households = (i: IndicatorInputs): number => i.register.households;
const dossiersReceived = (i: IndicatorInputs): number => i.dossiers.receivedOnline + i.dossiers.receivedDirect;
const dossiersResolved = (i: IndicatorInputs): number => i.dossiers.resolvedOnTime + i.dossiers.resolvedLate;

export const INDICATORS: Record<IndicatorKey, IndicatorDefinition> = {
  smartphone_pct: {
    key: 'smartphone_pct', kind: 'percent', source: 'register', higherIsBetter: true, split: 'weighted_mean',
    name: { vi: 'Người trưởng thành có điện thoại thông minh', en: 'Adults with a smartphone' },
    description: { vi: 'Tỉ lệ người từ 18 tuổi trong sổ hộ có điện thoại thông minh.', en: 'Share of residents aged 18 or over in the household register who have a smartphone.' },
    formula: { vi: 'số người ≥ 18 tuổi có điện thoại thông minh ÷ số người ≥ 18 tuổi × 100', en: 'adults with a smartphone ÷ adults × 100' },
    compute: (i) => registerRatio(i, (r) => r.smartphone),
    weight: adults,
  },
  sim_owner_pct: {
    key: 'sim_owner_pct', kind: 'percent', source: 'register', higherIsBetter: true, split: 'weighted_mean',
    name: { vi: 'Số điện thoại đứng tên chính chủ', en: 'Phone registered in own name' },
    description: { vi: 'Tỉ lệ người từ 18 tuổi có số điện thoại đã kiểm tra là đứng tên chính mình (sim chính chủ).', en: 'Share of adults whose phone number was checked and is registered in their own name.' },
    formula: { vi: 'số người ≥ 18 tuổi có sim chính chủ ÷ số người ≥ 18 tuổi × 100', en: 'adults whose SIM matched ÷ adults × 100' },
    compute: (i) => registerRatio(i, (r) => r.simMatched),
    weight: adults,
  },
  vneid2_pct: {
    key: 'vneid2_pct', kind: 'percent', source: 'register', higherIsBetter: true, split: 'weighted_mean',
    name: { vi: 'Định danh điện tử mức 2 (VNeID)', en: 'VNeID level 2' },
    description: { vi: 'Tỉ lệ người từ 18 tuổi đã kích hoạt tài khoản định danh điện tử mức 2.', en: 'Share of adults with an activated level-2 VNeID account.' },
    formula: { vi: 'số người ≥ 18 tuổi có VNeID mức 2 ÷ số người ≥ 18 tuổi × 100', en: 'adults with VNeID level 2 ÷ adults × 100' },
    compute: (i) => registerRatio(i, (r) => r.vneid2),
    weight: adults,
  },
  service_accounts: {
    key: 'service_accounts', kind: 'count', source: 'register', higherIsBetter: true, split: 'sum',
    name: { vi: 'Tài khoản dịch vụ công', en: 'Public-service accounts' },
    description: { vi: 'Số người từ 18 tuổi trong sổ hộ đã có tài khoản trên Cổng dịch vụ công.', en: 'Adults in the household register who have a public-service portal account.' },
    formula: { vi: 'đếm số người ≥ 18 tuổi có tài khoản dịch vụ công', en: 'count of adults with a public-service account' },
    compute: (i) => count(noRegister(i) ? null : i.register.serviceAccounts),
    weight: adults,
  },
  wallet_bank_pct: {
    key: 'wallet_bank_pct', kind: 'percent', source: 'register', higherIsBetter: true, split: 'weighted_mean',
    name: { vi: 'Có ví điện tử hoặc tài khoản ngân hàng', en: 'E-wallet or bank account' },
    description: { vi: 'Tỉ lệ người từ 18 tuổi có ví điện tử hoặc tài khoản ngân hàng để thanh toán trực tuyến.', en: 'Share of adults with an e-wallet or a bank account for paying online.' },
    formula: { vi: 'số người ≥ 18 tuổi có ví điện tử hoặc tài khoản ngân hàng ÷ số người ≥ 18 tuổi × 100', en: 'adults with an e-wallet or bank account ÷ adults × 100' },
    compute: (i) => registerRatio(i, (r) => r.walletOrBank),
    weight: adults,
  },
  assisted_applications: {
    key: 'assisted_applications', kind: 'count', source: 'field', higherIsBetter: true, split: 'sum',
    name: { vi: 'Hồ sơ trực tuyến được hỗ trợ nộp', en: 'Assisted online applications' },
    description: { vi: 'Số hồ sơ trực tuyến tổ công nghệ số cộng đồng giúp người dân nộp trong kỳ.', en: 'Online dossiers a community digital technology team helped residents submit in the period.' },
    formula: { vi: 'đếm hồ sơ hỗ trợ nộp có thời điểm nộp trong kỳ', en: 'count of assisted dossiers submitted in the period' },
    compute: (i) => count(i.assistedApplications),
    weight: adults,
  },
  online_share_pct: {
    key: 'online_share_pct', kind: 'percent', source: 'dossiers', higherIsBetter: true, split: 'weighted_mean',
    name: { vi: 'Tỉ lệ hồ sơ tiếp nhận trực tuyến', en: 'Dossiers received online' },
    description: { vi: 'Trong số hồ sơ mới tiếp nhận trong kỳ, tỉ lệ được nộp trực tuyến (cột 4 của biểu II.06a).', en: 'Of the dossiers newly received in the period, the share received online (column 4 of form II.06a).' },
    formula: { vi: 'hồ sơ tiếp nhận trực tuyến ÷ (trực tuyến + trực tiếp, bưu chính) × 100', en: 'received online ÷ (online + direct and post) × 100' },
    compute: (i) => ratio(i.dossiers.receivedOnline, dossiersReceived(i)),
    weight: dossiersReceived,
  },
  on_time_pct: {
    key: 'on_time_pct', kind: 'percent', source: 'dossiers', higherIsBetter: true, split: 'weighted_mean',
    name: { vi: 'Hồ sơ giải quyết đúng hạn', en: 'Dossiers resolved on time' },
    description: { vi: 'Trong số hồ sơ đã giải quyết trong kỳ, tỉ lệ giải quyết trước hạn hoặc đúng hạn.', en: 'Of the dossiers resolved in the period, the share resolved before or on the due date.' },
    formula: { vi: '(trước hạn + đúng hạn) ÷ tổng số đã giải quyết × 100', en: '(before + on the due date) ÷ all resolved × 100' },
    compute: (i) => ratio(i.dossiers.resolvedOnTime, dossiersResolved(i)),
    weight: dossiersResolved,
  },
  households_visited: {
    key: 'households_visited', kind: 'count', source: 'field', higherIsBetter: true, split: 'sum',
    name: { vi: 'Hộ gia đình đã được đến hỗ trợ', en: 'Households visited' },
    description: { vi: 'Số hộ được tổ công nghệ số cộng đồng đến hỗ trợ ít nhất một lần trong kỳ.', en: 'Households a team visited at least once in the period.' },
    formula: { vi: 'đếm số hộ khác nhau có lượt hỗ trợ trong kỳ', en: 'count of distinct households with a visit in the period' },
    compute: (i) => count(noRegister(i) ? null : i.householdsVisited),
    weight: households,
  },
  open_blockers: {
    key: 'open_blockers', kind: 'count', source: 'field', higherIsBetter: false, split: 'sum',
    name: { vi: 'Vướng mắc chưa giải quyết', en: 'Open blockers' },
    description: { vi: 'Số vướng mắc (sim không chính chủ, không có điện thoại thông minh, không có sóng...) còn mở vào cuối kỳ, theo từng lý do.', en: 'Blockers (SIM not in own name, no smartphone, no coverage...) still open at the end of the period, by reason.' },
    formula: { vi: 'đếm vướng mắc ghi nhận trước cuối kỳ và chưa giải quyết lúc cuối kỳ', en: 'count of blockers recorded before the end of the period and not resolved by then' },
    compute: (i) => count(openBlockerTotal(i)),
    weight: households,
  },
  blockers_resolved: {
    key: 'blockers_resolved', kind: 'count', source: 'field', higherIsBetter: true, split: 'sum',
    name: { vi: 'Vướng mắc đã giải quyết', en: 'Blockers resolved' },
    description: { vi: 'Số vướng mắc được giải quyết trong kỳ.', en: 'Blockers resolved in the period.' },
    formula: { vi: 'đếm vướng mắc có ngày giải quyết trong kỳ', en: 'count of blockers resolved in the period' },
    compute: (i) => count(i.blockersResolved),
    weight: households,
  },
  blocker_median_days: {
    key: 'blocker_median_days', kind: 'days', source: 'field', higherIsBetter: false, split: 'max',
    name: { vi: 'Số ngày giải quyết vướng mắc (trung vị)', en: 'Median days to resolve a blocker' },
    description: { vi: 'Một nửa số vướng mắc giải quyết trong kỳ được giải quyết trong không quá số ngày này.', en: 'Half of the blockers resolved in the period were resolved within this many days.' },
    formula: { vi: 'trung vị của (ngày giải quyết − ngày ghi nhận), tính theo ngày', en: 'median of (day resolved − day recorded), in days' },
    compute: (i) => count(histogramMedian(i.resolveDays)),
    weight: (i) => i.blockersResolved,
  },
};

export interface TargetProgress {
  /** Progress towards the target in percent (capped at 100 only by the caller, if it wants); null without a value or a target. */
  percentOfTarget: number | null;
  met: boolean | null;
}

/** How far a value has come towards its target. For lower-is-better indicators a value at or under the target is 100%. */
export function progressTowards(def: Pick<IndicatorDefinition, 'higherIsBetter'>, value: number | null, target: number | null): TargetProgress {
  if (value === null || target === null) return { percentOfTarget: null, met: null };
  if (def.higherIsBetter) {
    if (target <= 0) return { percentOfTarget: 100, met: true };
    return { percentOfTarget: (100 * value) / target, met: value >= target };
  }
  if (value <= target) return { percentOfTarget: 100, met: true };
  return { percentOfTarget: value === 0 ? 100 : (100 * target) / value, met: false };
}

export interface ChildTarget {
  unitId: number;
  target: number | null;
  /** The child's weight for this indicator (adults, households, dossiers...). */
  weight: number;
}

export type ChildTargetCheck =
  | { status: 'ok'; combined: number }
  | { status: 'short'; combined: number }
  | { status: 'incomplete'; missing: number }
  | { status: 'no_children' };

/**
 * Whether the children's targets add up to the parent's:
 * - counts (sum): the children's targets must add up to at least the parent's (at most, when
 *   fewer is better);
 * - percentages (weighted_mean): the children's targets averaged with their weights (adults,
 *   dossiers) must reach the parent's; with no weights at all, a plain mean;
 * - days (max): no child may be allowed more days than the parent.
 * Every child needs a target before the check can say anything.
 */
export function checkChildTargets(def: Pick<IndicatorDefinition, 'higherIsBetter' | 'split'>, parentTarget: number, children: readonly ChildTarget[]): ChildTargetCheck {
  if (children.length === 0) return { status: 'no_children' };
  const missing = children.filter((c) => c.target === null).length;
  if (missing > 0) return { status: 'incomplete', missing };
  const targets = children.map((c) => c.target as number);
  let combined: number;
  if (def.split === 'sum') combined = targets.reduce((s, t) => s + t, 0);
  else if (def.split === 'max') combined = Math.max(...targets);
  else {
    const totalWeight = children.reduce((s, c) => s + c.weight, 0);
    combined = totalWeight > 0 ? children.reduce((s, c) => s + (c.target as number) * c.weight, 0) / totalWeight : targets.reduce((s, t) => s + t, 0) / targets.length;
  }
  // A rounding tolerance: percentages are entered with one decimal.
  const eps = def.split === 'weighted_mean' ? 0.05 : 1e-9;
  const fine = def.higherIsBetter ? combined >= parentTarget - eps : combined <= parentTarget + eps;
  return { status: fine ? 'ok' : 'short', combined };
}

/**
 * Splits a parent target over its children so that the check above passes: counts in
 * proportion to the children's weights, rounded to whole numbers that add up exactly (largest
 * remainders first; equal shares when no child has a weight); percentages and days as the same
 * value for every child.
 */
export function splitTarget(def: Pick<IndicatorDefinition, 'split' | 'kind'>, parentTarget: number, children: readonly { unitId: number; weight: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  if (children.length === 0) return out;
  if (def.split !== 'sum') {
    for (const c of children) out.set(c.unitId, parentTarget);
    return out;
  }
  const total = Math.round(parentTarget);
  const totalWeight = children.reduce((s, c) => s + Math.max(0, c.weight), 0);
  const shares = children.map((c) => ({ unitId: c.unitId, exact: totalWeight > 0 ? (total * Math.max(0, c.weight)) / totalWeight : total / children.length }));
  let given = 0;
  for (const s of shares) {
    const whole = Math.floor(s.exact);
    out.set(s.unitId, whole);
    given += whole;
  }
  const byRemainder = [...shares].sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.unitId - b.unitId);
  for (let k = 0; given < total; k++, given++) {
    const s = byRemainder[k % byRemainder.length]!;
    out.set(s.unitId, (out.get(s.unitId) ?? 0) + 1);
  }
  return out;
}

/** A target as typed or imported: percentages 0–100 with one decimal, counts whole, days with one decimal. */
export function normalizeTarget(kind: IndicatorKind, value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  if (kind === 'percent') return value > 100 ? null : Math.round(value * 10) / 10;
  if (kind === 'count') return Number.isInteger(value) ? value : null;
  return Math.round(value * 10) / 10;
}
