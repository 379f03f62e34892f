/**
 * Building an envelope for a change made on the phone: id, hash, and a check of its header.
 * The payload's fields are checked by the screens (and by the server's zod schemas, which answer
 * "needs fixing" with a message); the phone bundles no zod (`@causo/domain/sync` is plain code).
 */
import { ENTITIES, UUID, payloadHashOf, uuidv7, type Entity } from '@causo/domain/sync';
import type { Envelope } from '@causo/domain';

export interface EnvelopeInput {
  entity: Entity;
  op: 'create' | 'update' | 'append';
  entityId: string;
  baseVersion: number | null;
  payload: Record<string, unknown>;
  deviceId: string;
  memberId: number;
  now?: Date;
}

/** The ops each entity takes (docs/sync.md, section 2). */
const OPS: Record<Entity, readonly EnvelopeInput['op'][]> = {
  household: ['create', 'update'],
  resident: ['create', 'update'],
  visit: ['append'],
  blocker: ['append'],
  blocker_resolution: ['append'],
  follow_up: ['append'],
  follow_up_done: ['append'],
  application: ['append'],
};

/** Throws when the header breaks the protocol (a programming error: the screens build it). */
export async function makeEnvelope(input: EnvelopeInput): Promise<Envelope> {
  if (!ENTITIES.includes(input.entity) || !OPS[input.entity].includes(input.op)) throw new Error(`envelope: ${input.entity} cannot ${input.op}`);
  if (!UUID.test(input.entityId)) throw new Error(`envelope: entityId ${input.entityId} is not a UUID`);
  if (input.op === 'update' ? !(Number.isInteger(input.baseVersion) && (input.baseVersion ?? 0) > 0) : input.baseVersion !== null) throw new Error(`envelope: baseVersion ${input.baseVersion} for ${input.op}`);
  if (!input.payload || typeof input.payload !== 'object' || Array.isArray(input.payload)) throw new Error('envelope: payload is not an object');
  const now = input.now ?? new Date();
  return {
    id: uuidv7(now.getTime()),
    deviceId: input.deviceId,
    memberId: input.memberId,
    entity: input.entity,
    op: input.op,
    entityId: input.entityId,
    baseVersion: input.baseVersion,
    occurredAt: now.toISOString(),
    payload: input.payload,
    payloadHash: await payloadHashOf(input.payload),
  } as Envelope;
}

/** An update's base: the server version we know, or 1 for a record whose create is still in the outbox. */
export const baseVersionOf = (localVersion: number): number => (localVersion > 0 ? localVersion : 1);
