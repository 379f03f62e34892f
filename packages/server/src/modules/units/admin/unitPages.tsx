/** Units: the list by province and level, one unit's versions and replacements, and marking it replaced. */
import { z } from 'zod';
import { foldDiacritics, isLocalDate } from '@causo/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { OfficePage } from '../../../web/layout.tsx';
import { sendPage, redirectAfterPost } from '../../../web/render.tsx';
import { BackLink, Choices, CsrfField, Select, Submit, SummaryList, TextField } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { adminScope, requestMeta } from '../../auth/admin/guard.ts';
import { DoneNotice, IssueSummary, Pager, formString, localDate, withQuery, type FormIssue } from '../../auth/admin/ui.tsx';
import type { UnitRecord } from '../queries.ts';
import { LEVELS, applyReplacement, isLevel, listScopeUnits, parseCodes, planReplacement, scopeProvinces, unitDetail, type PlanIssue, type ReplacementInput, type ReplacementPlan } from './unitAdmin.ts';

const PAGE_SIZE = 100;
const ListQuery = z.object({
  province: z.coerce.number().int().positive().optional(),
  level: z.string().max(20).optional(),
  date: z.string().max(10).optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});
const IdParams = z.object({ id: z.coerce.number().int().positive() });

const period = (p: PageRequest, u: { valid_from: string; valid_to: string | null }) =>
  u.valid_to ? p.t('admin.units.period', { from: localDate(u.valid_from), to: localDate(u.valid_to) }) : p.t('admin.units.period_open', { from: localDate(u.valid_from) });

