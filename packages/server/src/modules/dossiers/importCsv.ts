/**
 * `causo import dossiers FILE.csv`: dossiers from another one-stop system. Every row is
 * validated (shape with zod, then the rules between fields and against the units, procedures
 * and existing codes); one bad row rejects the whole file with the line numbers and reasons,
 * and nothing is stored. A good file goes in through the bulk loader in one transaction.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import { z } from 'zod';
import { localDateOf, type Channel, type Status } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { Problem, type ProblemFieldError } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import { bulkLoadDossiers, type BulkDossier } from './bulkLoad.ts';

export const IMPORT_COLUMNS = ['code', 'procedure_code', 'unit_code', 'channel', 'status', 'received_at', 'due_at', 'finished_at'] as const;
const MAX_REPORTED_ERRORS = 1000;

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const instant = z.union([z.literal(''), z.string().regex(ISO_WITH_OFFSET, 'must be ISO 8601 with an offset, e.g. 2022-03-01T08:15:00+07:00').refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date')]);

const RowSchema = z.object({
  code: z.string().min(5, 'is missing or too short').max(60).regex(/^[A-Za-z0-9._-]+$/, 'may hold letters, digits and . _ - only'),
  procedure_code: z.string().regex(/^\d\.\d{6}$/, 'must be a national procedure code such as 1.001193'),
  unit_code: z.string().regex(/^\d{2,5}(-\d{1,3})?$/, 'must be a unit code such as 25309'),
  channel: z.enum(['1', '2', '3'], 'must be 1 (counter), 2 (online) or 3 (post)'),
  status: z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], 'must be a status from 1 to 10'),
  received_at: instant,
  due_at: instant,
  finished_at: instant,
});
type Row = z.infer<typeof RowSchema>;

interface UnitVersion {
  id: number;
  from: string;
  to: string | null;
  ancestors: number[];
  province: string;
}

interface Lookups {
  units: Map<string, UnitVersion[]>;
  procedures: Map<string, { id: number; sector: string }>;
}

async function loadLookups(ctx: AppContext): Promise<Lookups> {
  const units = new Map<string, UnitVersion[]>();
  for (const u of await ctx.db.kysely.selectFrom('units').select(['id', 'code', 'valid_from', 'valid_to', 'ancestor_ids', 'province_code']).execute()) {
    const list = units.get(u.code) ?? [];
    list.push({ id: u.id, from: u.valid_from, to: u.valid_to, ancestors: u.ancestor_ids, province: u.province_code });
    units.set(u.code, list);
  }
  const procedures = new Map((await ctx.db.kysely.selectFrom('procedures').select(['id', 'code', 'sector_code']).execute()).map((p) => [p.code, { id: p.id, sector: p.sector_code }]));
  return { units, procedures };
}

/** The checks between fields and against reference data; returns the reasons, empty when good. */
function crossCheck(r: Row, lk: Lookups): { reasons: string[]; unit?: UnitVersion; procedure?: { id: number; sector: string } } {
  const reasons: string[] = [];
  const status = Number(r.status);
  const notReceived = status === 1 || status === 3;
  const ended = status >= 7;
  if (notReceived && r.received_at) reasons.push(`received_at must be empty for status ${status} (never received)`);
  if (!notReceived && !r.received_at) reasons.push(`received_at is required for status ${status}`);
  if (r.received_at && !r.due_at) reasons.push('due_at is required once a dossier is received');
  if (ended && !r.finished_at) reasons.push(`finished_at is required for status ${status}`);
  if (!ended && r.finished_at) reasons.push(`finished_at must be empty while the dossier is open (status ${status})`);
  const received = r.received_at ? Date.parse(r.received_at) : NaN;
  if (r.finished_at && r.received_at && Date.parse(r.finished_at) < received) reasons.push('finished_at is before received_at');
  if (r.due_at && r.received_at && Date.parse(r.due_at) < received) reasons.push('due_at is before received_at');
  const procedure = lk.procedures.get(r.procedure_code);
  if (!procedure) reasons.push(`procedure_code ${r.procedure_code} is not in the catalogue`);
  const versions = lk.units.get(r.unit_code);
  const day = localDateOf(new Date(r.received_at || r.due_at || r.finished_at || Date.now()));
  const unit = versions?.find((v) => v.from <= day && (v.to === null || v.to >= day));
  if (!versions) reasons.push(`unit_code ${r.unit_code} is not a known unit`);
  else if (!unit) reasons.push(`unit ${r.unit_code} was not in force on ${day}`);
  return { reasons, ...(unit ? { unit } : {}), ...(procedure ? { procedure } : {}) };
}

