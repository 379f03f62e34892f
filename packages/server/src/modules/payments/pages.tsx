/**
 * Everything payments puts on the web: the citizen's pay and return pages, the sandbox
 * gateway's page (when configured), and the JSON routes (the gateway's IPN callback and the
 * counter payment), registered here so the payments module plugs in at one place.
 */
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { payPages } from './payPages.tsx';
import { paymentRoutes } from './routes.ts';
import { sandboxPages } from './sandboxPages.tsx';

export function paymentPages(app: ZodApp, ctx: AppContext): void {
  payPages(app, ctx);
  sandboxPages(app, ctx);
  paymentRoutes(app, ctx);
}
