/**
 * Field-level merge of an edit into a household or resident record (pure; see docs/sync.md).
 *
 * Each field remembers the version that last changed it. An edit based on version b changes a
 * field outright when nobody else changed that field after b (or only this same device did: a
 * phone's own earlier edits are what it built on). Otherwise the two values meet: the later
 * device time (`occurredAt`) is kept and shown, the other is listed as a conflict; both stay.
 */
import { canonicalJson } from '@causo/domain';
import type { FieldMeta } from '../teams/schema.ts';

export interface IncomingEdit {
  envelopeId: string;
  deviceId: string;
  memberId: number;
  baseVersion: number;
  occurredAt: string;
  patch: Record<string, unknown>;
}

export interface FieldConflict {
  field: string;
  kept: unknown;
  keptAt: string;
  keptEnvelope: string | null;
  other: unknown;
  otherAt: string;
  otherEnvelope: string | null;
  incomingWon: boolean;
}

export interface MergeOutcome {
  /** The fields whose stored value changes. */
  changed: Record<string, unknown>;
  meta: FieldMeta;
  conflicts: FieldConflict[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

export function mergeEdit(current: Record<string, unknown>, meta: FieldMeta, edit: IncomingEdit, newVersion: number): MergeOutcome {
  const out: MergeOutcome = { changed: {}, meta: { ...meta }, conflicts: [] };
  const stamp = { v: newVersion, at: edit.occurredAt, env: edit.envelopeId, dev: edit.deviceId };
  for (const [field, value] of Object.entries(edit.patch)) {
    if (value === undefined || same(current[field], value)) continue;
    const m = meta[field];
    const changedSinceBase = m !== undefined && m.v > edit.baseVersion && m.dev !== edit.deviceId;
    if (!changedSinceBase) {
      out.changed[field] = value;
      out.meta[field] = stamp;
      continue;
    }
    // Ties on device time go to the value already stored: the result must not depend on arrival order twice.
    const incomingWon = Date.parse(edit.occurredAt) > Date.parse(m.at);
    if (incomingWon) {
      out.changed[field] = value;
      out.meta[field] = stamp;
    }
    out.conflicts.push(
      incomingWon
        ? { field, kept: value, keptAt: edit.occurredAt, keptEnvelope: edit.envelopeId, other: current[field] ?? null, otherAt: m.at, otherEnvelope: m.env, incomingWon }
        : { field, kept: current[field] ?? null, keptAt: m.at, keptEnvelope: m.env, other: value, otherAt: edit.occurredAt, otherEnvelope: edit.envelopeId, incomingWon },
    );
  }
  return out;
}