function ListPage({ p, officer, provinces, rows, filter, page, hasNext }: { p: PageRequest; officer: Officer | null; provinces: UnitRecord[]; rows: UnitRecord[]; filter: Record<string, string>; page: number; hasNext: boolean }) {
  return (
    <OfficePage p={p} title={p.t('admin.units.title')} officer={officer}>
      <BackLink href="/office/admin" label={p.t('admin.back_to_index')} />
      <h1>{p.t('admin.units.title')}</h1>
      <form method="get" action="/office/admin/units" class="filters">
        <Select name="province" label={p.t('admin.units.province')} value={filter.province} options={provinces.map((u) => ({ value: String(u.id), label: `${u.name} (${period(p, u)})` }))} />
        <Select name="level" label={p.t('admin.units.level')} value={filter.level} emptyLabel={p.t('admin.units.all_levels')} options={LEVELS.map((l) => ({ value: l, label: p.t(`admin.level.${l}`) }))} />
        <TextField name="date" type="date" label={p.t('admin.units.in_force_on')} value={filter.date} />
        <TextField name="q" type="search" label={p.t('admin.units.search_label')} value={filter.q} />
        <Submit secondary>{p.t('admin.search')}</Submit>
      </form>
      {rows.length === 0 ? (
        <p>{p.t('admin.units.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{p.t('admin.units.code')}</th>
              <th scope="col">{p.t('admin.units.name')}</th>
              <th scope="col">{p.t('admin.units.level')}</th>
              <th scope="col">{p.t('admin.units.valid')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id}>
                <td>{u.code}</td>
                <td>
                  <a href={`/office/admin/units/${u.id}`}>{u.name}</a>
                </td>
                <td>{p.t(`admin.level.${u.level}`)}</td>
                <td>{period(p, u)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager p={p} page={page} hasNext={hasNext} href={(n) => withQuery('/office/admin/units', { ...filter, page: n })} />
    </OfficePage>
  );
}

type Detail = Awaited<ReturnType<typeof unitDetail>>;

function ReplaceForm({ p, unitId, values, issues }: { p: PageRequest; unitId: number; values: Record<string, string>; issues: FormIssue[] }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  return (
    <form method="post" action={`/office/admin/units/${unitId}/replace`} novalidate>
      <CsrfField p={p} />
      <input type="hidden" name="step" value="preview" />
      <TextField name="newCodes" label={p.t('admin.units.new_codes')} hint={p.t('admin.units.new_codes_hint')} value={values.newCodes} error={err('newCodes')} />
      <Choices
        name="kind"
        legend={p.t('admin.units.kind')}
        value={values.kind ?? 'full'}
        error={err('kind')}
        options={[
          { value: 'full', label: p.t('admin.units.kind.full'), hint: p.t('admin.units.kind.full_hint') },
          { value: 'partial', label: p.t('admin.units.kind.partial'), hint: p.t('admin.units.kind.partial_hint') },
        ]}
      />
      <TextField name="effective" type="date" label={p.t('admin.units.effective')} hint={p.t('admin.units.effective_hint')} value={values.effective ?? '2025-07-01'} error={err('effective')} />
      <Submit>{p.t('admin.units.preview_button')}</Submit>
    </form>
  );
}

function DetailPage({ p, officer, d, values, issues }: { p: PageRequest; officer: Officer | null; d: Detail; values: Record<string, string>; issues: FormIssue[] }) {
  const u = d.unit;
  const replacedBy = d.replacements.filter((r) => r.old_id === u.id);
  const replaces = d.replacements.filter((r) => r.new_id === u.id);
  return (
    <OfficePage p={p} title={`${u.name} (${u.code})`} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href="/office/admin/units" label={p.t('admin.units.title')} />
      <h1>
        {u.name} <span class="muted">({u.code})</span>
      </h1>
      <DoneNotice p={p} area="admin.units" />
      <IssueSummary p={p} issues={issues} />
      <SummaryList
        rows={[
          { key: p.t('admin.units.level'), value: p.t(`admin.level.${u.level}`) },
          { key: p.t('admin.units.valid'), value: period(p, u) },
          { key: p.t('admin.units.parent'), value: d.parent ? `${d.parent.name} (${d.parent.code})` : '—' },
          { key: p.t('admin.units.agency_code'), value: u.agency_code },
          { key: p.t('admin.units.children'), value: String(d.childCount) },
        ]}
      />
      <h2>{p.t('admin.units.replaced_by')}</h2>
      {replacedBy.length ? (
        <ul>
          {replacedBy.map((r) => (
            <li key={r.new_id}>
              <a href={`/office/admin/units/${r.new_id}`}>
                {r.new_name} ({r.new_code})
              </a>{' '}
              – {p.t(`admin.units.kind.${r.kind}`)}, {p.t('admin.units.from_date', { date: localDate(r.effective) })}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{p.t('admin.units.not_replaced')}</p>
      )}
      {replaces.length ? (
        <>
          <h2>{p.t('admin.units.replaces')}</h2>
          <ul>
            {replaces.map((r) => (
              <li key={r.old_id}>
                <a href={`/office/admin/units/${r.old_id}`}>
                  {r.old_name} ({r.old_code})
                </a>{' '}
                – {p.t(`admin.units.kind.${r.kind}`)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>{p.t('admin.units.replace_title')}</h2>
      <p>{p.t('admin.units.replace_intro')}</p>
      <ReplaceForm p={p} unitId={u.id} values={values} issues={issues} />
    </OfficePage>
  );
}

function PreviewPage({ p, officer, plan }: { p: PageRequest; officer: Officer | null; plan: ReplacementPlan }) {
  const u = plan.old;
  const shown = plan.descendantsEnding.slice(0, 30);
  return (
    <OfficePage p={p} title={p.t('admin.units.preview_title', { name: u.name })} officer={officer}>
      <BackLink href={`/office/admin/units/${u.id}`} label={u.name} />
      <h1>{p.t('admin.units.preview_title', { name: u.name })}</h1>
      <p class="lead">{p.t('admin.units.preview_lead')}</p>
      <ul>
        <li>{plan.validTo.from === plan.validTo.to ? p.t('admin.units.preview_end_same', { date: localDate(plan.endDate) }) : p.t('admin.units.preview_end', { name: u.name, date: localDate(plan.endDate), before: plan.validTo.from ? localDate(plan.validTo.from) : p.t('admin.units.open_ended') })}</li>
        {plan.newUnits.map((n) => (
          <li key={n.id}>
            {p.t('admin.units.preview_pair', { old: u.name, new: `${n.name} (${n.code})`, kind: p.t(`admin.units.kind.${plan.input.kind}`), date: localDate(plan.input.effective) })}
            {plan.existing.some((e) => e.newUnitId === n.id) ? ` ${p.t('admin.units.preview_pair_exists')}` : ''}
          </li>
        ))}
        {plan.descendantsEnding.length ? <li>{p.t('admin.units.preview_children', { n: plan.descendantsEnding.length })}</li> : null}
        {plan.openDossiers ? <li>{p.t('admin.units.preview_dossiers', { n: plan.openDossiers })}</li> : null}
      </ul>
      {shown.length ? (
        <details>
          <summary>{p.t('admin.units.preview_children_list')}</summary>
          <ul>
            {shown.map((d) => (
              <li key={d.id}>
                {d.name} ({d.code})
              </li>
            ))}
            {plan.descendantsEnding.length > shown.length ? <li>{p.t('admin.units.and_more', { n: plan.descendantsEnding.length - shown.length })}</li> : null}
          </ul>
        </details>
      ) : null}
      <form method="post" action={`/office/admin/units/${u.id}/replace`}>
        <CsrfField p={p} />
        <input type="hidden" name="step" value="confirm" />
        <input type="hidden" name="newCodes" value={plan.input.newCodes.join(', ')} />
        <input type="hidden" name="kind" value={plan.input.kind} />
        <input type="hidden" name="effective" value={plan.input.effective} />
        <Submit>{p.t('admin.units.confirm_button')}</Submit>
        <a class="button secondary" href={`/office/admin/units/${u.id}`}>
          {p.t('common.cancel')}
        </a>
      </form>
    </OfficePage>
  );
}

function issueText(p: PageRequest, i: PlanIssue): FormIssue {
  const params = Object.fromEntries(Object.entries(i.params ?? {}).map(([k, v]) => [k, isLocalDate(v) ? localDate(v) : v]));
  return { field: i.field, message: p.t(i.key, params) };
}

export function unitAdminPages(app: ZodApp, ctx: AppContext): void {
  app.get('/office/admin/units', { schema: { hide: true, querystring: ListQuery } }, async (req, reply) => {
    const scope = adminScope(req);
    const provinces = await scopeProvinces(ctx.db.kysely, scope);
    const q = req.query;
    const provinceId = provinces.some((u) => u.id === q.province) ? (q.province as number) : (scope.provinceIds[0] as number);
    const level = isLevel(q.level) ? q.level : undefined;
    const date = q.date && isLocalDate(q.date) ? q.date : undefined;
    const search = q.q?.trim() ?? '';
    const rows = await listScopeUnits(ctx.db.kysely, { provinceId, level, date, search: search ? foldDiacritics(search) : undefined, limit: PAGE_SIZE + 1, offset: (q.page - 1) * PAGE_SIZE });
    const filter = { province: String(provinceId), level: level ?? '', date: date ?? '', q: search };
    return sendPage(reply, <ListPage p={req.page} officer={req.officer} provinces={provinces} rows={rows.slice(0, PAGE_SIZE)} filter={filter} page={q.page} hasNext={rows.length > PAGE_SIZE} />);
  });

  async function showDetail(req: FastifyRequest, reply: FastifyReply, id: number, values: Record<string, string> = {}, issues: FormIssue[] = []) {
    const d = await unitDetail(ctx.db.kysely, adminScope(req), id);
    return sendPage(reply, <DetailPage p={req.page} officer={req.officer} d={d} values={values} issues={issues} />, issues.length ? 400 : 200);
  }

  app.get('/office/admin/units/:id', { schema: { hide: true, params: IdParams } }, async (req, reply) => showDetail(req, reply, req.params.id));

  app.post('/office/admin/units/:id/replace', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const raw = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, formString(v)]));
    const kind = raw.kind === 'partial' ? 'partial' : raw.kind === 'full' ? 'full' : null;
    if (!kind) return showDetail(req, reply, req.params.id, raw, [{ field: 'kind', message: req.page.t('admin.units.error.kind') }]);
    const input: ReplacementInput = { newCodes: parseCodes(raw.newCodes ?? ''), kind, effective: (raw.effective ?? '').trim() };
    const scope = adminScope(req);
    if (raw.step === 'confirm') {
      const { plan, issues } = await applyReplacement(ctx, scope, req.params.id, input, requestMeta(req));
      if (!plan) return showDetail(req, reply, req.params.id, raw, issues.map((i) => issueText(req.page, i)));
      return redirectAfterPost(reply, `/office/admin/units/${req.params.id}?done=replaced`);
    }
    const { plan, issues } = await planReplacement(ctx.db.kysely, scope, req.params.id, input);
    if (!plan) return showDetail(req, reply, req.params.id, raw, issues.map((i) => issueText(req.page, i)));
    return sendPage(reply, <PreviewPage p={req.page} officer={req.officer} plan={plan} />);
  });
}
