/** Back-office dossier pages: the work queues, the dossier page and its forms, papers shown inline. */
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { queueRoutes } from './office/queueRoutes.tsx';
import { dossierRoutes } from './office/dossierRoutes.tsx';
import { documentRoute } from './office/documentRoute.ts';

export function officeDossierPages(app: ZodApp, ctx: AppContext): void {
  queueRoutes(app, ctx);
  dossierRoutes(app, ctx);
  documentRoute(app, ctx);
}
