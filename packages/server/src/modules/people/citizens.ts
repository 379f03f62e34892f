/** Citizens as the rest of the server sees them: no personal values, just who they are. */
import type { Db, Trx } from '../../db/database.ts';
import type { Vault } from '../../security/vault.ts';

/** A citizen's personal columns as stored: ID number, birth date and phone sealed, ID and phone keyed for look-up. */
export function sealedCitizenColumns(vault: Vault, p: { idNumber: string; fullName: string; birthDate: string; phone: string }) {
  return {
    id_hash: vault.lookupHash('id', p.idNumber),
    id_sealed: vault.seal({ idNumber: p.idNumber }),
    full_name: p.fullName,
    birth_date_sealed: vault.seal({ birthDate: p.birthDate }),
    phone_hash: vault.lookupHash('phone', p.phone),
    phone_sealed: vault.seal({ phone: p.phone }),
  };
}

export interface Citizen {
  id: number;
  fullName: string;
  phoneOwnership: 'unknown' | 'matched' | 'mismatched';
  hasPassword: boolean;
  preferredLang: string;
}

export async function loadCitizen(db: Db['kysely'] | Trx, id: number): Promise<Citizen | null> {
  const c = await db
    .selectFrom('citizens')
    .select(['id', 'full_name', 'phone_ownership', 'password_hash', 'preferred_lang'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!c) return null;
  return { id: c.id, fullName: c.full_name, phoneOwnership: c.phone_ownership, hasPassword: c.password_hash !== null, preferredLang: c.preferred_lang };
}
