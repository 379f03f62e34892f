/** The corrected envelope of a refused one, without the DOM (tested in Node). */
import type { Envelope } from '@causo/domain';
import type { SaveInput } from '../app/controller.ts';
import { baseVersionOf } from '../sync/envelopes.ts';
import type { LocalFile } from '../sync/types.ts';

/** A refused envelope being corrected: what was sent, the server's message, its photos. */
export interface Fix {
  id: string;
  envelope: Envelope;
  message: string | null;
  files: LocalFile[];
}

/**
 * The corrected envelope: a create again for a refused create (all fields), otherwise an update
 * of the fields the refused one carried plus any other field the member changed, on the version
 * the phone knows now.
 */
export function fixedInput(fix: Fix, fields: Record<string, unknown>, changed: Record<string, unknown>, localVersion: number): SaveInput {
  const env = fix.envelope;
  if (env.op !== 'update') return { entity: env.entity, op: env.op, entityId: env.entityId, baseVersion: null, payload: fields };
  const carried: Record<string, unknown> = {};
  for (const k of Object.keys(env.payload)) if (k in fields) carried[k] = fields[k];
  return { entity: env.entity, op: 'update', entityId: env.entityId, baseVersion: baseVersionOf(localVersion), payload: { ...carried, ...changed } };
}
