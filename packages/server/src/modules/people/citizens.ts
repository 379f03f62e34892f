/** Citizens as the rest of the server sees them: no personal values, just who they are. */
import type { Db, Trx } from '../../db/database.ts';

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
