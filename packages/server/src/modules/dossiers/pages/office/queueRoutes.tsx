/** GET /office: the work queues of the officer's units. */
import { z } from 'zod';
import type { AppContext } from '../../../../context.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { sendPage } from '../../../../web/render.tsx';
import type { Officer } from '../../../auth/service.ts';
import { allProcedures, unitsOfOfficer } from '../../office/lookups.ts';
import { QUEUE_TABS, queueMoment, queuePage, type QueueFilter, type QueueTab } from '../../office/queues.ts';
import { QueueView, type QueueFilterText } from './QueueView.tsx';

/** Anything unreadable in the address is ignored rather than refused: it is a list, not a form. */
const QueueQuery = z.object({
  tab: z.enum(QUEUE_TABS).optional().catch(undefined),
  procedure: z.string().regex(/^\d\.\d{6}$/).optional().catch(undefined),
  channel: z.enum(['1', '2', '3']).optional().catch(undefined),
  status: z.string().regex(/^(10|[1-9])$/).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  after: z.coerce.number().int().positive().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** Where each kind of officer starts: the desk receives, specialists process, leaders watch deadlines. */
function defaultTab(officer: Officer): QueueTab {
  const roles = new Set(officer.roles.map((r) => r.role));
  if (roles.has('officer') || roles.has('admin')) return 'new';
  if (roles.has('specialist')) return 'mine';
  return 'overdue';
}

export function queueRoutes(app: ZodApp, ctx: AppContext): void {
  app.get('/office', { schema: { hide: true } }, async (req, reply) => {
    const officer = req.officer as Officer;
    // A community team member has no queue: their work is in the field app.
    if (officer.roles.length > 0 && officer.roles.every((r) => r.role === 'member')) return reply.redirect('/field/', 303);
    const raw = Object.fromEntries(Object.entries((req.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
    const q = QueueQuery.parse(raw);
    const tab = q.tab ?? defaultTab(officer);
    const [units, procedures, moment] = await Promise.all([unitsOfOfficer(ctx, officer), allProcedures(ctx), queueMoment(ctx, officer.id)]);
    const filter: QueueFilter = {
      procedureId: q.procedure ? (procedures.find((x) => x.code === q.procedure)?.id ?? -1) : undefined,
      channel: q.channel ? Number(q.channel) : undefined,
      status: q.status ? Number(q.status) : undefined,
      from: q.from,
      to: q.to,
      q: q.q,
    };
    const { counts, page } = await queuePage(ctx, units.map((u) => u.id), tab, filter, moment, { after: q.after, before: q.before });
    const filters: QueueFilterText = { procedure: q.procedure, channel: q.channel, status: q.status, from: q.from, to: q.to, q: q.q };
    const rootNames = [...new Set(officer.roles.map((r) => units.find((u) => u.id === r.unitId)?.name).filter((n): n is string => !!n))];
    return sendPage(
      reply,
      <QueueView
        p={req.page}
        officer={officer}
        tab={tab}
        counts={counts}
        page={page}
        filters={filters}
        procedures={procedures.map((x) => ({ id: x.id, code: x.code, name: req.page.lang === 'vi' ? x.nameVi : x.nameEn, active: x.active }))}
        units={units}
        unitNames={rootNames}
        moment={moment}
      />,
    );
  });
}
