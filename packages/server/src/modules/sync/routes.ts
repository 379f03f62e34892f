/**
 * The field app's HTTP API (docs/sync.md): sign a phone in, bootstrap, push envelopes, pull
 * changes, upload photos. Every call after sign-in carries the bearer token and `x-device-id`;
 * every request is safe to repeat.
 */
import { MAX_PUSH_BATCH, pushRequest } from '@causo/domain';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import { bootstrap } from './bootstrap.ts';
import { fieldSignIn, fieldSignOut, requireFieldMember } from './fieldAuth.ts';
import { storeFieldFile, MAX_FIELD_FILE_BYTES } from './files.ts';
import { pull, DEFAULT_PULL_LIMIT } from './pull.ts';
import { push } from './push.ts';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const SignInBody = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  totp: z.string().regex(/^\d{6}$/).optional(),
  deviceId: uuid,
  deviceLabel: z.string().trim().max(100).default(''),
});

export function syncRoutes(app: ZodApp, ctx: AppContext): void {
  app.addContentTypeParser(['image/jpeg', 'image/png', 'image/webp'], { parseAs: 'buffer', bodyLimit: MAX_FIELD_FILE_BYTES }, (_req, body, done) => done(null, body));

  app.post(
    '/api/v1/field/sign-in',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['field'],
        summary: 'Sign a phone in (online); returns a bearer token bound to the device',
        body: SignInBody,
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), member: z.object({ id: z.number(), displayName: z.string() }) }) },
      },
    },
    async (req) => {
      const s = await fieldSignIn(ctx, { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      return { token: s.token, expiresAt: s.expiresAt.toISOString(), member: s.member };
    },
  );

  app.post('/api/v1/field/sign-out', { schema: { tags: ['field'], summary: "End this phone's session" } }, async (req, reply) => {
    const member = await requireFieldMember(ctx, req);
    if (req.sessionToken) await fieldSignOut(ctx, member, req.sessionToken);
    return reply.status(204).send();
  });

  app.get('/api/v1/field/bootstrap', { schema: { tags: ['field'], summary: 'The member, their villages and teams, and the procedure forms' } }, async (req) =>
    bootstrap(ctx, await requireFieldMember(ctx, req)),
  );

  app.post(
    '/api/v1/sync/push',
    {
      // Phones gzip their batches (Content-Encoding: gzip); @fastify/compress inflates request
      // bodies, and this limit counts the inflated bytes, so a decompression bomb is refused.
      bodyLimit: 8_000_000,
      schema: { tags: ['sync'], summary: `Send up to ${MAX_PUSH_BATCH} envelopes; answered one by one (accepted, duplicate, conflict, rejected)`, body: pushRequest },
    },
    async (req) => {
      const member = await requireFieldMember(ctx, req);
      if (req.body.deviceId !== member.deviceId) throw new Problem(403, 'device.unknown');
      return { results: await push(ctx, member, req.body.envelopes), serverTime: ctx.now().toISOString() };
    },
  );

  app.get(
    '/api/v1/sync/pull',
    {
      schema: {
        tags: ['sync'],
        summary: "Changes in the member's villages after the cursor, a page at a time",
        querystring: z.object({ cursor: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(1000).default(DEFAULT_PULL_LIMIT) }),
      },
    },
    async (req) => pull(ctx, await requireFieldMember(ctx, req), req.query.cursor, req.query.limit),
  );

  app.put(
    '/api/v1/sync/files/:sha256',
    { schema: { tags: ['sync'], summary: 'Upload a photo by its SHA-256 (before the envelope that refers to it)', params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) } },
    async (req, reply) => {
      const member = await requireFieldMember(ctx, req);
      if (!Buffer.isBuffer(req.body)) throw new Problem(415, 'sync.file_invalid', 'send the photo as image/jpeg, image/png or image/webp');
      const { created } = await storeFieldFile(ctx, member, req.params.sha256, req.body);
      return reply.status(created ? 201 : 200).send({ sha256: req.params.sha256 });
    },
  );
}
