/** Procedures for administrators: the whole catalogue, and one procedure's SLA, fees, level, form. */
import { z } from 'zod';
import { searchTokens } from '@causo/domain';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { OfficePage } from '../../../web/layout.tsx';
import { sendPage, redirectAfterPost } from '../../../web/render.tsx';
import { BackLink, Choices, CsrfField, Select, Submit, TextArea, TextField } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { adminScope, requestMeta } from '../../auth/admin/guard.ts';
import { DoneNotice, IssueSummary, Pager, formString, withQuery, type FormIssue } from '../../auth/admin/ui.tsx';
import type { FeeSeed } from '../catalogueFile.ts';
import { listProceduresForAdmin, type ProcedureRecord } from '../queries.ts';
import { procedureOrThrow, updateProcedure, type EditIssue, type ProcedureEdit } from './procedureAdmin.ts';

const PAGE_SIZE = 50;
const FEE_PER = ['', 'case', 'copy', 'page'] as const;

const Name = z
  .string({ message: 'form.error.required' })
  .transform((s) => s.normalize('NFC').trim().replace(/\s+/g, ' '))
  .pipe(z.string().min(1, 'form.error.required').max(300, 'admin.procedures.error.name_long'));

const EditForm = z.object({
  nameVi: Name,
  nameEn: Name,
  onlineLevel: z.enum(['full', 'partial'], { message: 'admin.procedures.error.online_level' }),
  slaValue: z
    .string({ message: 'admin.procedures.error.sla_value' })
    .trim()
    .regex(/^\d{1,3}$/, 'admin.procedures.error.sla_value')
    .transform(Number)
    .refine((n) => n >= 1, 'admin.procedures.error.sla_value'),
  slaUnit: z.enum(['working_days', 'working_hours'], { message: 'admin.procedures.error.sla_unit' }),
  active: z.enum(['yes', 'no'], { message: 'form.error.required' }),
  formJson: z.string({ message: 'form.error.required' }).max(200_000, 'admin.procedures.error.form_too_long'),
});

interface FeeRow {
  nameVi: string;
  nameEn: string;
  amount: string;
  per: string;
}

/** Fee rows from `fee.N.field` inputs; a row left entirely blank is no fee. */
function feeRowsOf(body: Record<string, string>): FeeRow[] {
  const rows: FeeRow[] = [];
  for (const [key, value] of Object.entries(body)) {
    const m = /^fee\.(\d{1,2})\.(nameVi|nameEn|amount|per)$/.exec(key);
    if (!m) continue;
    const i = Number(m[1]);
    rows[i] ??= { nameVi: '', nameEn: '', amount: '', per: '' };
    rows[i][m[2] as keyof FeeRow] = value;
  }
  return rows.filter((r): r is FeeRow => r !== undefined);
}

function parseFees(rows: FeeRow[]): { fees: FeeSeed[]; issues: { field: string; key: string }[] } {
  const fees: FeeSeed[] = [];
  const issues: { field: string; key: string }[] = [];
  rows.forEach((r, i) => {
    const nameVi = r.nameVi.normalize('NFC').trim();
    const nameEn = r.nameEn.normalize('NFC').trim();
    if (!nameVi && !nameEn && !r.amount.trim()) return;
    const digits = r.amount.replace(/[.,\s]/g, '');
    if (!nameVi) issues.push({ field: `fee.${i}.nameVi`, key: 'admin.procedures.error.fee_name' });
    if (!nameEn) issues.push({ field: `fee.${i}.nameEn`, key: 'admin.procedures.error.fee_name' });
    if (!/^\d{1,9}$/.test(digits)) issues.push({ field: `fee.${i}.amount`, key: 'admin.procedures.error.fee_amount' });
    const per = (FEE_PER as readonly string[]).includes(r.per) ? r.per : '';
    fees.push({ nameVi, nameEn, amount: Number(digits), ...(per ? { per: per as 'case' | 'copy' | 'page' } : {}) });
  });
  return { fees, issues };
}

/** Where on the page a schema issue belongs, and how to say it. */
function issueOf(p: PageRequest, i: EditIssue): FormIssue {
  const parts = i.path.match(/^fees\[(\d+)\]\.(\w+)/);
  if (i.top === 'form') return { field: 'formJson', message: p.t('admin.procedures.error.form_issue', { path: i.path, message: i.message }) };
  if (parts) return { field: `fee.${parts[1]}.${parts[2]}`, message: p.t('admin.procedures.error.fee_issue', { path: i.path, message: i.message }) };
  if (i.top === 'sla') return { field: 'slaValue', message: p.t('admin.procedures.error.sla_value') };
  if (i.top === 'nameVi' || i.top === 'nameEn' || i.top === 'onlineLevel') return { field: i.top, message: p.t('form.error.invalid') };
  return { field: 'general', message: p.t('admin.procedures.error.other_issue', { path: i.path, message: i.message }) };
}

