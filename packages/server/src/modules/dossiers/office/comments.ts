/**
 * Notes between officers about a dossier (trao đổi nội bộ): never shown to the citizen, readable
 * and writable by anyone with a role on the dossier's unit. Append-only.
 */
import type { Generated } from 'kysely';
import type { AppContext } from '../../../context.ts';
import type { Db, Trx } from '../../../db/database.ts';
import { notFound } from '../../../http/problem.ts';
import { audit } from '../../audit/service.ts';
import { requireRoleOnUnit } from '../../auth/service.ts';
import { findDossierByCode } from '../queries.ts';
import type { Actor } from '../service.ts';

export interface DossierCommentsTable {
  id: Generated<number>;
  dossier_id: number;
  author_id: number;
  body: string;
  created_at: Date;
}

declare module '../../../db/schema.ts' {
  interface DB {
    dossier_comments: DossierCommentsTable;
  }
}

export const COMMENT_MAX_LENGTH = 4000;

export interface DossierComment {
  id: number;
  author: string;
  body: string;
  at: Date;
}

export async function listComments(db: Db['kysely'] | Trx, dossierId: number): Promise<DossierComment[]> {
  const rows = await db
    .selectFrom('dossier_comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .select(['c.id', 'u.display_name', 'c.body', 'c.created_at'])
    .where('c.dossier_id', '=', dossierId)
    .orderBy('c.id')
    .limit(500)
    .execute();
  return rows.map((r) => ({ id: r.id, author: r.display_name, body: r.body, at: r.created_at }));
}

export async function addComment(ctx: AppContext, actor: Actor, code: string, body: string, userAgent?: string | null): Promise<void> {
  const text = body.normalize('NFC').trim();
  await ctx.db.transaction(async (trx) => {
    const d = await findDossierByCode(trx, code);
    if (!d) throw notFound('dossier.not_found', `no dossier ${code}`);
    await requireRoleOnUnit(trx, actor.officer, d.unit_id);
    const { id } = await trx
      .insertInto('dossier_comments')
      .values({ dossier_id: d.id, author_id: actor.officer.id, body: text, created_at: ctx.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The text itself stays out of the audit trail (it may name people); the row is kept forever.
    await audit(trx, { actorId: actor.officer.id, action: 'dossier.comment', entity: 'dossier', entityId: code, ip: actor.ip, userAgent: userAgent ?? null, detail: { commentId: id } });
  });
}
