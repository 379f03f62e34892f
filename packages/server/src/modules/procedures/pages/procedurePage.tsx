/**
 * `/services/:code`: one procedure in plain words. The answers a resident asks first (how long,
 * how much, can I do it all from my phone) sit at the top with the start button; then who can
 * use it, the papers to bring, and where to go in person.
 */
import { PortalPage } from '../../../web/layout.tsx';
import { BackLink, SummaryList } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Citizen } from '../../people/citizens.ts';
import { eligibilityIn, nameIn, type CatalogueProcedure, type Sector } from '../service.ts';
import { feeText, isFree, money, SearchForm, slaText } from './parts.tsx';

interface Props {
  p: PageRequest;
  citizen: Citizen | null;
  procedure: CatalogueProcedure;
  sector: Sector | null;
  /** Office opening hours, e.g. "07:30–11:30, 13:30–17:00". */
  officeHours: string;
}

/** One line for the top of the page; several fees are listed in full further down. */
function costSummary(p: PageRequest, fees: CatalogueProcedure['fees']): string {
  const paid = fees.filter((f) => f.amount > 0);
  const [only] = paid;
  if (!only) return p.t('common.free');
  if (paid.length === 1) return feeText(p, only);
  return p.t('portal.procedure.cost_from', { amount: money(p, Math.min(...paid.map((f) => f.amount))) });
}

export function ProcedurePage({ p, citizen, procedure: proc, sector, officeHours }: Props) {
  const name = nameIn(p.lang, proc);
  const free = isFree(proc.fees);
  const paidFees = proc.fees.filter((f) => f.amount > 0);
  return (
    <PortalPage p={p} title={name} citizen={citizen}>
      {sector ? <BackLink href={`/services?sector=${sector.code}`} label={nameIn(p.lang, sector)} /> : <BackLink href="/services" label={p.t('portal.services.all')} />}
      <h1>{name}</h1>
      <SummaryList
        rows={[
          { key: p.t('portal.procedure.time'), value: slaText(p, proc) },
          { key: p.t('portal.procedure.cost'), value: costSummary(p, proc.fees) },
          { key: p.t('portal.procedure.online'), value: p.t(`portal.online.${proc.onlineLevel}.short`) },
        ]}
      />
      <p>
        <a class="button big" href={`/apply/${proc.code}`}>
          {p.t('portal.procedure.start')}
        </a>
      </p>
      {citizen ? null : (
        <p class="hint">
          {p.t('portal.procedure.need_account')} <a href="/account/new">{p.t('portal.procedure.open_account')}</a>
        </p>
      )}

      <h2>{p.t('portal.procedure.who')}</h2>
      <p>{eligibilityIn(p.lang, proc)}</p>

      <h2>{p.t('portal.procedure.papers')}</h2>
      <ul>
        {proc.requiredDocuments.map((d, i) => (
          <li key={i}>
            {p.lang === 'en' ? d.nameEn : d.nameVi}{' '}
            <span class="muted">({p.t(d.original ? 'portal.procedure.doc_original' : 'portal.procedure.doc_copy', { n: d.copies })})</span>
          </li>
        ))}
      </ul>
      <p class="hint">{p.t('portal.procedure.papers_photo')}</p>

      <h2>{p.t('portal.procedure.how_long')}</h2>
      <p>
        {p.t('portal.procedure.how_long_text', { time: slaText(p, proc) })} <a href="/glossary#g-ngay_lam_viec">{p.t('portal.procedure.working_days_link')}</a>
      </p>

      <h2>{p.t('portal.procedure.cost')}</h2>
      {free ? (
        <p>{p.t('portal.procedure.free_text')}</p>
      ) : (
        <>
          <ul>
            {paidFees.map((f, i) => (
              <li key={i}>{feeText(p, f)}</li>
            ))}
          </ul>
          <p>{p.t('portal.procedure.pay_how')}</p>
        </>
      )}

      <h2>{p.t('portal.procedure.online')}</h2>
      <p>{p.t(`portal.online.${proc.onlineLevel}.long`)}</p>

      <h2>{p.t('portal.procedure.in_person')}</h2>
      <p>{p.t('portal.procedure.in_person_text')}</p>
      <p>{p.t('portal.procedure.office_hours', { hours: officeHours })}</p>

      <div class="notice">
        <p>
          {p.t('portal.procedure.help')} <a href="/help">{p.t('portal.procedure.help_link')}</a>
        </p>
      </div>
      <p class="muted">{p.t('portal.procedure.code', { code: proc.code })}</p>
    </PortalPage>
  );
}

/**
 * An unknown or retired procedure code, or an unknown group on /services: say so, and offer the
 * search box right here.
 */
export function ProcedureNotFoundPage({ p, citizen, code, group }: { p: PageRequest; citizen: Citizen | null; code: string; group?: boolean }) {
  return (
    <PortalPage p={p} title={p.t('portal.procedure.not_found_title')} citizen={citizen}>
      <h1>{p.t('portal.procedure.not_found_title')}</h1>
      <p class="lead">{p.t(group ? 'portal.services.not_found_text' : 'portal.procedure.not_found_text', { code })}</p>
      <SearchForm p={p} />
      <p>
        <a href="/services">{p.t('portal.services.all')}</a>
      </p>
    </PortalPage>
  );
}