function toBulk(r: Row, unit: UnitVersion, procedure: { id: number; sector: string }, now: Date): BulkDossier {
  const receivedAt = r.received_at ? new Date(r.received_at) : null;
  return {
    code: r.code,
    procedureId: procedure.id,
    sectorCode: procedure.sector,
    unitId: unit.id,
    unitAncestorIds: unit.ancestors,
    provinceCode: unit.province,
    channel: Number(r.channel) as Channel,
    status: Number(r.status) as Status,
    // The other system's submission moment is not in the file: reception stands in for it,
    // and the import moment for dossiers never received.
    submittedAt: receivedAt ?? now,
    receivedAt,
    dueAt: r.due_at ? new Date(r.due_at) : null,
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    applicantName: '(nhập từ hệ thống khác)',
  };
}

export async function importDossiersCsv(ctx: AppContext, path: string, opts: { actorId: number | null; onProgress?: (done: number, total?: number) => void }): Promise<{ imported: number }> {
  const lk = await loadLookups(ctx);
  const errors: ProblemFieldError[] = [];
  let errorCount = 0;
  const fail = (line: number, path: string, message: string) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, path, message });
  };
  const rows: { line: number; dossier: BulkDossier }[] = [];
  const seen = new Map<string, number>();
  const now = ctx.now();

  const parser = createReadStream(path).pipe(parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }));
  let header = true;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const line = info.lines;
    if (header) {
      header = false;
      if (record.join(',') !== IMPORT_COLUMNS.join(','))
        throw new Problem(400, 'import.bad_file', `the first line must be the header ${IMPORT_COLUMNS.join(',')}`, [{ line: 1, path: 'header', message: `found ${record.join(',')}` }], { errorCount: 1 });
      continue;
    }
    if (record.length !== IMPORT_COLUMNS.length) {
      fail(line, 'row', `has ${record.length} fields, expected ${IMPORT_COLUMNS.length}`);
      continue;
    }
    const parsed = RowSchema.safeParse(Object.fromEntries(IMPORT_COLUMNS.map((c, i) => [c, record[i] ?? ''])));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) fail(line, String(issue.path[0] ?? 'row'), issue.message);
      continue;
    }
    const r = parsed.data;
    const firstLine = seen.get(r.code);
    if (firstLine !== undefined) fail(line, 'code', `${r.code} is already on line ${firstLine}`);
    else seen.set(r.code, line);
    const { reasons, unit, procedure } = crossCheck(r, lk);
    for (const reason of reasons) fail(line, 'row', reason);
    if (reasons.length === 0 && unit && procedure && firstLine === undefined) rows.push({ line, dossier: toBulk(r, unit, procedure, now) });
    if (rows.length % 50_000 === 0) opts.onProgress?.(0, undefined);
  }

  await checkCodesNotStored(ctx, rows, fail);
  if (errorCount > 0)
    throw new Problem(400, 'import.bad_file', `${errorCount} error(s) in ${basename(path)}; nothing was imported`, errors, { errorCount });

  const total = rows.length;
  const dossiers = rows.map((r) => r.dossier);
  const batches = function* () {
    for (let i = 0; i < dossiers.length; i += 50_000) yield dossiers.slice(i, i + 50_000);
  };
  const { inserted } = await bulkLoadDossiers(ctx.db, batches(), { actorId: opts.actorId, transactionPrefix: `import-${now.getTime()}`, onProgress: (done) => opts.onProgress?.(done, total) });
  await audit(ctx.db.kysely, { actorId: opts.actorId, action: 'dossier.import', entity: 'import', entityId: basename(path), detail: { rows: inserted } });
  return { imported: inserted };
}

/** Codes already in the database, asked in chunks (one query per 10,000 codes, not per row). */
async function checkCodesNotStored(ctx: AppContext, rows: { line: number; dossier: BulkDossier }[], fail: (line: number, path: string, message: string) => void): Promise<void> {
  const any = await ctx.db.kysely.selectFrom('dossiers').select('id').limit(1).executeTakeFirst();
  if (!any) return;
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    const found = await ctx.db.kysely.selectFrom('dossiers').select('code').where('code', 'in', chunk.map((r) => r.dossier.code)).execute();
    if (found.length === 0) continue;
    const stored = new Set(found.map((f) => f.code));
    for (const r of chunk) if (stored.has(r.dossier.code)) fail(r.line, 'code', `${r.dossier.code} is already stored`);
  }
}
