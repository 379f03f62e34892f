/**
 * A real HTTP server on a loopback port for page and browser tests, on the engine's database,
 * with the test's clock. `env` comes from describeEachEngine.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import { buildApp } from '../../src/http/app.ts';
import { testContext, TestClock } from './fixtures.ts';

export interface WebServer {
  app: FastifyInstance;
  ctx: AppContext & { clock: TestClock };
  baseUrl: string;
  close: () => Promise<void>;
}

export async function startWebServer(db: Db, clock = new TestClock(new Date('2026-11-25T09:00:00+07:00')), tweak?: (ctx: AppContext & { clock: TestClock }) => void): Promise<WebServer> {
  const ctx = testContext(db, clock);
  tweak?.(ctx);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, ctx, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Pulls the `_csrf` value out of a rendered form (for tests that post with fetch/inject). */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no _csrf field in the page');
  return m[1];
}

/** Cookie header value from a Set-Cookie list (inject or fetch responses). */
export function cookiesFrom(setCookie: string | string[] | undefined, jar: Record<string, string> = {}): Record<string, string> {
  for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const [pair] = c.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) jar[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return jar;
}

export const cookieHeader = (jar: Record<string, string>): string =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
