/**
 * Following a dossier: public tracking by code and phone digits (/track), the signed-in
 * citizen's dossiers (/my, /my/:code), answering a supplement request and withdrawing.
 * Paying is in modules/payments/pages.tsx.
 */
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { myDossierPages } from './track/myDossiers.tsx';
import { publicTrackPages } from './track/publicTrack.tsx';
import { supplementPages } from './track/supplement.tsx';
import { withdrawPages } from './track/withdraw.tsx';

export function trackPages(app: ZodApp, ctx: AppContext): void {
  publicTrackPages(app, ctx);
  myDossierPages(app, ctx);
  supplementPages(app, ctx);
  withdrawPages(app, ctx);
}
