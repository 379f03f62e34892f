/**
 * Routes of the campaign pages. Each one checks the caller's roles (campaignAccess.ts) before it
 * reads or writes anything; forms carry the CSRF token (checked by the web plugin) and answer
 * a success with see-other, a refusal with the same page showing what to correct.
 */
import type { FastifyRequest } from 'fastify';
import { INDICATOR_KEYS, INDICATORS, localDateOf, problemMessage, type IndicatorKey } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { notFound, Problem } from '../../../http/problem.ts';
import type { ZodApp } from '../../../http/types.ts';
import type { FieldErrors } from '../../../web/components.tsx';
import type { FormBody, UploadedFile } from '../../../web/plugin.ts';
import type { PageRequest } from '../../../web/request.ts';
import { redirectAfterPost, sendPage } from '../../../web/render.tsx';
import { audit } from '../../audit/service.ts';
import { requestMeta } from '../../auth/admin/guard.ts';
import { formString } from '../../auth/admin/ui.tsx';
import type { Officer } from '../../auth/service.ts';
import { campaignOwner, campaignsForOfficer, canEditUnit, coveredUnitsOf, openCampaignFor, ownerChoices, requireCreator, type CampaignUnit } from '../campaignAccess.ts';
import { campaignChildren, loadTargetsGrid, subtreeWithTargets } from '../campaignGrid.ts';
import { findCampaign, type CampaignRef } from '../campaignQueries.ts';
import { campaignFormValues, campaignIdOf, campaignInputOf, CampaignIdParams, parseTarget, rangeKey } from '../campaignSchemas.ts';
import { CampaignIssues, createCampaign, importTargets, setTargets, splitTargets, updateCampaign, type CampaignActor, type Issue } from '../campaignService.ts';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, renderTargetsTemplate, XLSX_TYPE } from '../targetsXlsx.ts';
import { CampaignPage, cellName, type Notice } from './campaignPage.tsx';
import { CampaignFormPage, campaignFormValuesOf, CAMPAIGNS_PATH, CampaignsListPage, campaignPath, emptyCampaignForm, lang2, NEW_CAMPAIGN_PATH } from './campaignPages.tsx';
import { FILE_FIELD, ImportPage } from './importPage.tsx';

const officerOf = (req: FastifyRequest): Officer => {
  // The web plugin already sent visitors to the sign-in page.
  if (!req.officer) throw new Problem(401, 'auth.required');
  return req.officer;
};
const actorOf = (req: FastifyRequest): CampaignActor => ({ officer: officerOf(req), ...requestMeta(req) });
const bodyOf = (req: FastifyRequest): FormBody => (req.body ?? {}) as FormBody;
const queryOf = (req: FastifyRequest): Record<string, string> => {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string'));
};
const isFile = (v: unknown): v is UploadedFile => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { kind?: unknown }).kind === 'file';
const problemText = (p: PageRequest, code: Problem['code']): string => problemMessage(code)[lang2(p)];
const issueText = (p: PageRequest, i: Issue): string => p.t(i.key, i.params);

async function campaignOf(ctx: AppContext, raw: string): Promise<CampaignRef> {
  const id = campaignIdOf(raw);
  const campaign = id === null ? null : await findCampaign(ctx.db.kysely, id);
  if (!campaign) throw notFound('campaign.not_found', `no campaign ${raw}`);
  return campaign;
}

/** The unit a form is about: a unit of the campaign the officer sees. */
async function formUnit(ctx: AppContext, officer: Officer, campaign: CampaignRef, body: FormBody): Promise<CampaignUnit> {
  const code = formString(body.unit);
  const unit = await openCampaignFor(ctx.db.kysely, officer, campaign, code || undefined);
  if (!unit) throw notFound('campaign.not_found', 'the campaign covers none of your units');
  return unit;
}

/** The notice after a POST redirected here (`?done=saved&n=3&d=1`). */
function doneNotice(p: PageRequest, q: Record<string, string>): Notice | undefined {
  const done = q.done;
  if (!done || !['created', 'updated', 'saved', 'unchanged', 'split', 'imported'].includes(done)) return undefined;
  const count = (v: string | undefined) => (v && /^\d{1,7}$/.test(v) ? Number(v) : 0);
  return { kind: 'ok', text: p.t(`campaigns.done.${done}`, { n: count(q.n), d: count(q.d) }) };
}

