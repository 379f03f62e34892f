/** Typed views of the plain (unsealed) fields screens list, read straight from IndexedDB rows. */
import type { Readiness } from '@causo/domain';
import type { RecordRow } from '../store/db.ts';

export interface HouseholdView {
  id: string;
  version: number;
  villageCode: string;
  headName: string;
  address: string;
  note: string;
  memberCount: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export function householdOf(row: RecordRow): HouseholdView {
  const d = row.data;
  return { id: row.id, version: row.version, villageCode: str(d.villageCode), headName: str(d.headName), address: str(d.address), note: str(d.note), memberCount: num(d.memberCount) };
}

export interface ResidentPlain extends Readiness {
  id: string;
  version: number;
  householdId: string;
  fullName: string;
  birthYear: number | null;
  sex: 'male' | 'female' | null;
  ethnicity: string;
  relation: string;
}

export function residentOf(row: { id: string; version: number; data: Record<string, unknown> }): ResidentPlain {
  const d = row.data;
  const boolOrNull = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
  const level = d.vneidLevel === 0 || d.vneidLevel === 1 || d.vneidLevel === 2 ? d.vneidLevel : null;
  const sim = d.simOwnership === 'matched' || d.simOwnership === 'mismatched' ? d.simOwnership : 'unknown';
  return {
    id: row.id,
    version: row.version,
    householdId: str(d.householdId),
    fullName: str(d.fullName),
    birthYear: typeof d.birthYear === 'number' ? d.birthYear : null,
    sex: d.sex === 'male' || d.sex === 'female' ? d.sex : null,
    ethnicity: str(d.ethnicity),
    relation: str(d.relation),
    smartphone: boolOrNull(d.smartphone),
    simOwnership: sim,
    coverageAtHome: boolOrNull(d.coverageAtHome),
    vneidLevel: level,
    publicServiceAccount: boolOrNull(d.publicServiceAccount),
    walletOrBank: boolOrNull(d.walletOrBank),
    appliedAlone: boolOrNull(d.appliedAlone),
  };
}

export const readinessOf = (r: ResidentPlain): Readiness => ({
  smartphone: r.smartphone,
  simOwnership: r.simOwnership,
  coverageAtHome: r.coverageAtHome,
  vneidLevel: r.vneidLevel,
  publicServiceAccount: r.publicServiceAccount,
  walletOrBank: r.walletOrBank,
  appliedAlone: r.appliedAlone,
});

/** Today's date in Viet Nam (UTC+7, no daylight saving). */
export const todayVn = (): string => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
