/**
 * The field sync protocol (docs/sync.md), shared by the server and the field app.
 *
 * Every change made on a phone is an immutable envelope: a client-generated UUIDv7, the device,
 * the member, the entity and its id, the version the edit was based on, the device time and a
 * hash of the payload. Household and resident records are edited field by field (a conflict is
 * per field); visits, blockers, follow-ups, their resolutions and assisted applications are
 * appended and never conflict.
 */
import type { FileRef, HouseholdFields, Readiness, ResidentFields, VisitPayload } from './syncSchemas.ts';

export type { Envelope, EnvelopeHeader, FileRef, HouseholdFields, Readiness, ResidentFields, VisitPayload } from './syncSchemas.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const BLOCKER_REASONS = ['sim_not_owner', 'no_smartphone', 'no_coverage', 'no_id_card', 'language', 'other'] as const;
export type BlockerReason = (typeof BLOCKER_REASONS)[number];

/** What a team member did on a visit (lượt hỗ trợ). */
export const VISIT_ACTIONS = [
  'installed_vneid',
  'activated_vneid_level2',
  'opened_public_service_account',
  'installed_ewallet',
  'opened_bank_account',
  'paid_bill_online',
  'submitted_application',
  'checked_sim_owner',
  'explained_online_services',
  'other',
] as const;
export type VisitAction = (typeof VISIT_ACTIONS)[number];

export const SIM_OWNERSHIP = ['unknown', 'matched', 'mismatched'] as const;

export const READINESS_FIELDS = ['smartphone', 'simOwnership', 'coverageAtHome', 'vneidLevel', 'publicServiceAccount', 'walletOrBank', 'appliedAlone'] as const satisfies readonly (keyof Readiness)[];
export const EMPTY_READINESS: Readiness = {
  smartphone: null,
  simOwnership: 'unknown',
  coverageAtHome: null,
  vneidLevel: null,
  publicServiceAccount: null,
  walletOrBank: null,
  appliedAlone: null,
};

/** Fields of a resident that are personal: sealed on the server, encrypted on the phone. */
export const PERSONAL_RESIDENT_FIELDS = ['idNumber', 'phones', 'birthDate'] as const;

export const ENTITIES = ['household', 'resident', 'visit', 'blocker', 'blocker_resolution', 'follow_up', 'follow_up_done', 'application'] as const;
export type Entity = (typeof ENTITIES)[number];
/** Entities edited field by field; the rest are appended once. */
export const EDITABLE_ENTITIES = ['household', 'resident'] as const;
export type EditableEntity = (typeof EDITABLE_ENTITIES)[number];
export const isEditable = (e: Entity): e is EditableEntity => e === 'household' || e === 'resident';

export const MAX_PUSH_BATCH = 500;

export type PushResult =
  | { id: string; result: 'accepted'; version: number | null }
  | { id: string; result: 'duplicate'; version: number | null }
  | { id: string; result: 'conflict'; version: number; conflictIds: number[] }
  | { id: string; result: 'rejected'; code: string; message: string; retryable: boolean };

/** What pull hands to a phone: the current state of each changed record. */
export type PulledRecord =
  | { entity: 'household'; id: string; version: number; data: HouseholdFields & { memberCount: number } }
  | { entity: 'resident'; id: string; version: number; data: ResidentFields }
  | { entity: 'visit'; id: string; version: 1; data: VisitPayload & { memberId: number; occurredAt: string } }
  | { entity: 'blocker'; id: string; version: number; data: BlockerView }
  | { entity: 'follow_up'; id: string; version: number; data: FollowUpView }
  | { entity: 'conflict'; id: string; version: number; data: ConflictView }
  | { entity: 'application'; id: string; version: number; data: { residentId: string; procedureCode: string; dossierCode: string | null; status: number | null; mode: string; occurredAt: string } };

export interface BlockerView {
  householdId: string | null;
  residentId: string | null;
  villageCode: string | null;
  reason: BlockerReason;
  source: 'portal' | 'field' | 'counter';
  note: string;
  status: 'open' | 'resolved';
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  /** For a portal blocker: the name the citizen gave, shown to the team. */
  personName: string | null;
}
export interface FollowUpView {
  blockerId: string | null;
  householdId: string;
  residentId: string | null;
  dueDate: string;
  assigneeId: number;
  note: string;
  doneAt: string | null;
  doneNote: string | null;
}
export interface ConflictView {
  entity: EditableEntity;
  entityId: string;
  field: string;
  kept: unknown;
  keptAt: string;
  other: unknown;
  otherAt: string;
  otherMemberId: number | null;
  status: 'open' | 'resolved';
}

export interface PullPage {
  records: PulledRecord[];
  /** Opaque; send it back to get what changed after this page. */
  cursor: string;
  more: boolean;
}

/** JSON with keys sorted at every level, so a payload hashes the same on every device. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** SHA-256 hex of the canonical payload, with WebCrypto (the same in Node 20 and browsers). */
export async function payloadHashOf(payload: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(payload));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by creation
 * time and index well.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  let ms = nowMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Readiness that a visit's actions prove: installing VNeID means level 1 at least, a public
 * service account exists once opened, and so on. Never lowers what is already known.
 */
export function readinessAfterVisit(r: Readiness, actions: readonly VisitAction[]): Partial<Readiness> {
  const out: Partial<Readiness> = {};
  const has = (a: VisitAction) => actions.includes(a);
  if (has('activated_vneid_level2') && r.vneidLevel !== 2) out.vneidLevel = 2;
  else if (has('installed_vneid') && (r.vneidLevel === null || r.vneidLevel < 1)) out.vneidLevel = 1;
  if ((has('installed_vneid') || has('installed_ewallet') || has('activated_vneid_level2')) && r.smartphone !== true) out.smartphone = true;
  if (has('opened_public_service_account') && r.publicServiceAccount !== true) out.publicServiceAccount = true;
  if ((has('installed_ewallet') || has('opened_bank_account')) && r.walletOrBank !== true) out.walletOrBank = true;
  return out;
}

/** An adult for the readiness checklist: 18 or over in the given year (birth year known). */
export function isAdult(birthYear: number | null, year: number): boolean {
  return birthYear !== null && year - birthYear >= 18;
}
