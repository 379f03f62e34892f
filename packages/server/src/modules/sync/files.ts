/**
 * Photos from phones (visit photos, a signed consent paper), uploaded before the envelope
 * that refers to them and addressed by their SHA-256, so a retried upload stores nothing twice.
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import { decodesAsImage, sniffType } from '../dossiers/documents.ts';
import type { FieldMember } from './fieldAuth.ts';

export const MAX_FIELD_FILE_BYTES = 2_000_000;

export async function storeFieldFile(ctx: AppContext, member: FieldMember, sha256: string, data: Buffer): Promise<{ created: boolean }> {
  if (data.length === 0 || data.length > MAX_FIELD_FILE_BYTES) throw new Problem(413, 'sync.file_invalid', `${data.length} bytes`);
  if (createHash('sha256').update(data).digest('hex') !== sha256) throw new Problem(400, 'sync.file_invalid', 'content does not match its SHA-256');
  const type = sniffType(data);
  if (type !== 'image/jpeg' && type !== 'image/png' && type !== 'image/webp') throw new Problem(415, 'sync.file_invalid', 'not a JPEG, PNG or WebP photo');
  // Officers' browsers show these photos as sent: a cut-off file or a pixel bomb behind a photo's first bytes stops here.
  if (!(await decodesAsImage(data))) throw new Problem(415, 'sync.file_invalid', 'the photo cannot be read');
  const r = await ctx.db.kysely
    .insertInto('field_files')
    .values({ sha256, type, bytes: data.length, data, uploaded_by: member.officer.id, uploaded_at: ctx.now() })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .returning('sha256')
    .executeTakeFirst();
  return { created: r !== undefined };
}
