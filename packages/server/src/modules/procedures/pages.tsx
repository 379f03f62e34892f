/**
 * The citizen portal's catalogue: the home page, browsing by life event and by sector, search,
 * and one page per procedure; plus the glossary and help pages. All GET, all public, all
 * working without JavaScript.
 */
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { sendPage } from '../../web/render.tsx';
import { infoPages, officeHoursText } from '../../web/infoPages.tsx';
import { LIFE_EVENTS } from './catalogueFile.ts';
import {
  catalogueCounts,
  findActiveProcedure,
  isLifeEvent,
  listSectors,
  mostUsedProcedures,
  nameIn,
  proceduresForLifeEvent,
  proceduresInSector,
  searchCatalogue,
  SEARCH_MAX_LENGTH,
} from './service.ts';
import { HomePage, HOME_LIFE_EVENTS } from './pages/homePage.tsx';
import { SearchPage, ServiceGroupPage, ServicesIndexPage } from './pages/browsePages.tsx';
import { ProcedureNotFoundPage, ProcedurePage } from './pages/procedurePage.tsx';

const page = { schema: { hide: true } } as const;
/** Page queries are lenient: a bad value shows a helpful page, never a bare 400. */
const BrowseQuery = z.object({ event: z.string().optional(), sector: z.string().optional() });
const SearchQuery = z.object({ q: z.union([z.string(), z.array(z.string())]).optional() });

export function procedurePages(app: ZodApp, ctx: AppContext): void {
  const db = ctx.db.kysely;

  app.get('/', page, async (req, reply) => {
    const [mostUsed, { byEvent }] = await Promise.all([mostUsedProcedures(db), catalogueCounts(db)]);
    const events = HOME_LIFE_EVENTS.filter((e) => byEvent.has(e));
    return sendPage(reply, <HomePage p={req.page} citizen={req.citizen} mostUsed={mostUsed} events={events} />);
  });

  app.get('/services', { schema: { hide: true, querystring: BrowseQuery } }, async (req, reply) => {
    const { event, sector } = req.query;
    const p = req.page;
    if (event !== undefined) {
      if (!isLifeEvent(event)) return sendPage(reply, <ProcedureNotFoundPage p={p} citizen={req.citizen} code={event.slice(0, 40)} group />, 404);
      const procedures = await proceduresForLifeEvent(db, event);
      const heading = p.t(`portal.event.${event}`);
      return sendPage(reply, <ServiceGroupPage p={p} citizen={req.citizen} heading={heading} intro={p.t('portal.services.event_intro', { n: procedures.length })} procedures={procedures} />);
    }
    const sectors = await listSectors(db);
    if (sector !== undefined) {
      const found = sectors.find((s) => s.code === sector);
      if (!found) return sendPage(reply, <ProcedureNotFoundPage p={p} citizen={req.citizen} code={sector.slice(0, 40)} group />, 404);
      const procedures = await proceduresInSector(db, found.code);
      return sendPage(reply, <ServiceGroupPage p={p} citizen={req.citizen} heading={nameIn(p.lang, found)} intro={p.t('portal.services.sector_intro', { n: procedures.length })} procedures={procedures} />);
    }
    const { bySector, byEvent } = await catalogueCounts(db);
    const events = LIFE_EVENTS.flatMap((e) => (byEvent.has(e) ? [{ event: e, count: byEvent.get(e) ?? 0 }] : []));
    const withCounts = sectors.flatMap((s) => (bySector.has(s.code) ? [{ sector: s, count: bySector.get(s.code) ?? 0 }] : []));
    return sendPage(reply, <ServicesIndexPage p={p} citizen={req.citizen} events={events} sectors={withCounts} />);
  });

  app.get('/services/search', { schema: { hide: true, querystring: SearchQuery } }, async (req, reply) => {
    const raw = req.query.q;
    const q = (Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '')).slice(0, SEARCH_MAX_LENGTH);
    const results = await searchCatalogue(db, q);
    return sendPage(reply, <SearchPage p={req.page} citizen={req.citizen} q={q} results={results} />);
  });

  app.get('/services/:code', { schema: { hide: true, params: z.object({ code: z.string() }) } }, async (req, reply) => {
    const code = req.params.code.slice(0, 40);
    const procedure = /^\d\.\d{6}$/.test(code) ? await findActiveProcedure(db, code) : null;
    if (!procedure) return sendPage(reply, <ProcedureNotFoundPage p={req.page} citizen={req.citizen} code={code} />, 404);
    const [sectors, calendar] = await Promise.all([listSectors(db), ctx.calendar.calendar()]);
    const sector = sectors.find((s) => s.code === procedure.sectorCode) ?? null;
    const hours = officeHoursText(calendar.officeHours, req.page);
    return sendPage(reply, <ProcedurePage p={req.page} citizen={req.citizen} procedure={procedure} sector={sector} officeHours={hours} />);
  });

  infoPages(app, ctx);
}
