/**
 * GET /office/intake: the first step at the desk. Pick the commune (when the officer serves
 * several) and find the procedure by name or code; "khai sinh" finds "Đăng ký khai sinh".
 * A plain GET form, so it works without JavaScript and the result can be bookmarked.
 */
import type { AppContext } from '../../../../context.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { requireActor } from '../../../../http/auth.ts';
import { forbidden } from '../../../../http/problem.ts';
import { OfficePage } from '../../../../web/layout.tsx';
import { sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import { Select, Submit, TextField } from '../../../../web/components.tsx';
import type { Officer } from '../../../auth/service.ts';
import { intakeProcedures, intakeUnits, type IntakeUnit } from '../../counterIntake.ts';

type ProcedureRow = Awaited<ReturnType<typeof intakeProcedures>>[number];

export const newIntakeUrl = (unit: string, procedure: string) => `/office/intake/new?unit=${encodeURIComponent(unit)}&procedure=${encodeURIComponent(procedure)}`;

/** The desk's communes, or 403 for someone who may not receive dossiers (a specialist, a leader). */
export async function unitsOrForbidden(ctx: AppContext, officer: Officer): Promise<IntakeUnit[]> {
  const units = await intakeUnits(ctx, officer);
  if (!units.length) throw forbidden('counter intake needs the officer or admin role on a commune');
  return units;
}

function StartPage({ p, officer, units, unit, q, procedures }: { p: PageRequest; officer: Officer | null; units: IntakeUnit[]; unit: IntakeUnit; q: string; procedures: ProcedureRow[] }) {
  const t = p.t;
  return (
    <OfficePage p={p} title={t('intake.start.title')} officer={officer}>
      <h1>{t('intake.start.title')}</h1>
      <p class="lead">{t('intake.start.lead')}</p>
      {units.length === 1 ? <p>{t('intake.start.unit_is', { unit: unit.name })}</p> : null}
      <form method="get" action="/office/intake" class="filters" role="search" aria-label={t('intake.start.search_label')}>
        {units.length > 1 ? (
          <Select name="unit" label={t('intake.field.unit')} value={unit.code} options={units.map((u) => ({ value: u.code, label: u.name }))} />
        ) : (
          <input type="hidden" name="unit" value={unit.code} />
        )}
        <TextField name="q" type="search" label={t('intake.start.search')} hint={t('intake.start.search_hint')} value={q} maxLength={100} />
        <Submit>{t('intake.start.search_button')}</Submit>
      </form>
      <h2>{q ? t('intake.start.results', { n: procedures.length, q }) : t('intake.start.all', { n: procedures.length })}</h2>
      {procedures.length ? (
        <ul class="cards">
          {procedures.map((pr) => (
            <li key={pr.code}>
              <a href={newIntakeUrl(unit.code, pr.code)}>{p.lang === 'vi' ? pr.name_vi : pr.name_en}</a>
              <span class="hint">
                {t('intake.start.procedure_hint', {
                  code: pr.code,
                  sla: t(pr.sla_unit === 'working_hours' ? 'common.working_hours' : 'common.working_days', { n: pr.sla_value }),
                })}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('intake.start.none')}</p>
      )}
    </OfficePage>
  );
}

export function intakeStartPage(app: ZodApp, ctx: AppContext): void {
  app.get('/office/intake', { schema: { hide: true } }, async (req, reply) => {
    const actor = requireActor(req);
    const units = await unitsOrForbidden(ctx, actor.officer);
    const query = req.query as Record<string, unknown>;
    const unit = units.find((u) => u.code === query.unit) ?? (units[0] as IntakeUnit);
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) : '';
    const procedures = await intakeProcedures(ctx, q);
    return sendPage(reply, <StartPage p={req.page} officer={req.officer} units={units} unit={unit} q={q} procedures={procedures} />);
  });
}
