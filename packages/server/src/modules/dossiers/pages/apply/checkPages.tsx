/** "Check your answers" before sending, and the confirmation with the dossier code after. */
import type { CitizenDossierView } from '../../citizenDossiers.ts';
import { CsrfField } from '../../../../web/components.tsx';
import { PortalPage } from '../../../../web/layout.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { Citizen } from '../../../people/citizens.ts';
import type { ProcedureRecord } from '../../../procedures/queries.ts';
import type { DraftState } from '../../drafts.ts';
import { answerText, inLang, labelOf, procedureName, questionUrl } from './shared.tsx';

function AnswerValueView({ value }: { value: string | string[] }) {
  if (!Array.isArray(value)) return <>{value}</>;
  if (value.length === 1) return <>{value[0]}</>;
  return (
    <ul class="plain">
      {value.map((v, i) => (
        <li key={i}>{v}</li>
      ))}
    </ul>
  );
}

export function CheckAnswersPage({ p, citizen, state }: { p: PageRequest; citizen: Citizen; state: DraftState }) {
  const title = p.t('apply.check.title');
  const last = state.questions[state.questions.length - 1];
  return (
    <PortalPage p={p} title={title} citizen={citizen}>
      <p>
        <a href={last ? questionUrl(state.id, last.key) : '/apply'}>← {p.t('common.back')}</a>
      </p>
      <p class="muted">{procedureName(p, state.procedure)}</p>
      <h1>{title}</h1>
      <p>{p.t('apply.check.lead')}</p>
      <dl class="summary">
        <div>
          <dt>{p.t('apply.check.applicant')}</dt>
          <dd>{citizen.fullName}</dd>
        </div>
        {state.questions.map((q) => {
          const label = labelOf(p, q);
          const text = answerText(p, q, state.answers[q.key]);
          return (
            <div key={q.key}>
              <dt>{label}</dt>
              <dd>{text === null ? <span class="muted">{p.t('apply.check.not_answered')}</span> : <AnswerValueView value={text} />}</dd>
              <dd>
                <a href={questionUrl(state.id, q.key, { change: true })}>
                  {p.t('common.change')}
                  <span class="vh"> {label}</span>
                </a>
              </dd>
            </div>
          );
        })}
      </dl>
      <h2>{p.t('apply.check.send_title')}</h2>
      <p>{p.t('apply.check.declaration')}</p>
      <form method="post" action={`/apply/d/${state.id}/submit`}>
        <CsrfField p={p} />
        <button type="submit" class="big">
          {p.t('apply.check.send')}
        </button>
      </form>
      <p>
        <a href={`/apply?saved=${state.id}`}>{p.t('apply.question.later')}</a>
      </p>
    </PortalPage>
  );
}

export function DonePage({ p, citizen, dossier, procedure }: { p: PageRequest; citizen: Citizen; dossier: CitizenDossierView; procedure: ProcedureRecord | undefined }) {
  const title = p.t('apply.done.title');
  const time = procedure ? p.t(procedure.sla_unit === 'working_hours' ? 'common.working_hours' : 'common.working_days', { n: procedure.sla_value }) : null;
  return (
    <PortalPage p={p} title={title} citizen={citizen}>
      <div class="confirm">
        <h1>{title}</h1>
        <p>{p.t('apply.done.code_label')}</p>
        <p class="code">{dossier.code}</p>
      </div>
      <p>{inLang(p.lang, dossier.procedure.nameVi, dossier.procedure.nameEn)}</p>
      <p>{p.t('apply.done.keep_code')}</p>
      <h2>{p.t('apply.done.next_title')}</h2>
      <ol>
        <li>{p.t('apply.done.next_check', { unit: dossier.unit.name })}</li>
        <li>{time ? p.t('apply.done.next_receive', { time }) : p.t('apply.done.next_receive_short')}</li>
        <li>{p.t('apply.done.next_supplement')}</li>
      </ol>
      <p>
        <a href="/my">{p.t('apply.done.track')}</a>
      </p>
      <p>
        <a href="/apply">{p.t('apply.done.another')}</a>
      </p>
    </PortalPage>
  );
}
