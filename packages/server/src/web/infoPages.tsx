/**
 * Two pages every other page links to from its footer: `/glossary` explains the official words
 * that have to stay (hồ sơ, CCCD, OTP…), and `/help` says where a person can get help. The
 * glossary entries are catalogue keys (`glossary.term.<id>` and `glossary.meaning.<id>`), so a
 * new word, or a new language, is a catalogue edit with no code change.
 */
import { formatOfficeHours } from '@causo/domain';
import type { AppContext } from '../context.ts';
import type { ZodApp } from '../http/types.ts';
import type { Citizen } from '../modules/people/citizens.ts';
import { allKeys, DEFAULT_LANG } from './i18n.ts';
import { PortalPage } from './layout.tsx';
import { sendPage } from './render.tsx';
import type { PageRequest } from './request.ts';

const TERM_KEY = /^glossary\.term\.([a-z0-9_]+)$/;

/** Glossary entry ids in the order of the Vietnamese catalogue (the reference language). */
export function glossaryIds(): string[] {
  return allKeys(DEFAULT_LANG).flatMap((k) => TERM_KEY.exec(k)?.[1] ?? []);
}

/** Anchor of an entry, for links such as `/glossary#g-ngay_lam_viec`. */
export const glossaryAnchor = (id: string): string => `g-${id}`;

export function GlossaryPage({ p, citizen }: { p: PageRequest; citizen: Citizen | null }) {
  return (
    <PortalPage p={p} title={p.t('glossary.page.title')} citizen={citizen}>
      <h1>{p.t('glossary.page.title')}</h1>
      <p class="lead">{p.t('glossary.page.lead')}</p>
      <dl class="summary">
        {glossaryIds().map((id) => (
          <div key={id} id={glossaryAnchor(id)}>
            <dt>{p.t(`glossary.term.${id}`)}</dt>
            <dd>{p.t(`glossary.meaning.${id}`)}</dd>
          </div>
        ))}
      </dl>
      <p>
        {p.t('glossary.page.missing')} <a href="/help">{p.t('glossary.page.help_link')}</a>
      </p>
    </PortalPage>
  );
}

/** "07:30–11:30, 13:30–17:00" from the calendar's office hours. */
export function officeHoursText(hours: Parameters<typeof formatOfficeHours>[0], p: PageRequest): string {
  return formatOfficeHours(hours)
    .split(',')
    .map((w) => w.replace('-', '–'))
    .join(p.t('portal.help.hours_separator'));
}

export function HelpPage({ p, citizen, officeHours }: { p: PageRequest; citizen: Citizen | null; officeHours: string }) {
  return (
    <PortalPage p={p} title={p.t('portal.help.title')} citizen={citizen}>
      <h1>{p.t('portal.help.title')}</h1>
      <p class="lead">{p.t('portal.help.lead')}</p>

      <h2>{p.t('portal.help.team_title')}</h2>
      <p>{p.t('portal.help.team_text')}</p>
      <p>{p.t('portal.help.team_find')}</p>

      <h2>{p.t('portal.help.phone_title')}</h2>
      <p>{p.t('portal.help.phone_text')}</p>

      <h2>{p.t('portal.help.office_title')}</h2>
      <p>{p.t('portal.help.office_text')}</p>
      <p>{p.t('portal.procedure.office_hours', { hours: officeHours })}</p>

      <h2 id="sim">{p.t('portal.help.sim_title')}</h2>
      <p>{p.t('portal.help.sim_why')}</p>
      <ol>
        <li>{p.t('portal.help.sim_step1')}</li>
        <li>{p.t('portal.help.sim_step2')}</li>
        <li>{p.t('portal.help.sim_step3')}</li>
      </ol>
      <p>{p.t('portal.help.sim_wrong')}</p>

      <h2>{p.t('portal.help.more_title')}</h2>
      <ul>
        <li>
          <a href="/glossary">{p.t('portal.help.glossary_link')}</a>
        </li>
        <li>
          <a href="/track">{p.t('portal.help.track_link')}</a>
        </li>
        <li>
          <a href="/services">{p.t('portal.help.services_link')}</a>
        </li>
      </ul>
    </PortalPage>
  );
}

export function infoPages(app: ZodApp, ctx: AppContext): void {
  app.get('/glossary', { schema: { hide: true } }, async (req, reply) => sendPage(reply, <GlossaryPage p={req.page} citizen={req.citizen} />));
  app.get('/help', { schema: { hide: true } }, async (req, reply) => {
    const hours = officeHoursText((await ctx.calendar.calendar()).officeHours, req.page);
    return sendPage(reply, <HelpPage p={req.page} citizen={req.citizen} officeHours={hours} />);
  });
}
