/**
 * Blockers (vướng mắc): a person who could not use the online services and why, kept for a
 * community team member to follow up. The portal records one when the telecom register says
 * the phone is not in the person's name; a repeated attempt adds to the open blocker instead
 * of making another.
 */
import type { Trx } from '../../db/database.ts';
import type { Vault } from '../../security/vault.ts';
import { audit } from '../audit/service.ts';
import { linkNewPortalBlocker } from '../sync/apply/portalBlockers.ts';
import type { BlockerKind } from './schema.ts';
import type { SignupDetails } from './forms.ts';

export interface PortalBlocker {
  person: SignupDetails;
  kind: BlockerKind;
  note: string;
  register: string;
  now: Date;
  ip: string | null;
}

export async function recordPortalBlocker(trx: Trx, vault: Vault, b: PortalBlocker): Promise<number> {
  const idHash = vault.lookupHash('id', b.person.idNumber);
  const row = await trx
    .insertInto('blockers')
    .values({
      id_hash: idHash,
      phone_hash: vault.lookupHash('phone', b.person.phone),
      person_sealed: vault.seal(b.person),
      kind: b.kind,
      source: 'portal',
      note: b.note,
      register: b.register,
      created_at: b.now,
      last_seen_at: b.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['id_hash', 'kind'])
        .where('status', '=', 'open')
        .doUpdateSet((eb) => ({
          occurrences: eb('blockers.occurrences', '+', 1),
          last_seen_at: b.now,
          // The latest attempt is what the team member calls about.
          person_sealed: eb.ref('excluded.person_sealed'),
          phone_hash: eb.ref('excluded.phone_hash'),
          note: eb.ref('excluded.note'),
          register: eb.ref('excluded.register'),
        })),
    )
    .returning(['id', 'occurrences'])
    .executeTakeFirstOrThrow();
  // Someone already in a team's household register: the team sees the blocker after its next sync.
  await linkNewPortalBlocker(trx, row.id, idHash, vault.lookupHash('phone', b.person.phone));
  await audit(trx, { actorId: null, action: 'blocker.recorded', entity: 'blocker', entityId: row.id, detail: { kind: b.kind, source: 'portal', register: b.register, occurrences: row.occurrences }, ip: b.ip });
  return row.id;
}
