/** Liveness and readiness for load balancers and operators. */
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { pendingMigrations } from '../db/migrate.ts';
import type { ZodApp } from './types.ts';

export function healthRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process is up and reaches its database', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }) } } },
    async () => {
      await sql`select 1`.execute(ctx.db.kysely);
      return { status: 'ok' as const, database: ctx.db.kind };
    },
  );
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], summary: 'Ready to serve: database reachable and migrations current (and whether the read replica answers, when configured)' } },
    async (_req, reply) => {
      const pending = await pendingMigrations(ctx.db);
      // An unreachable replica does not make the app unready: reports then read from the primary.
      const replica = ctx.db.replica ? { server: ctx.db.replica.describe(), reachable: await ctx.db.replica.reachable() } : undefined;
      return reply.status(pending.length ? 503 : 200).send({ status: pending.length ? 'migrations_pending' : 'ready', pending, ...(replica ? { replica } : {}) });
    },
  );
}
