/** Dossiers over HTTP: create, read (audited), list with filters, and actions. 409 when the state machine says no. */
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { requireActor } from '../../http/auth.ts';
import type { ZodApp } from '../../http/types.ts';
import { actOnDossier, createDossier, getDossier, listDossiersFor } from './service.ts';
import { ActionBody, CreateDossierBody, DossierCodeParam, DossierListQuery, DossierSummary, DossierView } from './schema.ts';

const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export function dossierRoutes(app: ZodApp, ctx: AppContext): void {
  app.post(
    '/api/v1/dossiers',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'Create a dossier (channel 1 counter and 3 post are received at once; 2 online starts as new)',
        security,
        body: CreateDossierBody,
        response: { 201: DossierView, 200: DossierView },
      },
    },
    async (req, reply) => {
      const view = await createDossier(ctx, requireActor(req), req.body);
      return reply.status(view.replayed ? 200 : 201).send(view);
    },
  );
  app.get(
    '/api/v1/dossiers',
    { schema: { tags: ['dossiers'], summary: 'List dossiers in your units', security, querystring: DossierListQuery, response: { 200: z.object({ items: z.array(DossierSummary) }) } } },
    async (req) => ({ items: await listDossiersFor(ctx, requireActor(req), req.query) }),
  );
  app.get(
    '/api/v1/dossiers/:code',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'One dossier with its action log (the read is audited)',
        security,
        params: DossierCodeParam,
        response: { 200: DossierView },
      },
    },
    async (req) => getDossier(ctx, requireActor(req), req.params.code, { withLog: true }),
  );
  app.post(
    '/api/v1/dossiers/:code/actions',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'Take an action: receive, refuse, start_processing, request_supplement, supplement_received, request_fees, fees_paid, request_withdrawal, stop, finish, return_result',
        security,
        params: DossierCodeParam,
        body: ActionBody,
        response: { 200: DossierView },
      },
    },
    async (req) => actOnDossier(ctx, requireActor(req), req.params.code, req.body),
  );
}
