/** Building an envelope for a change made on the phone: id, hash and a check against the shared schema. */
import { envelopeSchema, payloadHashOf, uuidv7, type Entity, type Envelope } from '@causo/domain';

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

/** Throws (a zod error) when the payload breaks the protocol: the screens check their fields first. */
export async function makeEnvelope(input: EnvelopeInput): Promise<Envelope> {
  const now = input.now ?? new Date();
  const candidate = {
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
  };
  return envelopeSchema.parse(candidate);
}

/** An update's base: the server version we know, or 1 for a record whose create is still in the outbox. */
export const baseVersionOf = (localVersion: number): number => (localVersion > 0 ? localVersion : 1);
