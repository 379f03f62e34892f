/**
 * The HTTP server: Fastify with zod schemas at every boundary (the OpenAPI 3.1 document at
 * /openapi.json is generated from them), secure headers, rate limits, sessions, and problem
 * documents for every error. Routes live in each module's routes.ts.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { AppContext } from '../context.ts';
import { trustProxyOf } from '../config.ts';
import { Problem } from './problem.ts';
import { registerAuth } from './auth.ts';
import { refuseUnusableInput } from './inputGuard.ts';
import { healthRoutes } from './healthRoutes.ts';
import { authRoutes } from '../modules/auth/routes.ts';
import { unitRoutes } from '../modules/units/routes.ts';
import { procedureRoutes } from '../modules/procedures/routes.ts';
import { calendarRoutes } from '../modules/calendar/routes.ts';
import { dossierRoutes } from '../modules/dossiers/routes.ts';
import { reportRoutes } from '../modules/reports/routes.ts';
import { dashboardApiRoutes } from '../modules/campaigns/dashboardApi.ts';
import { syncRoutes } from '../modules/sync/routes.ts';
import { fieldAppRoutes } from '../modules/sync/fieldAppRoutes.ts';
import { campaignRoutes } from '../modules/campaigns/campaignApi.ts';
import { registerWeb, isPageRequest, renderPageError } from '../web/plugin.ts';
import { SITE_CSS_HASH } from '../web/render.tsx';
import { registerPages } from '../web/pages.ts';
import { notifyCallbackRoutes } from '../modules/notify/callbackRoutes.ts';
import { metricsRoutes } from './metrics.ts';



export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
  citizen: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: RegisteredRoute[];
  }
}

/** What busboy (under @fastify/multipart) throws, without a status, for a form body it cannot read. */
const MALFORMED_MULTIPART = /^(?:Multipart: Boundary not found|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data|Malformed part header|Unsupported Content-Type\.)$/;

/** Errors that did not come from our services (body too large, bad multipart…) as problems. */
function toProblem(err: FastifyError): Problem {
  const status = (err as { statusCode?: number }).statusCode ?? 500;
  if (err.code === 'FST_REQ_FILE_TOO_LARGE') return new Problem(413, 'upload.too_large');
  if (status === 429) return new Problem(429, 'rate.limited');
  if (status >= 400 && status < 500) return new Problem(status, 'request.invalid', err.message);
  if (status === 500 && MALFORMED_MULTIPART.test(err.message)) return new Problem(400, 'request.invalid', 'the form data cannot be read');
  return new Problem(500, 'server.error');
}

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'].slice(0, 64) : randomUUID()),
    trustProxy: trustProxyOf(ctx.config),
    bodyLimit: 1_048_576,
    // A URL that cannot be decoded (`%ZZ`) is refused before any hook runs: still a localized problem or page.
    frameworkErrors: (_err, req, reply) => {
      const problem = new Problem(400, 'request.invalid', 'the address cannot be read');
      if (!isPageRequest(req)) return (reply as FastifyReply).status(400).type('application/problem+json').send(problem.toDocument());
      req.cookies ??= {}; // the cookie plugin's hook has not run
      return renderPageError(req as FastifyRequest, reply as FastifyReply, problem);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Cầu Số API', version: '1.0.0', description: 'Public services, field teams and campaigns for hard-to-reach communities.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'causo_session' } } },
    },
    transform: jsonSchemaTransform,
  });
  // No upgrade-insecure-requests: behind TLS it changes nothing, and on a commune's LAN over plain
  // HTTP it would send every form to an https:// address that does not answer.
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", SITE_CSS_HASH], imgSrc: ["'self'", 'data:', 'blob:'], formAction: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"], baseUri: ["'self'"], upgradeInsecureRequests: null } },
    referrerPolicy: { policy: 'same-origin' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new Problem(429, 'rate.limited'),
  });
  // Every route, as registered: the authorization test walks this list so no route is missed.
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method, url: r.url, public: r.config?.public === true, citizen: r.config?.citizen === true });
  });
  app.decorate('registeredRoutes', routes);
  registerAuth(app, ctx);
  await registerWeb(app, ctx);
  refuseUnusableInput(app);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isPageRequest(req)) {
      const problem = err instanceof Problem ? err : toProblem(err);
      if (problem.status >= 500) req.log.error({ err }, 'unhandled error');
      return renderPageError(req, reply, problem);
    }
    if (err instanceof Problem) return reply.status(err.status).type('application/problem+json').send(err.toDocument());
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => ({ path: `${err.validationContext ?? ''}${v.instancePath.replace(/\//g, '.')}`, message: v.message ?? 'invalid' }));
      return reply.status(400).type('application/problem+json').send(new Problem(400, 'request.invalid', undefined, errors).toDocument());
    }
    const problem = toProblem(err);
    if (problem.status >= 500) req.log.error({ err }, 'unhandled error');
    return reply.status(problem.status).type('application/problem+json').send(problem.toDocument());
  });
  // @fastify/compress hooks into routes; the not-found handler is not one, so its page (a
  // mistyped address on 2G) is gzipped here.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.is404 || typeof payload !== 'string' || payload.length < 512 || !/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return payload;
    reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').removeHeader('content-length');
    return gzipSync(payload);
  });
  app.setNotFoundHandler((req, reply) =>
    isPageRequest(req) ? renderPageError(req, reply, new Problem(404, 'request.not_found')) : reply.status(404).type('application/problem+json').send(new Problem(404, 'request.not_found', `${req.method} ${req.url.split('?')[0]}`).toDocument()),
  );

    await app.register(async (scope) => {
    const s = scope.withTypeProvider<ZodTypeProvider>();
    // First: its onResponse hook times every route registered after it in this scope.
    metricsRoutes(s, ctx);
    healthRoutes(s, ctx);
    authRoutes(s, ctx);
    unitRoutes(s, ctx);
    procedureRoutes(s, ctx);
    calendarRoutes(s, ctx);
    dossierRoutes(s, ctx);
    reportRoutes(s, ctx);
    dashboardApiRoutes(s, ctx);
    syncRoutes(s, ctx);
    fieldAppRoutes(s, ctx);
    campaignRoutes(s, ctx);
    // Its own scope: these routes read the raw JSON body to check the provider's signature.
    await s.register(async (callbacks) => notifyCallbackRoutes(callbacks.withTypeProvider<ZodTypeProvider>(), ctx));
    registerPages(s, ctx);
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
