/**
 * The way into an application: "my applications in progress" (save and return) and a
 * procedure's start page, which says what to prepare before the first question.
 */
import { CsrfField } from '../../../../web/components.tsx';
import { PortalPage } from '../../../../web/layout.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { Citizen } from '../../../people/citizens.ts';
import type { ProcedureRecord } from '../../../procedures/queries.ts';
import type { OpenDraftSummary } from '../../drafts.ts';
import { draftUrl, inLang, localDateTime, procedureName } from './shared.tsx';

export function DraftListPage({ p, citizen, drafts, notice }: { p: PageRequest; citizen: Citizen; drafts: OpenDraftSummary[]; notice?: string | undefined }) {
  return (
    <PortalPage p={p} title={p.t('apply.list.title')} citizen={citizen}>
      <h1>{p.t('apply.list.title')}</h1>
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      <h2>{p.t('apply.list.in_progress')}</h2>
      {drafts.length === 0 ? (
        <p>{p.t('apply.list.none')}</p>
      ) : (
        <ul class="cards">
          {drafts.map((d) => {
            const name = inLang(p.lang, d.nameVi, d.nameEn);
            return (
              <li key={d.id}>
                <a href={draftUrl(d.id)}>
                  {p.t('apply.list.continue')}
                  <span class="vh">:</span> {name}
                </a>
                <p class="muted">
                  {p.t('apply.list.progress', { answered: d.answered, total: d.total })}. {p.t('apply.list.saved_at', { when: localDateTime(d.updatedAt) })}
                </p>
                <form method="post" action={`${draftUrl(d.id)}/delete`}>
                  <CsrfField p={p} />
                  <button type="submit" class="secondary" data-confirm={p.t('apply.list.delete_confirm')}>
                    {p.t('apply.list.delete')}
                    <span class="vh"> {name}</span>
                  </button>
                </form>
              </li>
            );
          })}
        </ul>
      )}
      <p>
        <a href="/">{p.t('apply.list.find')}</a>
      </p>
      <p>
        <a href="/my">{p.t('apply.list.my_dossiers')}</a>
      </p>
    </PortalPage>
  );
}

interface RequiredDocument {
  nameVi: string;
  nameEn: string;
  copies: number;
  original: boolean;
}
interface Fee {
  nameVi: string;
  nameEn: string;
  amount: number;
}

export function StartPage({ p, citizen, procedure, openDraftId }: { p: PageRequest; citizen: Citizen; procedure: ProcedureRecord; openDraftId: number | null }) {
  const name = procedureName(p, procedure);
  const docs = procedure.required_documents as RequiredDocument[];
  const fees = (procedure.fees as Fee[]).filter((f) => f.amount > 0);
  const time = p.t(procedure.sla_unit === 'working_hours' ? 'common.working_hours' : 'common.working_days', { n: procedure.sla_value });
  return (
    <PortalPage p={p} title={name} citizen={citizen}>
      <p class="muted">{p.t('apply.start.caption')}</p>
      <h1>{name}</h1>
      {openDraftId !== null ? (
        <div class="notice">
          <p>{p.t('apply.start.existing')}</p>
          <p>
            <a href={draftUrl(openDraftId)}>{p.t('apply.start.existing_link')}</a>
          </p>
        </div>
      ) : null}
      <h2>{p.t('apply.start.prepare')}</h2>
      <ul>
        {docs.map((d) => (
          <li key={d.nameVi}>
            {inLang(p.lang, d.nameVi, d.nameEn)} ({p.t(d.original ? 'apply.start.original' : 'apply.start.copies', { n: d.copies })})
          </li>
        ))}
      </ul>
      <p>{p.t('apply.start.photos')}</p>
      <h2>{p.t('apply.start.time_and_fee')}</h2>
      <p>{p.t('apply.start.time', { time })}</p>
      <p>{fees.length ? fees.map((f) => `${inLang(p.lang, f.nameVi, f.nameEn)}: ${p.t('common.dong', { amount: f.amount })}`).join('; ') : p.t('common.free')}</p>
      {procedure.online_level === 'partial' ? <p>{p.t('apply.start.partial')}</p> : null}
      <h2>{p.t('apply.start.how_title')}</h2>
      <p>{p.t('apply.start.how')}</p>
      <form method="post" action={`/apply/${procedure.code}`}>
        <CsrfField p={p} />
        <button type="submit" class="big">
          {p.t(openDraftId !== null ? 'apply.start.button_new' : 'apply.start.button')}
        </button>
      </form>
    </PortalPage>
  );
}