interface Extras {
  unitCode?: string | undefined;
  typed?: Record<string, string>;
  errors?: FieldErrors;
  notice?: Notice | undefined;
}

async function renderCampaign(ctx: AppContext, req: FastifyRequest, campaign: CampaignRef, extras: Extras) {
  const db = ctx.db.kysely;
  const officer = officerOf(req);
  const unit = await openCampaignFor(db, officer, campaign, extras.unitCode);
  const [covered, grid, owner] = await Promise.all([coveredUnitsOf(db, campaign), unit ? loadTargetsGrid(ctx, officer, campaign, unit) : Promise.resolve(null), campaignOwner(db, campaign)]);
  const fresh = (await findCampaign(db, campaign.id)) ?? campaign;
  return (
    <CampaignPage
      p={req.page}
      officer={officer}
      campaign={fresh}
      covered={covered}
      canEdit={canEditUnit(officer, owner)}
      today={localDateOf(ctx.now())}
      grid={grid}
      typed={extras.typed}
      errors={extras.errors}
      notice={extras.notice}
    />
  );
}

/** A refused write shown on the campaign page: stale version (409) or issues (400); anything else is thrown. */
async function refusal(ctx: AppContext, req: FastifyRequest, campaign: CampaignRef, unitCode: string, e: unknown) {
  const p = req.page;
  if (e instanceof CampaignIssues) return { status: 400, page: await renderCampaign(ctx, req, campaign, { unitCode, notice: { kind: 'error', text: e.issues.map((i) => issueText(p, i)).join(' ') } }) };
  if (e instanceof Problem && e.code === 'campaign.stale') return { status: 409, page: await renderCampaign(ctx, req, campaign, { unitCode, notice: { kind: 'error', text: p.t('campaigns.stale') } }) };
  throw e;
}

const fieldErrorsOf = (p: PageRequest, e: CampaignIssues): FieldErrors => {
  const errors: FieldErrors = {};
  for (const i of e.issues) errors[i.path] ??= issueText(p, i);
  return errors;
};

/** The edit form's "covers" line: the owner's whole subtree, or the units picked. */
async function coveredText(ctx: AppContext, p: PageRequest, campaign: CampaignRef): Promise<string> {
  const covered = await coveredUnitsOf(ctx.db.kysely, campaign);
  if (covered.length === 1 && covered[0]?.id === campaign.unitId) return p.t('campaigns.covered.whole', { unit: campaign.unitName });
  return covered.map((u) => `${u.name} (${u.code})`).join(', ');
}

/** The edit form is for the leaders and administrators of the owner unit. */
async function requireCampaignEditor(ctx: AppContext, officer: Officer, campaign: CampaignRef): Promise<void> {
  if (!canEditUnit(officer, await campaignOwner(ctx.db.kysely, campaign))) throw new Problem(403, 'auth.forbidden', 'campaigns are changed by the leaders and administrators of the owner unit');
}

const versionOf = (body: FormBody): number => {
  const v = formString(body.version);
  if (!/^\d{1,9}$/.test(v)) throw new Problem(400, 'request.invalid', 'the form has no campaign version: reload the page');
  return Number(v);
};

