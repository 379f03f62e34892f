/**
 * GET /office/documents/:id: a dossier's paper shown in the browser. Only officers with a role
 * on the dossier's unit; every view is audited. The stored type was decided from the file's
 * content on upload, and the browser is told not to guess another (nosniff).
 */
import { foldDiacritics } from '@causo/domain';
import type { AppContext } from '../../../../context.ts';
import { notFound } from '../../../../http/problem.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { audit } from '../../../audit/service.ts';
import { requireRoleOnUnit, type Officer } from '../../../auth/service.ts';
import { readDocument } from '../../documents.ts';

/** An ASCII fallback name for old browsers, the real one in RFC 5987 form. */
export function inlineDisposition(filename: string): string {
  const ascii = foldDiacritics(filename).replace(/[^A-Za-z0-9._-]+/g, '_').slice(-100) || 'tep';
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Shown on its own: no scripts, nothing loaded from elsewhere, not framed by other sites. */
const DOCUMENT_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'";

export function documentRoute(app: ZodApp, ctx: AppContext): void {
  app.get('/office/documents/:id', { schema: { hide: true } }, async (req, reply) => {
    const officer = req.officer as Officer;
    const raw = (req.params as { id?: string }).id ?? '';
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) throw notFound('request.not_found', 'not a document id');
    const db = ctx.db.kysely;
    const doc = await readDocument(db, id);
    // Papers of an application not yet submitted belong to the citizen alone.
    if (!doc || doc.dossier_id === null) throw notFound('request.not_found', `no document ${id}`);
    const dossier = await db.selectFrom('dossiers').select(['code', 'unit_id']).where('id', '=', doc.dossier_id).executeTakeFirstOrThrow();
    await requireRoleOnUnit(db, officer, dossier.unit_id);
    await audit(db, {
      actorId: officer.id,
      action: 'document.read',
      entity: 'dossier',
      entityId: dossier.code,
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      detail: { documentId: id },
    });
    return reply
      .header('content-type', doc.content_type)
      .header('content-disposition', inlineDisposition(doc.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .header('content-security-policy', DOCUMENT_CSP)
      .send(doc.data);
  });
}
