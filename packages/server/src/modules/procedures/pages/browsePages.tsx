/** Browsing the catalogue (by life event, by sector) and searching it. */
import { PortalPage } from '../../../web/layout.tsx';
import { BackLink } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Citizen } from '../../people/citizens.ts';
import type { LifeEvent } from '../catalogueFile.ts';
import { nameIn, type CatalogueProcedure, type Sector } from '../service.ts';
import { ProcedureList, SearchForm } from './parts.tsx';

interface Base {
  p: PageRequest;
  citizen: Citizen | null;
}

/** `/services`: every life event and every sector that has at least one procedure. */
export function ServicesIndexPage({ p, citizen, events, sectors }: Base & { events: { event: LifeEvent; count: number }[]; sectors: { sector: Sector; count: number }[] }) {
  return (
    <PortalPage p={p} title={p.t('portal.services.title')} citizen={citizen}>
      <h1>{p.t('portal.services.title')}</h1>
      <SearchForm p={p} />
      <h2>{p.t('portal.services.by_event')}</h2>
      <ul>
        {events.map(({ event, count }) => (
          <li key={event}>
            <a href={`/services?event=${event}`}>{p.t(`portal.event.${event}`)}</a> <span class="muted">({p.t('portal.services.count', { n: count })})</span>
          </li>
        ))}
      </ul>
      <h2>{p.t('portal.services.by_sector')}</h2>
      <p class="muted">{p.t('portal.services.by_sector_hint')}</p>
      <ul>
        {sectors.map(({ sector, count }) => (
          <li key={sector.code}>
            <a href={`/services?sector=${sector.code}`}>{nameIn(p.lang, sector)}</a> <span class="muted">({p.t('portal.services.count', { n: count })})</span>
          </li>
        ))}
      </ul>
    </PortalPage>
  );
}

/** `/services?event=…` or `/services?sector=…`: the procedures of one group. */
export function ServiceGroupPage({ p, citizen, heading, intro, procedures }: Base & { heading: string; intro: string; procedures: CatalogueProcedure[] }) {
  return (
    <PortalPage p={p} title={heading} citizen={citizen}>
      <BackLink href="/services" label={p.t('portal.services.all')} />
      <h1>{heading}</h1>
      <p>{intro}</p>
      <ProcedureList p={p} procedures={procedures} />
      <p>
        {p.t('portal.services.not_here')} <a href="/services/search">{p.t('portal.services.search_link')}</a>
      </p>
    </PortalPage>
  );
}

/** `/services/search?q=…`: results, or what to try when there are none. */
export function SearchPage({ p, citizen, q, results }: Base & { q: string; results: CatalogueProcedure[] }) {
  const searched = q.trim() !== '';
  const title = searched ? p.t('portal.search.title_for', { q }) : p.t('portal.search.label');
  return (
    <PortalPage p={p} title={title} citizen={citizen}>
      <SearchForm p={p} q={q} asHeading />
      {!searched ? (
        <p>
          {p.t('portal.search.empty_query')} <a href="/services">{p.t('portal.search.browse_link')}</a>
        </p>
      ) : results.length > 0 ? (
        <>
          <h2>{p.t(results.length === 1 ? 'portal.search.found_one' : 'portal.search.found_many', { n: results.length, q })}</h2>
          <ProcedureList p={p} procedures={results} />
        </>
      ) : (
        <>
          <h2>{p.t('portal.search.none', { q })}</h2>
          <p>{p.t('portal.search.try_intro')}</p>
          <ul>
            <li>{p.t('portal.search.try_fewer')}</li>
            <li>{p.t('portal.search.try_spelling')}</li>
            <li>
              <a href="/services">{p.t('portal.search.try_browse')}</a>
            </li>
            <li>
              <a href="/help">{p.t('portal.search.try_help')}</a>
            </li>
          </ul>
        </>
      )}
    </PortalPage>
  );
}
