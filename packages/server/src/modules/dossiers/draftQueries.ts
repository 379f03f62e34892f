/** SQL for applications being filled in (drafts). Plain rows out; rules live in drafts.ts. */
import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Trx } from '../../db/database.ts';

export interface DraftsTable {
  id: Generated<number>;
  citizen_id: number;
  procedure_id: number;
  unit_id: number | null;
  /** Answers that are not personal data, by question key. */
  answers: ColumnType<Record<string, unknown>, string, string>;
  /** ID numbers, phones and dates of birth among the answers, sealed together. */
  answers_sealed: string | null;
  current_step: string | null;
  submit_transaction_id: string;
  submitted_dossier_id: number | null;
  submitted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

declare module '../../db/schema.ts' {
  interface DB {
    drafts: DraftsTable;
  }
}

export type DraftRecord = Selectable<DraftsTable>;

export function findDraft(db: Kysely<DB>, id: number) {
  return db.selectFrom('drafts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockDraft(trx: Trx, id: number) {
  return trx.selectFrom('drafts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A citizen's applications not yet sent, most recently touched first. */
export function listOpenDrafts(db: Kysely<DB>, citizenId: number, limit = 50) {
  return db
    .selectFrom('drafts as d')
    .innerJoin('procedures as p', 'p.id', 'd.procedure_id')
    .select(['d.id', 'd.procedure_id', 'd.answers', 'd.answers_sealed', 'd.current_step', 'd.created_at', 'd.updated_at', 'p.code as procedure_code', 'p.name_vi', 'p.name_en', 'p.form'])
    .where('d.citizen_id', '=', citizenId)
    .where('d.submitted_dossier_id', 'is', null)
    .orderBy('d.updated_at', 'desc')
    .limit(limit)
    .execute();
}

export async function countOpenDrafts(db: Kysely<DB> | Trx, citizenId: number): Promise<number> {
  const row = await db
    .selectFrom('drafts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('citizen_id', '=', citizenId)
    .where('submitted_dossier_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function insertDraft(trx: Trx, d: { citizenId: number; procedureId: number; transactionId: string; at: Date }) {
  return trx
    .insertInto('drafts')
    .values({
      citizen_id: d.citizenId,
      procedure_id: d.procedureId,
      answers: '{}',
      submit_transaction_id: d.transactionId,
      created_at: d.at,
      updated_at: d.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function updateDraftAnswers(
  trx: Trx,
  id: number,
  d: { answers: Record<string, unknown>; sealed: string | null; currentStep: string | null; unitId?: number | null; at: Date },
) {
  return trx
    .updateTable('drafts')
    .set({
      answers: JSON.stringify(d.answers),
      answers_sealed: d.sealed,
      current_step: d.currentStep,
      ...(d.unitId !== undefined ? { unit_id: d.unitId } : {}),
      updated_at: d.at,
    })
    .where('id', '=', id)
    .execute();
}

export function touchDraft(trx: Trx, id: number, at: Date) {
  return trx.updateTable('drafts').set({ updated_at: at }).where('id', '=', id).execute();
}

export function markDraftSubmitted(trx: Trx, id: number, dossierId: number, at: Date) {
  return trx
    .updateTable('drafts')
    .set({ submitted_dossier_id: dossierId, submitted_at: at, updated_at: at })
    .where('id', '=', id)
    .where('submitted_dossier_id', 'is', null)
    .executeTakeFirst();
}

/** Removes an unsent draft with the papers uploaded for it (papers already on a dossier stay). */
export async function deleteDraftRow(trx: Trx, id: number): Promise<void> {
  await trx.deleteFrom('documents').where('draft_id', '=', id).where('dossier_id', 'is', null).execute();
  await trx.deleteFrom('drafts').where('id', '=', id).where('submitted_dossier_id', 'is', null).execute();
}

export function countDraftDocuments(trx: Trx, draftId: number, kind: string) {
  return trx
    .selectFrom('documents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('draft_id', '=', draftId)
    .where('kind', '=', kind)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function deleteDraftDocument(trx: Trx, draftId: number, documentId: number) {
  return trx.deleteFrom('documents').where('id', '=', documentId).where('draft_id', '=', draftId).where('dossier_id', 'is', null).executeTakeFirst();
}

export function dossierCodeOf(db: Kysely<DB>, dossierId: number) {
  return db.selectFrom('dossiers').select('code').where('id', '=', dossierId).executeTakeFirst();
}
