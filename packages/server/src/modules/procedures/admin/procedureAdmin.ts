/**
 * Changing a procedure: names, online level, SLA, fees, whether it is offered, and its citizen
 * form. The result is checked with the same schema as the catalogue files (catalogueFile.ts),
 * so the database never holds a procedure the seed loader would refuse. A new SLA applies to
 * dossiers received from now on: each dossier keeps the SLA it was received under.
 */
import { foldDiacritics } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { notFound } from '../../../http/problem.ts';
import { audit } from '../../audit/service.ts';
import { ProcedureSchema, formatIssuePath, type FeeSeed, type FormField } from '../catalogueFile.ts';
import { findProcedureByCode, procedureEdited, type ProcedureRecord } from '../queries.ts';

export interface ProcedureEdit {
  nameVi: string;
  nameEn: string;
  onlineLevel: 'full' | 'partial';
  sla: { value: number; unit: 'working_days' | 'working_hours' };
  active: boolean;
  fees: FeeSeed[];
  form: unknown;
}

export interface EditIssue {
  /** `form[2].key`, `fees[0].amount`, `sla.value`… as the catalogue loader names them. */
  path: string;
  top: string;
  message: string;
}

/** The procedure as the catalogue file would hold it, with the edit applied. */
function candidate(row: ProcedureRecord, edit: ProcedureEdit) {
  return {
    code: row.code,
    nameVi: edit.nameVi,
    nameEn: edit.nameEn,
    sector: row.sector_code,
    level: row.level,
    onlineLevel: edit.onlineLevel,
    sla: edit.sla,
    fees: edit.fees,
    requiredDocuments: row.required_documents,
    eligibilityVi: row.eligibility_vi,
    eligibilityEn: row.eligibility_en,
    lifeEvents: row.life_events,
    form: edit.form,
  };
}

/**
 * zod runs the schema's cross-field checks (duplicate keys) only once every field parses, so an
 * administrator fixing a definition would meet its mistakes in two rounds; checked here too.
 */
function duplicateKeys(form: unknown): EditIssue[] {
  if (!Array.isArray(form)) return [];
  const seen = new Set<string>();
  const out: EditIssue[] = [];
  form.forEach((f: unknown, i) => {
    const key = f && typeof f === 'object' && 'key' in f && typeof f.key === 'string' ? f.key : null;
    if (key === null) return;
    if (seen.has(key)) out.push({ path: `form[${i}].key`, top: 'form', message: `duplicate form key "${key}"` });
    seen.add(key);
  });
  return out;
}

export function validateEdit(row: ProcedureRecord, edit: ProcedureEdit): EditIssue[] {
  const result = ProcedureSchema.safeParse(candidate(row, edit));
  if (result.success) return [];
  const issues = result.error.issues.map((i) => ({ path: formatIssuePath(i.path), top: String(i.path[0] ?? ''), message: i.message }));
  for (const d of duplicateKeys(edit.form)) if (!issues.some((i) => i.path === d.path && i.message === d.message)) issues.push(d);
  return issues.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

export async function procedureOrThrow(ctx: AppContext, code: string): Promise<ProcedureRecord> {
  const row = await findProcedureByCode(ctx.db.kysely, code);
  if (!row) throw notFound('procedure.not_found', `no procedure ${code}`);
  return row;
}

/** Names of what the edit changes, for the audit entry (values only where they are not long). */
function changes(row: ProcedureRecord, edit: ProcedureEdit): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (row.name_vi !== edit.nameVi || row.name_en !== edit.nameEn) out.names = true;
  if (row.online_level !== edit.onlineLevel) out.onlineLevel = { from: row.online_level, to: edit.onlineLevel };
  if (Number(row.sla_value) !== edit.sla.value || row.sla_unit !== edit.sla.unit)
    out.sla = { from: { value: Number(row.sla_value), unit: row.sla_unit }, to: edit.sla };
  if (row.active !== edit.active) out.active = { from: row.active, to: edit.active };
  if (JSON.stringify(row.fees) !== JSON.stringify(edit.fees)) out.fees = { count: edit.fees.length };
  if (JSON.stringify(row.form) !== JSON.stringify(edit.form)) out.form = { fields: (edit.form as FormField[]).length };
  return out;
}

/** Validates, writes and audits; returns the issues instead when the edit is not valid. */
export async function updateProcedure(ctx: AppContext, actor: { id: number; ip: string; userAgent: string | null }, code: string, edit: ProcedureEdit): Promise<EditIssue[]> {
  return ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('procedures').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
    if (!row) throw notFound('procedure.not_found', `no procedure ${code}`);
    const issues = validateEdit(row, edit);
    if (issues.length) return issues;
    const changed = changes(row, edit);
    if (Object.keys(changed).length === 0) return [];
    await trx
      .updateTable('procedures')
      .set({
        name_vi: edit.nameVi,
        name_en: edit.nameEn,
        online_level: edit.onlineLevel,
        sla_value: edit.sla.value,
        sla_unit: edit.sla.unit,
        active: edit.active,
        fees: JSON.stringify(edit.fees),
        form: JSON.stringify(edit.form),
        // The catalogue search reads this column: it follows the names.
        search_text: foldDiacritics(`${row.code} ${edit.nameVi} ${edit.nameEn}`),
      })
      .where('id', '=', row.id)
      .execute();
    await audit(trx, { actorId: actor.id, action: 'procedure.update', entity: 'procedure', entityId: row.code, detail: changed, ip: actor.ip, userAgent: actor.userAgent });
    procedureEdited();
    return [];
  });
}
