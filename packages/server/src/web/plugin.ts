/**
 * Everything the HTML pages share: form and multipart bodies, gzip/brotli, the language,
 * CSRF on every form, who may open which page, the one small script, and HTML error pages.
 * Officer pages live under /office and need an officer unless marked `public`; citizen pages
 * that need an account are marked `citizen: true`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart, { type MultipartFile } from '@fastify/multipart';
import compress from '@fastify/compress';
import type { AppContext } from '../context.ts';
import { Problem } from '../http/problem.ts';
import { buildPageRequest, cookieSecure, csrfMatches } from './request.ts';
import { APP_JS, APP_JS_VERSION } from './render.tsx';
import { sendErrorPage } from './errorPage.tsx';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A portal page that needs a signed-in citizen (others are open to everyone). */
    citizen?: boolean;
  }
}

/** An uploaded file, read into memory (size capped by UPLOAD_MAX_BYTES). */
export interface UploadedFile {
  kind: 'file';
  filename: string;
  mimetype: string;
  data: Buffer;
}
export type FormValue = string | string[] | UploadedFile;
export type FormBody = Record<string, FormValue>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isPageRequest = (req: FastifyRequest): boolean => !req.url.startsWith('/api/') && req.url.split('?', 1)[0] !== '/openapi.json';

/**
 * Multipart fields arrive as objects; pages get the same plain record as from a urlencoded form.
 * Our forms have one file input per name: a crafted second file under the same name replaces the first.
 */
function flattenMultipart(body: Record<string, unknown>): FormBody {
  const out: FormBody = {};
  for (const [key, raw] of Object.entries(body)) {
    const parts = Array.isArray(raw) ? raw : [raw];
    for (const part of parts as { type?: string; value?: unknown; filename?: string }[]) {
      if (part?.type === 'file') {
        const v = part.value as UploadedFile | undefined;
        if (v && v.data.length > 0) out[key] = v;
      } else if (part?.type === 'field') {
        const value = String(part.value ?? '');
        const prev = out[key];
        out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : typeof prev === 'string' ? [prev, value] : value;
      }
    }
  }
  return out;
}

export async function registerWeb(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(compress, { global: true, threshold: 512, encodings: ['br', 'gzip', 'deflate'] });
  await app.register(formbody, { bodyLimit: 200_000 });
  await app.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: ctx.config.UPLOAD_MAX_BYTES, files: 10, fields: 200, fieldSize: 200_000 },
    throwFileSizeLimit: true,
    async onFile(part: MultipartFile) {
      const data = await part.toBuffer();
      (part as unknown as { value: UploadedFile }).value = { kind: 'file', filename: part.filename, mimetype: part.mimetype, data };
    },
  });

  app.decorateRequest('page', null as never);
  app.addHook('onRequest', async (req, reply) => {
    if (!isPageRequest(req)) return;
    req.page = buildPageRequest(req, reply, cookieSecure(req, ctx.config.COOKIE_SECURE));
  });

  // Who may open the page: checked before the body is even read.
  app.addHook('onRequest', async (req, reply) => {
    if (!isPageRequest(req)) return;
    const cfg = req.routeOptions.config;
    const next = encodeURIComponent(req.url);
    if (req.url.startsWith('/office') && cfg?.public !== true && !req.officer) {
      if (SAFE_METHODS.has(req.method)) return reply.redirect(`/office/sign-in?next=${next}`, 303);
      throw new Problem(401, 'auth.required');
    }
    if (cfg?.citizen === true && !req.citizen) {
      if (SAFE_METHODS.has(req.method)) return reply.redirect(`/sign-in?next=${next}`, 303);
      throw new Problem(401, 'auth.required');
    }
  });

  app.addHook('preValidation', async (req) => {
    if (!isPageRequest(req) || SAFE_METHODS.has(req.method)) return;
    if (req.isMultipart()) req.body = flattenMultipart((req.body ?? {}) as Record<string, unknown>);
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!csrfMatches(req, sent)) throw new Problem(403, 'auth.csrf', 'missing or wrong _csrf form field');
  });

  app.get('/assets/app.js', { schema: { hide: true } }, async (req, reply) => {
    const immutable = (req.query as { v?: string }).v === APP_JS_VERSION;
    return reply
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
      .type('text/javascript; charset=utf-8')
      .send(APP_JS);
  });
}

/** Used by the app's error handler for page requests. */
export function renderPageError(req: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  return sendErrorPage(req, reply, problem);
}
