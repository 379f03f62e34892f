/** Every HTML page of the portal (/) and the back office (/office), module by module. */
import type { AppContext } from '../context.ts';
import type { ZodApp } from '../http/types.ts';
import { procedurePages } from '../modules/procedures/pages.tsx';
import { accountPages } from '../modules/people/pages.tsx';
import { smsSinkPages } from '../modules/notify/pages.tsx';
import { notifyOperatorPage } from '../modules/notify/operatorPage.tsx';
import { applyPages } from '../modules/dossiers/pages/applyPages.tsx';
import { trackPages } from '../modules/dossiers/pages/trackPages.tsx';
import { paymentPages } from '../modules/payments/pages.tsx';
import { officeAuthPages } from '../modules/auth/pages.tsx';
import { officeDossierPages } from '../modules/dossiers/pages/officePages.tsx';
import { intakePages } from '../modules/dossiers/pages/intakePages.tsx';
import { reportPages } from '../modules/reports/pages.tsx';
import { adminPages } from '../modules/auth/adminPages.tsx';
import { auditPages } from '../modules/audit/pages.tsx';
import { teamPages } from '../modules/teams/pages/routes.tsx';
import { dashboardPages } from '../modules/campaigns/pages/dashboardRoutes.tsx';
import { campaignPages } from '../modules/campaigns/pages/campaignRoutes.tsx';
import { activityPages } from '../modules/campaigns/pages/activityRoutes.tsx';
import { performancePages } from '../modules/campaigns/pages/performanceRoutes.tsx';

export function registerPages(app: ZodApp, ctx: AppContext): void {
  procedurePages(app, ctx);
  accountPages(app, ctx);
  smsSinkPages(app, ctx);
  notifyOperatorPage(app, ctx);
  applyPages(app, ctx);
  trackPages(app, ctx);
  paymentPages(app, ctx);
  officeAuthPages(app, ctx);
  officeDossierPages(app, ctx);
  intakePages(app, ctx);
  reportPages(app, ctx);
  adminPages(app, ctx);
  auditPages(app, ctx);
  teamPages(app, ctx);
  dashboardPages(app, ctx);
  campaignPages(app, ctx);
  activityPages(app, ctx);
  performancePages(app, ctx);
}
