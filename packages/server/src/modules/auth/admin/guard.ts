/**
 * Every administration page is registered inside `adminRoutes`: one hook refuses anyone who is
 * not the administrator of a province in force, for every route in it, before the body is read.
 * A page cannot be added to the admin area and forget the check.
 */
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { localDateOf } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { Problem } from '../../../http/problem.ts';
import { requireProvinceAdmin, type AdminScope } from '../service.ts';

const scopes = new WeakMap<FastifyRequest, AdminScope>();

export function adminRoutes(app: ZodApp, ctx: AppContext, register: (scoped: ZodApp) => void): void {
  void app.register(async (plugin) => {
    const scoped = plugin.withTypeProvider<ZodTypeProvider>();
    scoped.addHook('onRequest', async (req) => {
      scopes.set(req, await requireProvinceAdmin(ctx.db.kysely, req.officer, localDateOf(ctx.now())));
    });
    register(scoped);
  });
}

/** The admin's scope, set by the hook of `adminRoutes`. */
export function adminScope(req: FastifyRequest): AdminScope {
  const scope = scopes.get(req);
  if (!scope) throw new Problem(403, 'auth.forbidden', 'not an administration route');
  return scope;
}

/** Who did it and from where, for the audit trail. */
export function requestMeta(req: FastifyRequest): { ip: string; userAgent: string | null } {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null };
}
