/** SQL for dossiers, their action log and the daily code sequence. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, DossiersTable } from '../../db/schema.ts';
import type { Trx } from '../../db/database.ts';

export type DossierRecord = Selectable<DossiersTable>;

export function lockDossierByCode(trx: Trx, code: string) {
  return trx.selectFrom('dossiers').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
}

export function findDossierByCode(db: Kysely<DB>, code: string) {
  return db.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirst();
}

export function findActionByTransaction(db: Kysely<DB>, transactionId: string) {
  return db
    .selectFrom('dossier_actions as a')
    .innerJoin('dossiers as d', 'd.id', 'a.dossier_id')
    .select(['a.action', 'a.dossier_id', 'd.code'])
    .where('a.transaction_id', '=', transactionId)
    .executeTakeFirst();
}

export function actionsOf(db: Kysely<DB>, dossierId: number) {
  return db
    .selectFrom('dossier_actions as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select(['a.seq', 'a.action', 'a.from_status', 'a.to_status', 'a.actor_role', 'a.occurred_at', 'a.received_at', 'a.transaction_id', 'a.payload', 'u.username'])
    .where('a.dossier_id', '=', dossierId)
    .orderBy('a.seq')
    .execute();
}

export interface ListFilter {
  rootUnitIds: number[];
  status?: number | undefined;
  procedureId?: number | undefined;
  channel?: number | undefined;
  receivedFrom?: Date | undefined;
  receivedBefore?: Date | undefined;
  code?: string | undefined;
  nameTokens: string[];
  phoneHash?: string | undefined;
  limit: number;
  offset: number;
}

export function listDossiers(db: Kysely<DB>, f: ListFilter) {
  let q = db
    .selectFrom('dossiers as d')
    .innerJoin('units as u', 'u.id', 'd.unit_id')
    .innerJoin('procedures as p', 'p.id', 'd.procedure_id')
    .select([
      'd.code', 'd.status', 'd.channel', 'd.applicant_name', 'd.submitted_at', 'd.received_at', 'd.due_at', 'd.finished_at',
      'p.code as procedure_code', 'p.name_vi as procedure_name', 'p.sector_code', 'u.code as unit_code', 'u.name as unit_name', 'u.valid_from as unit_valid_from',
    ])
    .where(sql<boolean>`u.ancestor_ids && ${sql.val(f.rootUnitIds)}::int[]`);
  if (f.status !== undefined) q = q.where('d.status', '=', f.status);
  if (f.procedureId !== undefined) q = q.where('d.procedure_id', '=', f.procedureId);
  if (f.channel !== undefined) q = q.where('d.channel', '=', f.channel);
  if (f.receivedFrom) q = q.where('d.received_at', '>=', f.receivedFrom);
  if (f.receivedBefore) q = q.where('d.received_at', '<', f.receivedBefore);
  if (f.code) q = q.where('d.code', '=', f.code);
  if (f.phoneHash) q = q.where('d.applicant_phone_hash', '=', f.phoneHash);
  for (const t of f.nameTokens) q = q.where('d.applicant_search', 'like', `%${t}%`);
  return q.orderBy('d.submitted_at', 'desc').orderBy('d.id', 'desc').limit(f.limit).offset(f.offset).execute();
}
