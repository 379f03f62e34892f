/**
 * Counter intake (/office/intake…) and the printed one-stop forms (/office/dossiers/:code/forms/…);
 * registered in web/pages.ts. The pages themselves live in ./intake/, the PDFs in ../forms/.
 */
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { formRoutes } from '../forms/routes.tsx';
import { intakeDonePage } from './intake/donePage.tsx';
import { intakeFormPages } from './intake/formPage.tsx';
import { intakeStartPage } from './intake/startPage.tsx';

export function intakePages(app: ZodApp, ctx: AppContext): void {
  intakeStartPage(app, ctx);
  intakeFormPages(app, ctx);
  intakeDonePage(app, ctx);
  formRoutes(app, ctx);
}
