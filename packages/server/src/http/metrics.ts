/**
 * `/metrics` in Prometheus's text format: request rates and latencies by route, the database
 * pool, the notification outbox (depth, age of the oldest waiting message, messages by channel
 * and status), sync envelopes by result, and the process itself (memory, event-loop lag, GC).
 *
 * Readable with `Authorization: Bearer <METRICS_TOKEN>`, or from loopback when no token is
 * set (a Prometheus agent on the same host). Labels never hold personal data: routes are the
 * registered patterns (`/office/dossiers/:code`), not the URLs asked for.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import type { AppContext } from '../context.ts';
import { Problem } from './problem.ts';
import type { ZodApp } from './types.ts';

/** One registry per process: app servers in tests share it, which Prometheus never sees. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'causo_' });

const httpRequests = new client.Counter({ name: 'causo_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
const httpDuration = new client.Histogram({
  name: 'causo_http_request_duration_seconds',
  help: 'Time to answer, by route pattern and method',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
  registers: [registry],
});

/** Counted by the sync push (`modules/sync/push.ts`). */
export const syncEnvelopes = new client.Counter({ name: 'causo_sync_envelopes_total', help: 'Sync envelopes answered, by result', labelNames: ['result'] as const, registers: [registry] });

/** Gauges read from the database when scraped; set per context by `registerMetricSources`. */
let source: AppContext | null = null;

new client.Gauge({
  name: 'causo_db_pool_connections',
  help: 'PostgreSQL pool connections by state (absent on the embedded database)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const stats = source?.db.poolStats?.();
    if (!stats) return;
    this.set({ state: 'total' }, stats.total);
    this.set({ state: 'idle' }, stats.idle);
    this.set({ state: 'waiting' }, stats.waiting);
  },
});

new client.Gauge({
  name: 'causo_db_replica_pool_connections',
  help: 'Connections of the read replica pool (DATABASE_REPLICA_URL) by state; absent without a replica',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const stats = source?.db.replica?.poolStats();
    if (!stats) return;
    this.set({ state: 'total' }, stats.total);
    this.set({ state: 'idle' }, stats.idle);
    this.set({ state: 'waiting' }, stats.waiting);
  },
});

new client.Gauge({
  name: 'causo_notify_outbox_messages',
  help: 'Messages in the notification outbox created in the last 24 hours, by channel and status',
  labelNames: ['channel', 'status'] as const,
  registers: [registry],
  async collect() {
    if (!source) return;
    const since = new Date(source.now().getTime() - 86_400_000);
    const rows = await source.db.kysely
      .selectFrom('notify_outbox')
      .select(['channel', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', since)
      .groupBy(['channel', 'status'])
      .execute();
    this.reset();
    for (const r of rows) this.set({ channel: r.channel, status: r.status }, Number(r.n));
  },
});

new client.Gauge({
  name: 'causo_notify_outbox_due',
  help: 'Messages waiting to be sent (queued, sending or to be retried)',
  registers: [registry],
  async collect() {
    if (!source) return;
    const row = await source.db.kysely
      .selectFrom('notify_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['queued', 'sending', 'failed_temporary'])
      .executeTakeFirstOrThrow();
    this.set(Number(row.n));
  },
});

new client.Gauge({
  name: 'causo_notify_outbox_oldest_due_age_seconds',
  help: 'How long the oldest message waiting to be sent has waited (0 when none)',
  registers: [registry],
  async collect() {
    if (!source) return;
    const row = await source.db.kysely
      .selectFrom('notify_outbox')
      .select((eb) => eb.fn.min('created_at').as('oldest'))
      .where('status', 'in', ['queued', 'sending', 'failed_temporary'])
      .executeTakeFirst();
    const oldest = row?.oldest ? new Date(row.oldest) : null;
    this.set(oldest ? Math.max(0, (source.now().getTime() - oldest.getTime()) / 1000) : 0);
  },
});

function mayRead(ctx: AppContext, req: FastifyRequest): boolean {
  const token = ctx.config.METRICS_TOKEN;
  if (!token) return req.ip === '127.0.0.1' || req.ip === '::1' || req.ip === '::ffff:127.0.0.1';
  const given = Buffer.from(String(req.headers.authorization ?? ''));
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function metricsRoutes(app: ZodApp, ctx: AppContext): void {
  source = ctx;
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics (bearer METRICS_TOKEN, or loopback when unset)' } }, async (req, reply) => {
    if (!mayRead(ctx, req)) throw new Problem(403, 'auth.forbidden', 'metrics need the METRICS_TOKEN bearer token (or a request from this host)');
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(await registry.metrics());
  });
}