export function campaignPages(app: ZodApp, ctx: AppContext): void {
  const db = ctx.db.kysely;
  const today = () => localDateOf(ctx.now());

  app.get(CAMPAIGNS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const [campaigns, owners] = await Promise.all([campaignsForOfficer(db, officer), ownerChoices(db, officer, today())]);
    return sendPage(reply, <CampaignsListPage p={req.page} officer={officer} campaigns={campaigns} canCreate={owners.length > 0} today={today()} />);
  });

  app.get(NEW_CAMPAIGN_PATH, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const owners = await requireCreator(db, officer, today());
    return sendPage(reply, <CampaignFormPage p={req.page} officer={officer} mode={{ kind: 'new', owners }} values={emptyCampaignForm(owners)} errors={{}} />);
  });

  app.post(NEW_CAMPAIGN_PATH, { schema: { hide: true } }, async (req, reply) => {
    const actor = actorOf(req);
    const owners = await requireCreator(db, actor.officer, today());
    const values = campaignFormValues(bodyOf(req));
    try {
      const campaign = await createCampaign(ctx, actor, campaignInputOf(values));
      return redirectAfterPost(reply, campaignPath(campaign.id, { done: 'created' }));
    } catch (e) {
      if (!(e instanceof CampaignIssues)) throw e;
      return sendPage(reply, <CampaignFormPage p={req.page} officer={actor.officer} mode={{ kind: 'new', owners }} values={values} errors={fieldErrorsOf(req.page, e)} />, 400);
    }
  });

  app.get(`${CAMPAIGNS_PATH}/:id/edit`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const officer = officerOf(req);
    const campaign = await campaignOf(ctx, req.params.id);
    await requireCampaignEditor(ctx, officer, campaign);
    const mode = { kind: 'edit' as const, campaign, covered: await coveredText(ctx, req.page, campaign) };
    return sendPage(reply, <CampaignFormPage p={req.page} officer={officer} mode={mode} values={campaignFormValuesOf(campaign)} errors={{}} />);
  });

  app.post(`${CAMPAIGNS_PATH}/:id/edit`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const actor = actorOf(req);
    const campaign = await campaignOf(ctx, req.params.id);
    await requireCampaignEditor(ctx, actor.officer, campaign);
    const body = bodyOf(req);
    const values = campaignFormValues(body);
    const p = req.page;
    try {
      await updateCampaign(ctx, actor, campaign.id, campaignInputOf(values), versionOf(body));
      return redirectAfterPost(reply, campaignPath(campaign.id, { done: 'updated' }));
    } catch (e) {
      const fresh = (await findCampaign(db, campaign.id)) ?? campaign;
      const mode = { kind: 'edit' as const, campaign: fresh, covered: await coveredText(ctx, p, fresh) };
      if (e instanceof CampaignIssues) return sendPage(reply, <CampaignFormPage p={p} officer={actor.officer} mode={mode} values={values} errors={fieldErrorsOf(p, e)} />, 400);
      if (e instanceof Problem && e.code === 'campaign.stale')
        return sendPage(reply, <CampaignFormPage p={p} officer={actor.officer} mode={mode} values={campaignFormValuesOf(fresh)} errors={{}} notice={p.t('campaigns.stale_edit')} />, 409);
      throw e;
    }
  });

  app.get(`${CAMPAIGNS_PATH}/:id`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const campaign = await campaignOf(ctx, req.params.id);
    const q = queryOf(req);
    return sendPage(reply, await renderCampaign(ctx, req, campaign, { unitCode: q.unit || undefined, notice: doneNotice(req.page, q) }));
  });

  // The grid: every editable cell the form sent; an empty cell removes the target.
  app.post(`${CAMPAIGNS_PATH}/:id/targets`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const actor = actorOf(req);
    const campaign = await campaignOf(ctx, req.params.id);
    const body = bodyOf(req);
    const unit = await formUnit(ctx, actor.officer, campaign, body);
    const rows = [unit, ...(await campaignChildren(db, campaign, unit))].filter((u) => canEditUnit(actor.officer, u));
    if (rows.length === 0) throw new Problem(403, 'auth.forbidden', 'targets are set by leaders and administrators of the unit');
    const version = versionOf(body);
    const p = req.page;
    const typed: Record<string, string> = {};
    const errors: FieldErrors = {};
    const cells: { unit: string; indicator: IndicatorKey; target: number | null }[] = [];
    for (const row of rows)
      for (const key of campaign.indicators) {
        const name = cellName(row.code, key);
        const raw = body[name];
        if (typeof raw !== 'string') continue;
        typed[name] = raw;
        const parsed = parseTarget(INDICATORS[key].kind, raw);
        if (parsed.ok) cells.push({ unit: row.code, indicator: key, target: parsed.value });
        else errors[name] = p.t('campaigns.error.cell', { unit: row.name, indicator: INDICATORS[key].name[lang2(p)], rule: p.t(rangeKey(key)) });
      }
    if (Object.keys(errors).length > 0) return sendPage(reply, await renderCampaign(ctx, req, campaign, { unitCode: unit.code, typed, errors }), 400);
    try {
      const written = await setTargets(ctx, actor, campaign.id, { version, targets: cells }, 'form');
      const done = written.changed + written.deleted > 0 ? 'saved' : 'unchanged';
      return redirectAfterPost(reply, `${campaignPath(campaign.id, { unit: unit.code, done, n: String(written.changed), d: String(written.deleted) })}#targets`);
    } catch (e) {
      const r = await refusal(ctx, req, campaign, unit.code, e);
      return sendPage(reply, r.page, r.status);
    }
  });

  app.post(`${CAMPAIGNS_PATH}/:id/split`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const actor = actorOf(req);
    const campaign = await campaignOf(ctx, req.params.id);
    const body = bodyOf(req);
    const unit = await formUnit(ctx, actor.officer, campaign, body);
    if (!canEditUnit(actor.officer, unit)) throw new Problem(403, 'auth.forbidden', 'targets are split by leaders and administrators of the unit');
    const indicator = formString(body.indicator);
    if (indicator !== '' && !(INDICATOR_KEYS as readonly string[]).includes(indicator)) throw new Problem(400, 'request.invalid', `unknown indicator ${indicator}`);
    try {
      const done = await splitTargets(ctx, actor, campaign.id, { unitCode: unit.code, indicator: (indicator || undefined) as IndicatorKey | undefined, version: versionOf(body) });
      return redirectAfterPost(reply, `${campaignPath(campaign.id, { unit: unit.code, done: 'split', n: String(done.changed) })}#checks`);
    } catch (e) {
      const r = await refusal(ctx, req, campaign, unit.code, e);
      return sendPage(reply, r.page, r.status);
    }
  });

  app.get(`${CAMPAIGNS_PATH}/:id/targets.xlsx`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const officer = officerOf(req);
    const campaign = await campaignOf(ctx, req.params.id);
    const unit = await openCampaignFor(db, officer, campaign, queryOf(req).unit || undefined);
    if (!unit) throw notFound('campaign.not_found', 'the campaign covers none of your units');
    const units = await subtreeWithTargets(db, campaign, unit, MAX_IMPORT_ROWS);
    const file = await renderTargetsTemplate(campaign, unit, units.slice(0, MAX_IMPORT_ROWS), ctx.now());
    await audit(db, { actorId: officer.id, action: 'campaign.template', entity: 'campaign', entityId: campaign.id, ...requestMeta(req), detail: { unit: unit.code, units: units.length } });
    return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="chi-tieu_${campaign.id}_${unit.code}.xlsx"`).type(XLSX_TYPE).send(file);
  });

  const importUnit = async (req: FastifyRequest, campaign: CampaignRef, code: string) => {
    const officer = officerOf(req);
    const unit = await openCampaignFor(db, officer, campaign, code || undefined);
    if (!unit) throw notFound('campaign.not_found', 'the campaign covers none of your units');
    if (!canEditUnit(officer, unit)) throw new Problem(403, 'auth.forbidden', 'targets are imported by leaders and administrators of the unit');
    return unit;
  };

  app.get(`${CAMPAIGNS_PATH}/:id/import`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const campaign = await campaignOf(ctx, req.params.id);
    const unit = await importUnit(req, campaign, queryOf(req).unit ?? '');
    return sendPage(reply, <ImportPage p={req.page} officer={officerOf(req)} campaign={campaign} unit={unit} errors={[]} />);
  });

  app.post(`${CAMPAIGNS_PATH}/:id/targets/import`, { schema: { hide: true, params: CampaignIdParams } }, async (req, reply) => {
    const actor = actorOf(req);
    const campaign = await campaignOf(ctx, req.params.id);
    const body = bodyOf(req);
    const unit = await importUnit(req, campaign, formString(body.unit));
    const p = req.page;
    const again = (errors: string[], status: number) => sendPage(reply, <ImportPage p={p} officer={actor.officer} campaign={campaign} unit={unit} errors={errors} />, status);
    const file = body[FILE_FIELD];
    if (!isFile(file)) return again([p.t('campaigns.import.no_file')], 400);
    if (!/\.xlsx$/i.test(file.filename)) return again([problemText(p, 'campaign.import_bad_file')], 400);
    try {
      const done = await importTargets(ctx, actor, campaign.id, file);
      return redirectAfterPost(reply, `${campaignPath(campaign.id, { unit: unit.code, done: 'imported', n: String(done.changed), d: String(done.deleted) })}#checks`);
    } catch (e) {
      if (e instanceof CampaignIssues) return again(e.issues.map((i) => (i.row !== undefined ? p.t('campaigns.import.at', { row: String(i.row), column: i.column ?? '', message: issueText(p, i) }) : issueText(p, i))), 400);
      if (e instanceof Problem && e.code === 'upload.too_large') return again([p.t('campaigns.import.too_large', { mb: MAX_IMPORT_BYTES / 1_000_000 })], 413);
      if (e instanceof Problem && e.code === 'campaign.import_bad_file') return again([problemText(p, e.code)], 400);
      throw e;
    }
  });
}