interface EditValues {
  nameVi: string;
  nameEn: string;
  onlineLevel: string;
  slaValue: string;
  slaUnit: string;
  active: string;
  formJson: string;
  fees: FeeRow[];
}

function valuesOf(row: ProcedureRecord): EditValues {
  const fees = (Array.isArray(row.fees) ? (row.fees as FeeSeed[]) : []).map((f) => ({ nameVi: f.nameVi, nameEn: f.nameEn, amount: String(f.amount), per: f.per ?? '' }));
  return {
    nameVi: row.name_vi,
    nameEn: row.name_en,
    onlineLevel: row.online_level,
    slaValue: String(row.sla_value),
    slaUnit: row.sla_unit,
    active: row.active ? 'yes' : 'no',
    formJson: JSON.stringify(row.form, null, 2),
    fees,
  };
}

function ListPage({ p, officer, rows, q, page, hasNext }: { p: PageRequest; officer: Officer | null; rows: ProcedureRecord[]; q: string; page: number; hasNext: boolean }) {
  return (
    <OfficePage p={p} title={p.t('admin.procedures.title')} officer={officer}>
      <BackLink href="/office/admin" label={p.t('admin.back_to_index')} />
      <h1>{p.t('admin.procedures.title')}</h1>
      <DoneNotice p={p} area="admin.procedures" />
      <form method="get" action="/office/admin/procedures" class="filters" role="search">
        <TextField name="q" type="search" label={p.t('admin.procedures.search_label')} value={q} />
        <Submit secondary>{p.t('admin.search')}</Submit>
      </form>
      <table>
        <thead>
          <tr>
            <th scope="col">{p.t('admin.procedures.code')}</th>
            <th scope="col">{p.t('admin.procedures.name')}</th>
            <th scope="col">{p.t('admin.procedures.sla')}</th>
            <th scope="col">{p.t('admin.procedures.online_level')}</th>
            <th scope="col">{p.t('admin.procedures.status')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.code}>
              <td>
                <a href={`/office/admin/procedures/${r.code}`}>{r.code}</a>
              </td>
              <td>{p.lang === 'vi' ? r.name_vi : r.name_en}</td>
              <td>{p.t(`common.${r.sla_unit}`, { n: Number(r.sla_value) })}</td>
              <td>{p.t(`admin.procedures.level.${r.online_level}`)}</td>
              <td>{r.active ? <span class="tag ok">{p.t('admin.procedures.active')}</span> : <span class="tag">{p.t('admin.procedures.inactive')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager p={p} page={page} hasNext={hasNext} href={(n) => withQuery('/office/admin/procedures', { q, page: n })} />
    </OfficePage>
  );
}

function FeeFields({ p, index, row, err }: { p: PageRequest; index: number; row: FeeRow; err: (f: string) => string | undefined }) {
  const name = (f: string) => `fee.${index}.${f}`;
  return (
    <fieldset class="panel">
      <legend>{p.t('admin.procedures.fee_legend', { n: index + 1 })}</legend>
      <TextField name={name('nameVi')} label={p.t('admin.procedures.fee_name_vi')} value={row.nameVi} error={err(name('nameVi'))} />
      <TextField name={name('nameEn')} label={p.t('admin.procedures.fee_name_en')} value={row.nameEn} error={err(name('nameEn'))} />
      <TextField name={name('amount')} label={p.t('admin.procedures.fee_amount')} hint={p.t('admin.procedures.fee_amount_hint')} value={row.amount} error={err(name('amount'))} inputMode="numeric" short />
      <Select name={name('per')} label={p.t('admin.procedures.fee_per')} value={row.per} options={FEE_PER.map((v) => ({ value: v, label: p.t(`admin.procedures.per.${v || 'dossier'}`) }))} />
    </fieldset>
  );
}

function EditPage({ p, officer, row, values, issues }: { p: PageRequest; officer: Officer | null; row: ProcedureRecord; values: EditValues; issues: FormIssue[] }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  const fees = [...values.fees, { nameVi: '', nameEn: '', amount: '', per: '' }];
  const title = `${row.code} – ${p.lang === 'vi' ? row.name_vi : row.name_en}`;
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href="/office/admin/procedures" label={p.t('admin.procedures.title')} />
      <h1>{title}</h1>
      <DoneNotice p={p} area="admin.procedures" />
      <IssueSummary p={p} issues={issues} />
      <form method="post" action={`/office/admin/procedures/${row.code}`} id="f-general" novalidate>
        <CsrfField p={p} />
        <TextField name="nameVi" label={p.t('admin.procedures.name_vi')} value={values.nameVi} error={err('nameVi')} />
        <TextField name="nameEn" label={p.t('admin.procedures.name_en')} value={values.nameEn} error={err('nameEn')} />
        <Choices name="active" legend={p.t('admin.procedures.active_legend')} value={values.active} error={err('active')} options={[{ value: 'yes', label: p.t('admin.procedures.active_yes') }, { value: 'no', label: p.t('admin.procedures.active_no') }]} />
        <Choices
          name="onlineLevel"
          legend={p.t('admin.procedures.online_level')}
          value={values.onlineLevel}
          error={err('onlineLevel')}
          options={[
            { value: 'full', label: p.t('admin.procedures.level.full'), hint: p.t('admin.procedures.level.full_hint') },
            { value: 'partial', label: p.t('admin.procedures.level.partial'), hint: p.t('admin.procedures.level.partial_hint') },
          ]}
        />
        <fieldset>
          <legend>{p.t('admin.procedures.sla')}</legend>
          <span class="hint">{p.t('admin.procedures.sla_hint')}</span>
          <TextField name="slaValue" label={p.t('admin.procedures.sla_value')} value={values.slaValue} error={err('slaValue')} inputMode="numeric" short />
          <Select name="slaUnit" label={p.t('admin.procedures.sla_unit')} value={values.slaUnit} error={err('slaUnit')} options={[{ value: 'working_days', label: p.t('admin.procedures.unit.working_days') }, { value: 'working_hours', label: p.t('admin.procedures.unit.working_hours') }]} />
        </fieldset>
        <h2>{p.t('admin.procedures.fees')}</h2>
        <p class="hint">{p.t('admin.procedures.fees_hint')}</p>
        {fees.map((f, i) => (
          <FeeFields key={i} p={p} index={i} row={f} err={err} />
        ))}
        <h2>{p.t('admin.procedures.form')}</h2>
        <TextArea name="formJson" label={p.t('admin.procedures.form_label')} hint={p.t('admin.procedures.form_hint')} value={values.formJson} error={err('formJson')} rows={20} />
        <Submit>{p.t('common.save')}</Submit>
      </form>
    </OfficePage>
  );
}

export function procedureAdminPages(app: ZodApp, ctx: AppContext): void {
  const CodeParams = z.object({ code: z.string().regex(/^\d\.\d{6}$/) });

  app.get('/office/admin/procedures', { schema: { hide: true, querystring: z.object({ q: z.string().max(100).optional(), page: z.coerce.number().int().min(1).max(1000).default(1) }) } }, async (req, reply) => {
    const q = req.query.q?.trim() ?? '';
    const page = req.query.page;
    const rows = await listProceduresForAdmin(ctx.db.kysely, { searchTokens: searchTokens(q), limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
    return sendPage(reply, <ListPage p={req.page} officer={req.officer} rows={rows.slice(0, PAGE_SIZE)} q={q} page={page} hasNext={rows.length > PAGE_SIZE} />);
  });

  app.get('/office/admin/procedures/:code', { schema: { hide: true, params: CodeParams } }, async (req, reply) => {
    const row = await procedureOrThrow(ctx, req.params.code);
    return sendPage(reply, <EditPage p={req.page} officer={req.officer} row={row} values={valuesOf(row)} issues={[]} />);
  });

  app.post('/office/admin/procedures/:code', { schema: { hide: true, params: CodeParams } }, async (req: FastifyRequest<{ Params: { code: string } }>, reply) => {
    const row = await procedureOrThrow(ctx, req.params.code);
    const raw = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, formString(v)]));
    const feeRows = feeRowsOf(raw);
    const values: EditValues = { ...valuesOf(row), ...raw, fees: feeRows };
    const p = req.page;
    const again = (issues: FormIssue[]) => sendPage(reply, <EditPage p={p} officer={req.officer} row={row} values={values} issues={issues} />, 400);

    const parsed = EditForm.safeParse(raw);
    const { fees, issues: feeIssues } = parseFees(feeRows);
    const issues: FormIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'general'), message: p.t(i.message.includes(' ') ? 'form.error.invalid' : i.message) }));
    issues.push(...feeIssues.map((i) => ({ field: i.field, message: p.t(i.key) })));
    let form: unknown = null;
    if (parsed.success) {
      try {
        form = JSON.parse(parsed.data.formJson);
      } catch (e) {
        issues.push({ field: 'formJson', message: p.t('admin.procedures.error.form_json', { message: (e as Error).message }) });
      }
    }
    if (!parsed.success || issues.length) return again(issues);

    const d = parsed.data;
    const edit: ProcedureEdit = { nameVi: d.nameVi, nameEn: d.nameEn, onlineLevel: d.onlineLevel, sla: { value: d.slaValue, unit: d.slaUnit }, active: d.active === 'yes', fees, form };
    const scope = adminScope(req);
    const schemaIssues = await updateProcedure(ctx, { id: scope.officer.id, ...requestMeta(req) }, row.code, edit);
    if (schemaIssues.length) return again(schemaIssues.map((i) => issueOf(p, i)));
    return redirectAfterPost(reply, `/office/admin/procedures/${row.code}?done=saved`);
  });
}
