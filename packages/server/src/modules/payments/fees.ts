/**
 * What a dossier costs, from its procedure's fee list (`procedures.fees`, see catalogueFile.ts:
 * `{ nameVi, nameEn, amount, per?: 'case' | 'copy' | 'page' }`) and the answers the citizen gave.
 *
 * Three readings of the list that the catalogue does not spell out as fields:
 * - Fees named for a channel ("nộp trực tuyến" / "nộp trực tiếp") are alternatives: a dossier
 *   pays the one for the channel it came by.
 * - Per-copy and per-page fees multiply by the form's `copies` and `pageCount` answers (1 when
 *   the form has no such question).
 * - Two per-page fees are the tiers of certified copies (Thông tư 226/2016/TT-BTC): the first
 *   for pages 1–2, the second from page 3, with the per-copy ceiling written in the fee's name.
 */
import { z } from 'zod';

const Fee = z.object({
  nameVi: z.string(),
  nameEn: z.string(),
  amount: z.number().int().min(0),
  per: z.enum(['case', 'copy', 'page']).optional(),
});
type Fee = z.infer<typeof Fee>;

export interface FeeLine {
  nameVi: string;
  nameEn: string;
  /** Whole đồng for this line. */
  amount: number;
  /** How many copies or pages were counted (1 for a fee per case). */
  quantity: number;
}

export interface FeeQuote {
  lines: FeeLine[];
  total: number;
}

const ONLINE = /online|trực tuyến/i;
const COUNTER = /at the office|at the counter|trực tiếp/i;

function count(formData: Record<string, unknown>, key: string): number {
  const n = Number(formData[key]);
  return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), 10_000) : 1;
}

/** "… (at most 200,000 đồng per copy)" / "(tối đa 200.000 đồng mỗi bản)". */
function ceilingOf(fee: Fee): number | null {
  const m = /(?:at most|tối đa)\s*([\d.,]+)/i.exec(`${fee.nameEn} ${fee.nameVi}`);
  if (!m?.[1]) return null;
  const n = Number(m[1].replace(/[.,]/g, ''));
  return Number.isFinite(n) && n > 0 ? n : null;
}

export function feeQuote(rawFees: unknown, dossier: { channel: number; formData: Record<string, unknown> }): FeeQuote {
  const parsed = z.array(Fee).safeParse(rawFees);
  let fees = parsed.success ? parsed.data : [];
  const online = fees.filter((f) => ONLINE.test(f.nameEn) || ONLINE.test(f.nameVi));
  const counter = fees.filter((f) => COUNTER.test(f.nameEn) || COUNTER.test(f.nameVi));
  if (online.length && counter.length) {
    const drop = new Set(dossier.channel === 2 ? counter : online);
    fees = fees.filter((f) => !drop.has(f));
  }
  const copies = count(dossier.formData, 'copies');
  const pages = count(dossier.formData, 'pageCount');
  const lines: FeeLine[] = [];
  const pageFees = fees.filter((f) => f.per === 'page');
  if (pageFees.length >= 2) {
    const [first, rest] = pageFees as [Fee, Fee];
    const perCopyFirst = first.amount * Math.min(pages, 2);
    const ceiling = ceilingOf(rest);
    const perCopyRest = Math.min(rest.amount * Math.max(pages - 2, 0), ceiling === null ? Infinity : Math.max(ceiling - perCopyFirst, 0));
    lines.push({ nameVi: first.nameVi, nameEn: first.nameEn, amount: perCopyFirst * copies, quantity: Math.min(pages, 2) * copies });
    if (pages > 2) lines.push({ nameVi: rest.nameVi, nameEn: rest.nameEn, amount: perCopyRest * copies, quantity: (pages - 2) * copies });
  } else if (pageFees.length === 1) {
    const [f] = pageFees as [Fee];
    lines.push({ nameVi: f.nameVi, nameEn: f.nameEn, amount: f.amount * pages * copies, quantity: pages * copies });
  }
  for (const f of fees.filter((x) => x.per !== 'page')) {
    const quantity = f.per === 'copy' ? copies : 1;
    lines.push({ nameVi: f.nameVi, nameEn: f.nameEn, amount: f.amount * quantity, quantity });
  }
  const kept = lines.filter((l) => l.amount > 0);
  return { lines: kept, total: kept.reduce((s, l) => s + l.amount, 0) };
}
