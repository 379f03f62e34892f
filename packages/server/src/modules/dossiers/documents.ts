/**
 * Papers uploaded by citizens and officers. The type is decided by the file's first bytes, not
 * by its name or the browser's claim; photos are downscaled on the server (a phone photo of a
 * birth certificate is 3–8 MB, the officer needs ~200 KB) and re-encoded, which also drops
 * EXIF data such as the place the photo was taken.
 */
import { createHash } from 'node:crypto';
import type { ColumnType, Generated } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import { Problem } from '../../http/problem.ts';

export interface DocumentsTable {
  id: Generated<number>;
  dossier_id: number | null;
  draft_id: number | null;
  kind: string;
  label: ColumnType<string, string | undefined, string>;
  filename: string;
  content_type: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
  byte_size: number;
  sha256: string;
  data: Buffer;
  uploaded_by_user: number | null;
  uploaded_by_citizen: number | null;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

declare module '../../db/schema.ts' {
  interface DB {
    documents: DocumentsTable;
  }
}

export type DocumentType = DocumentsTable['content_type'];

/** The longest side of a stored photo, in pixels: enough to read an A4 paper. */
export const MAX_IMAGE_SIDE = 1600;

export function sniffType(data: Buffer): DocumentType | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (data.length >= 5 && data.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf';
  return null;
}

/**
 * Whether the whole image decodes (every pixel, so a truncated file fails) within sharp's
 * pixel limit (about 16,000 × 16,000, so a small file declaring a huge canvas fails first).
 */
export async function decodesAsImage(data: Buffer): Promise<boolean> {
  try {
    const { default: sharp } = await import('sharp');
    await sharp(data, { failOn: 'error' }).stats();
    return true;
  } catch {
    return false;
  }
}

/**
 * A PDF is stored as sent (it is not re-encoded like a photo), so one that is also something
 * else is refused: the end-of-file marker must close the file (a truncated upload, or a ZIP or
 * page appended after it, fails), no ZIP directory may end the file (a PDF/ZIP polyglot that an
 * unzip tool would open), and no HTML may sit in its first kilobyte (where a browser sniffs).
 */
export function pdfLooksSound(data: Buffer): boolean {
  const tail = data.subarray(Math.max(0, data.length - 1024)).toString('latin1');
  if (!/%%EOF[\s\0]*$/.test(tail)) return false;
  // The ZIP end-of-central-directory record: "PK\x05\x06", 22 bytes plus its comment, ending the file.
  const from = Math.max(0, data.length - 22 - 0xffff);
  for (let i = data.length - 22; i >= from; i--) {
    if (data[i] === 0x50 && data[i + 1] === 0x4b && data[i + 2] === 0x05 && data[i + 3] === 0x06 && i + 22 + data.readUInt16LE(i + 20) === data.length) return false;
  }
  return !/<\s*(html|script|svg|iframe|!doctype|body)\b/i.test(data.subarray(0, 1024).toString('latin1'));
}

export interface PreparedFile {
  filename: string;
  contentType: DocumentType;
  data: Buffer;
  sha256: string;
}

/** Checks and normalises an upload; throws a Problem a page can show next to the field. */
export async function prepareUpload(file: { filename: string; data: Buffer }, maxBytes: number): Promise<PreparedFile> {
  if (file.data.length === 0) throw new Problem(400, 'upload.empty');
  if (file.data.length > maxBytes) throw new Problem(413, 'upload.too_large');
  const type = sniffType(file.data);
  if (!type) throw new Problem(415, 'upload.bad_type');
  let data = file.data;
  let contentType: DocumentType = type;
  if (type === 'application/pdf' && !pdfLooksSound(file.data)) throw new Problem(415, 'upload.unreadable');
  if (type !== 'application/pdf') {
    try {
      // sharp (libvips, about 20 MB) is loaded with the first photo, not at start.
      const { default: sharp } = await import('sharp');
      data = await sharp(file.data, { failOn: 'error' })
        .rotate() // honour the phone's orientation before EXIF is dropped
        .resize({ width: MAX_IMAGE_SIDE, height: MAX_IMAGE_SIDE, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80, mozjpeg: true })
        .toBuffer();
      contentType = 'image/jpeg';
    } catch {
      throw new Problem(415, 'upload.unreadable');
    }
  }
  const base = file.filename.normalize('NFC').replace(/[\\/\u0000-\u001f]/g, '_').slice(-120) || 'tep';
  const filename = contentType === 'image/jpeg' && type !== 'image/jpeg' ? base.replace(/\.[a-z0-9]+$/i, '') + '.jpg' : base;
  return { filename, contentType, data, sha256: createHash('sha256').update(data).digest('hex') };
}

export async function storeDocument(
  trx: Trx,
  owner: { dossierId: number } | { draftId: number },
  file: PreparedFile,
  meta: { kind: string; label?: string; userId?: number; citizenId?: number },
): Promise<number> {
  const { id } = await trx
    .insertInto('documents')
    .values({
      dossier_id: 'dossierId' in owner ? owner.dossierId : null,
      draft_id: 'draftId' in owner ? owner.draftId : null,
      kind: meta.kind,
      label: meta.label ?? '',
      filename: file.filename,
      content_type: file.contentType,
      byte_size: file.data.length,
      sha256: file.sha256,
      data: file.data,
      uploaded_by_user: meta.userId ?? null,
      uploaded_by_citizen: meta.citizenId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export interface DocumentInfo {
  id: number;
  kind: string;
  label: string;
  filename: string;
  contentType: DocumentType;
  byteSize: number;
  createdAt: Date;
}

export async function listDocuments(db: Db['kysely'] | Trx, owner: { dossierId: number } | { draftId: number }): Promise<DocumentInfo[]> {
  let q = db.selectFrom('documents').select(['id', 'kind', 'label', 'filename', 'content_type', 'byte_size', 'created_at']);
  q = 'dossierId' in owner ? q.where('dossier_id', '=', owner.dossierId) : q.where('draft_id', '=', owner.draftId);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, label: r.label, filename: r.filename, contentType: r.content_type, byteSize: r.byte_size, createdAt: r.created_at }));
}

/** The bytes of one document; the caller has already checked who may see it. */
export async function readDocument(db: Db['kysely'] | Trx, id: number) {
  return db.selectFrom('documents').select(['id', 'dossier_id', 'draft_id', 'filename', 'content_type', 'data']).where('id', '=', id).executeTakeFirst();
}

/** Moves an application's papers onto the dossier it became. */
export async function attachDraftDocuments(trx: Trx, draftId: number, dossierId: number): Promise<void> {
  await trx.updateTable('documents').set({ dossier_id: dossierId }).where('draft_id', '=', draftId).execute();
}
