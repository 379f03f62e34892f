/**
 * The portal's front door at `/`: what this site is for, a search box, the procedures most
 * people come for, and the ways in by life event and by sector. Kept small for 2G.
 */
import { PortalPage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Citizen } from '../../people/citizens.ts';
import type { LifeEvent } from '../catalogueFile.ts';
import type { CatalogueProcedure } from '../service.ts';
import { ProcedureList, SearchForm } from './parts.tsx';

/** The life events offered on the home page; the rest are one tap away on /services. */
export const HOME_LIFE_EVENTS: readonly LifeEvent[] = ['birth', 'marriage', 'death', 'residence', 'certification', 'social_support'];

export function HomePage({ p, citizen, mostUsed, events }: { p: PageRequest; citizen: Citizen | null; mostUsed: CatalogueProcedure[]; events: LifeEvent[] }) {
  return (
    <PortalPage p={p} title={p.t('portal.home.title')} citizen={citizen}>
      <h1>{p.t('portal.home.title')}</h1>
      <p class="lead">{p.t('portal.home.lead')}</p>
      <SearchForm p={p} label={p.t('portal.home.search_label')} />

      <h2>{p.t('portal.home.most_used')}</h2>
      <ProcedureList p={p} procedures={mostUsed} />

      <h2>{p.t('portal.home.by_event')}</h2>
      <ul>
        {events.map((e) => (
          <li key={e}>
            <a href={`/services?event=${e}`}>{p.t(`portal.event.${e}`)}</a>
          </li>
        ))}
      </ul>
      <p>
        <a href="/services">{p.t('portal.home.all_services')}</a>
      </p>

      <h2>{p.t('portal.home.already_applied')}</h2>
      <ul>
        <li>
          <a href="/track">{p.t('portal.home.track')}</a>
        </li>
        {citizen ? (
          <li>
            <a href="/my">{p.t('portal.home.my_dossiers')}</a>
          </li>
        ) : (
          <>
            <li>
              <a href="/account/new">{p.t('portal.home.open_account')}</a>
            </li>
            <li>
              <a href="/sign-in">{p.t('portal.home.sign_in')}</a>
            </li>
          </>
        )}
      </ul>
      <div class="notice">
        <p>
          {p.t('portal.home.help')} <a href="/help">{p.t('portal.home.help_link')}</a>
        </p>
      </div>
    </PortalPage>
  );
}
