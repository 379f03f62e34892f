/**
 * What the phone shows: each record is the server's copy (as last pulled) with the member's
 * pending edits laid on top, in the order they were made (the DHIS2 rule: a pull never
 * overwrites what the member typed and has not yet been acknowledged).
 *
 * Pure functions shared by the in-memory store (tests, chaos test) and the IndexedDB store.
 */
import type { Envelope, PulledRecord } from '@causo/domain';

export type LocalEntity = PulledRecord['entity'];
export type RecordData = Record<string, unknown>;

export interface LocalRecord {
  entity: LocalEntity;
  id: string;
  /** The server's version of the record; 0 while it exists only on this phone. */
  version: number;
  /** The server's copy as last pulled, null before the first pull that contained it. */
  server: RecordData | null;
  /** What the member sees: the server copy plus pending edits. */
  data: RecordData;
}

/** The record an envelope changes: itself for most entities, the blocker or follow-up it closes otherwise. */
export function targetOf(env: Envelope): { entity: LocalEntity; id: string } {
  switch (env.entity) {
    case 'blocker_resolution':
      return { entity: 'blocker', id: env.payload.blockerId };
    case 'follow_up_done':
      return { entity: 'follow_up', id: env.payload.followUpId };
    default:
      return { entity: env.entity, id: env.entityId };
  }
}

/** The record's data after the envelope's edit (a new object; the input is not changed). */
export function overlay(data: RecordData | null, env: Envelope): RecordData {
  const base = data ?? {};
  switch (env.entity) {
    case 'household':
      return { memberCount: 0, ...base, ...env.payload };
    case 'resident':
      return { ...base, ...env.payload };
    case 'visit':
      return { ...env.payload, memberId: env.memberId, occurredAt: env.occurredAt };
    case 'blocker':
      return {
        villageCode: null,
        source: 'field',
        status: 'open',
        createdAt: env.occurredAt,
        resolvedAt: null,
        resolution: null,
        personName: null,
        ...base,
        ...env.payload,
      };
    case 'blocker_resolution':
      return { ...base, status: 'resolved', resolvedAt: env.occurredAt, resolution: env.payload.how };
    case 'follow_up':
      return { doneAt: null, doneNote: null, ...base, ...env.payload };
    case 'follow_up_done':
      return { ...base, doneAt: env.occurredAt, doneNote: env.payload.note };
    case 'application':
      return {
        dossierCode: null,
        status: null,
        ...base,
        residentId: env.payload.residentId,
        procedureCode: env.payload.procedureCode,
        mode: env.payload.mode,
        occurredAt: env.occurredAt,
      };
  }
}

/** A record after the member's own new envelope. */
export function withLocalEdit(current: LocalRecord | undefined, env: Envelope): LocalRecord {
  const target = targetOf(env);
  return {
    entity: target.entity,
    id: target.id,
    version: current?.version ?? 0,
    server: current?.server ?? null,
    data: overlay(current?.data ?? null, env),
  };
}

/** A pulled record, with the pending envelopes that target it (in creation order) laid on top. */
export function withPulled(pulled: PulledRecord, pending: readonly Envelope[]): LocalRecord {
  const server = { ...pulled.data } as RecordData;
  let data: RecordData = server;
  for (const env of pending) data = overlay(data, env);
  return { entity: pulled.entity, id: pulled.id, version: pulled.version, server, data };
}

/**
 * A record laid again after one of its envelopes was discarded: the server copy as base (or, for
 * a record not pulled yet, what the server acknowledged of it), then the pending envelopes in
 * order. Null when nothing is left of it (a refused create dropped: the server never had it).
 */
export function relaid(target: { entity: LocalEntity; id: string }, current: LocalRecord | null, acknowledged: readonly Envelope[], pending: readonly Envelope[]): LocalRecord | null {
  const base = current?.server ?? null;
  const before = base ? [] : acknowledged;
  if (!base && !before.length && !pending.length) return null;
  let data: RecordData | null = base ? { ...base } : null;
  for (const env of [...before, ...pending]) data = overlay(data, env);
  return { entity: target.entity, id: target.id, version: current?.version ?? 0, server: base, data: data ?? {} };
}

export const recordKey = (entity: LocalEntity, id: string): string => `${entity}:${id}`;
