/** Papers and answers for apply tests: small real images made with sharp, a PDF by its bytes. */
import sharp from 'sharp';
import type { AddressAnswer, AddressDepth } from '@causo/domain';
import type { AppContext } from '../../src/context.ts';
import type { CitizenActor } from '../../src/modules/dossiers/citizenDossiers.ts';
import { addDraftDocument, addressStep, answerQuestion, loadOwnDraft, pickAddress } from '../../src/modules/dossiers/drafts.ts';

export function photo(width: number, height: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 210, g: 200, b: 180 } } });
  return (format === 'png' ? img.png() : img.jpeg({ quality: 70 })).toBuffer();
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n', 'latin1');
/** A text file dressed up as a photo. */
export const FAKE_JPEG = Buffer.from('Đây không phải là ảnh, chỉ là chữ.\n', 'utf8');

/** Where the test citizen lives: Ấp Tân Phước, which moved from Phước Thiện into Hưng Phước in 2025. */
export const HOME = { commune: '25309', village: '25309-06' };

/** Picks an address level by level, preferring the given codes, until it is complete. */
export async function pickWholeAddress(ctx: AppContext, actor: CitizenActor, draftId: number, key: string, prefer: Partial<Record<AddressDepth, string>> = { commune: HOME.commune, village: HOME.village }): Promise<AddressAnswer> {
  for (let i = 0; i < 5; i++) {
    const state = await loadOwnDraft(ctx, actor.citizenId, draftId);
    const q = state.questions.find((x) => x.key === key);
    if (q?.type !== 'address') throw new Error(`${key} is not an address`);
    const saved = state.answers[key] as AddressAnswer | undefined;
    if (saved?.complete) return saved;
    const step = await addressStep(ctx, state, q);
    const code = prefer[step.level] ?? step.options[0]?.code;
    if (!code) throw new Error(`nothing to pick at ${step.level}`);
    await pickAddress(ctx, actor, draftId, key, step.at, code);
  }
  throw new Error('address never completed');
}

/** Answers every question of a draft with something valid (and uploads a photo for papers). */
export async function fillDraft(ctx: AppContext, actor: CitizenActor, draftId: number, opts: { skip?: string[] } = {}): Promise<void> {
  const state = await loadOwnDraft(ctx, actor.citizenId, draftId);
  for (const q of state.questions) {
    if (opts.skip?.includes(q.key)) continue;
    if (q.type === 'address') {
      await pickWholeAddress(ctx, actor, draftId, q.key);
      continue;
    }
    if (q.type === 'document') await addDraftDocument(ctx, actor, draftId, q.key, { filename: `${q.key}.png`, data: await photo(300, 200, 'png') });
    const raw =
      q.type === 'text' ? 'Điểu Thị Mai' :
      q.type === 'choice' ? (q.multiple ? [q.options[0]?.value ?? ''] : (q.options[0]?.value ?? '')) :
      q.type === 'date' ? { day: '20', month: '11', year: '2026' } :
      q.type === 'id_number' ? '070203001234' :
      q.type === 'phone' ? '0912345678' :
      q.type === 'number' ? String(q.min ?? 1) :
      undefined;
    const r = await answerQuestion(ctx, actor, draftId, q.key, raw);
    if (!r.ok) throw new Error(`${q.key}: ${r.error.key}`);
  }
}
