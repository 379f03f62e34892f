/** SQL for the procedure catalogue and its sectors. */
import type { Kysely, Selectable } from 'kysely';
import type { DB, ProceduresTable } from '../../db/schema.ts';

export type ProcedureRecord = Selectable<ProceduresTable>;

export function findProcedureByCode(db: Kysely<DB>, code: string) {
  return db.selectFrom('procedures').selectAll().where('code', '=', code).executeTakeFirst();
}

export function findProcedureById(db: Kysely<DB>, id: number) {
  return db.selectFrom('procedures').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ProcedureFilter {
  sector?: string | undefined;
  onlineLevel?: 'full' | 'partial' | undefined;
  lifeEvent?: string | undefined;
  searchTokens: string[];
  limit: number;
  offset: number;
}

export function listProcedures(db: Kysely<DB>, f: ProcedureFilter) {
  let q = db.selectFrom('procedures').selectAll().where('active', '=', true);
  if (f.sector) q = q.where('sector_code', '=', f.sector);
  if (f.onlineLevel) q = q.where('online_level', '=', f.onlineLevel);
  if (f.lifeEvent) { const e = f.lifeEvent; q = q.where((eb) => eb(eb.val(e), '=', eb.fn.any('life_events'))); }
  for (const t of f.searchTokens) q = q.where('search_text', 'like', `%${t}%`);
  return q.orderBy('code').limit(f.limit).offset(f.offset).execute();
}

export function listSectors(db: Kysely<DB>) {
  return db.selectFrom('sectors').selectAll().orderBy('code').execute();
}

/** The whole catalogue for administrators, inactive procedures included. */
export function listProceduresForAdmin(db: Kysely<DB>, f: { searchTokens: string[]; limit: number; offset: number }) {
  let q = db.selectFrom('procedures').selectAll();
  for (const t of f.searchTokens) q = q.where('search_text', 'like', `%${t}%`);
  return q.orderBy('code').limit(f.limit).offset(f.offset).execute();
}

let editGeneration = 0;
/** Moves each time an admin saves a procedure in this process, so caches of procedure names (the office queue's) start again. */
export function procedureEditGeneration(): number {
  return editGeneration;
}
export function procedureEdited(): void {
  editGeneration++;
}
