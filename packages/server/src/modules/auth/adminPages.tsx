/**
 * Administration for a province administrator (role `admin` on a province in force): officers
 * and their roles, procedures, the working-time calendar, units. Every route is registered
 * through `adminRoutes`, whose hook refuses everyone else; every change is audited.
 */
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { OfficePage } from '../../web/layout.tsx';
import { sendPage } from '../../web/render.tsx';
import { adminRoutes } from './admin/guard.ts';
import { userAdminPages } from './admin/userPages.tsx';
import { procedureAdminPages } from '../procedures/admin/procedurePages.tsx';
import { calendarAdminPages } from '../calendar/admin/calendarPages.tsx';
import { unitAdminPages } from '../units/admin/unitPages.tsx';
import { subjectExportPages } from '../people/exportPages.tsx';

const SECTIONS = [
  { href: '/office/admin/users', key: 'users' },
  { href: '/office/admin/procedures', key: 'procedures' },
  { href: '/office/admin/calendar', key: 'calendar' },
  { href: '/office/admin/units', key: 'units' },
  { href: '/office/admin/audit', key: 'audit' },
  { href: '/office/admin/people/export', key: 'people_export' },
  { href: '/office/notifications', key: 'notifications' },
] as const;

export function adminPages(app: ZodApp, ctx: AppContext): void {
  adminRoutes(app, ctx, (admin) => {
    admin.get('/office/admin', { schema: { hide: true } }, async (req, reply) => {
      const p = req.page;
      return sendPage(
        reply,
        <OfficePage p={p} title={p.t('admin.index.title')} officer={req.officer}>
          <h1>{p.t('admin.index.title')}</h1>
          <p class="lead">{p.t('admin.index.lead')}</p>
          <ul class="cards">
            {SECTIONS.map((s) => (
              <li key={s.key}>
                <a href={s.href}>{p.t(`admin.index.${s.key}`)}</a>
                <span class="hint">{p.t(`admin.index.${s.key}_hint`)}</span>
              </li>
            ))}
          </ul>
        </OfficePage>,
      );
    });
    userAdminPages(admin, ctx);
    procedureAdminPages(admin, ctx);
    calendarAdminPages(admin, ctx);
    unitAdminPages(admin, ctx);
    subjectExportPages(admin, ctx);
  });
}
