/**
 * Serves the field app (packages/field, a PWA) at /field/: the files of its build, built on the
 * first request when missing or stale (so `npm start` from a clean clone works). index.html,
 * sw.js and the manifest are revalidated on every load; hashed files are immutable. Text files
 * are sent pre-compressed (brotli or gzip from the build). The app's own CSP: no inline code,
 * the API of this origin only, photos as blob:/data: images.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFieldBuild } from '@causo/field/build';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';

export const FIELD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
};
const REVALIDATE = new Set(['index.html', 'sw.js', 'manifest.webmanifest', 'build-info.json']);
const HASHED = /^[a-z]+\.[0-9A-Z]{8}\.(js|css)$/;
const SAFE_NAME = /^[a-z0-9][a-z0-9.-]{0,80}$/i;

interface Variant {
  body: Buffer;
  encoding: 'br' | 'gzip' | null;
}

export function fieldAppRoutes(app: FastifyInstance, _ctx: AppContext): void {
  let dist: Promise<string> | null = null;
  const cache = new Map<string, Buffer | null>();
  const distDir = (): Promise<string> => {
    dist ??= ensureFieldBuild().catch((err: unknown) => {
      dist = null;
      throw err;
    });
    return dist;
  };

  async function load(dir: string, name: string): Promise<Buffer | null> {
    const key = `${dir}/${name}`;
    if (!cache.has(key)) {
      const path = join(dir, name);
      cache.set(key, existsSync(path) ? await readFile(path) : null);
    }
    return cache.get(key) ?? null;
  }

  async function variant(dir: string, name: string, accept: string): Promise<Variant | null> {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    if (ext !== 'png') {
      if (/\bbr\b/.test(accept)) {
        const br = await load(dir, `${name}.br`);
        if (br) return { body: br, encoding: 'br' };
      }
      if (/\bgzip\b/.test(accept)) {
        const gz = await load(dir, `${name}.gz`);
        if (gz) return { body: gz, encoding: 'gzip' };
      }
    }
    const raw = await load(dir, name);
    return raw ? { body: raw, encoding: null } : null;
  }

  async function send(req: FastifyRequest, reply: FastifyReply, name: string): Promise<FastifyReply> {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const type = TYPES[ext];
    if (!SAFE_NAME.test(name) || name.includes('..') || !type) throw new Problem(404, 'request.not_found');
    const found = await variant(await distDir(), name, String(req.headers['accept-encoding'] ?? ''));
    if (!found) throw new Problem(404, 'request.not_found');
    reply
      .type(type)
      .header('content-security-policy', FIELD_CSP)
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', REVALIDATE.has(name) ? 'no-cache' : HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    if (name === 'sw.js') reply.header('service-worker-allowed', '/field/');
    if (found.encoding) reply.header('content-encoding', found.encoding);
    return reply.send(found.body);
  }

  const opts = { config: { public: true }, compress: false as const, schema: { hide: true } };
  app.get('/field', opts, async (_req, reply) => reply.redirect('/field/', 301));
  app.get('/field/', opts, async (req, reply) => send(req, reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/field/:file', opts, async (req, reply) => send(req, reply, req.params.file));
}
