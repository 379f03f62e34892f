/**
 * How long an SMS is, as the network counts it. A message that fits the GSM 03.38 alphabet
 * goes as 7-bit characters: 160 in one SMS, 153 per part when split (the rest of each part
 * holds the header that joins them). Anything else, and Vietnamese letters such as ư, ơ, ă,
 * â, đ and most tone marks are outside that alphabet, forces UCS-2: 70 characters in one
 * SMS, 67 per part. Each part is billed, so templates are checked with this.
 */

/** GSM 03.38 basic alphabet (one septet each). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: each costs two septets (an escape, then the character). */
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** How many SMS the network sends (and bills). 0 for an empty text. */
  parts: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  length: number;
  /** Room in one part of this message: 160/153 or 70/67. */
  perPart: number;
}

export const SMS_LIMITS = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/**
 * Splits units into parts of at most `size` without cutting an escape sequence (GSM-7) or a
 * surrogate pair (UCS-2) in two, as phones do; so a long text may need one part more than a
 * plain division says.
 */
function countParts(units: number[], size: number): number {
  let parts = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > size) {
      parts += 1;
      used = 0;
    }
    used += u;
  }
  return parts;
}

/** Encoding, length and number of parts of a text, NFC-normalised first as it is stored. */
export function smsLength(input: string): SmsLength {
  const text = input.normalize('NFC');
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  // Each character's cost in units: septets for GSM-7, UTF-16 code units for UCS-2.
  const units = [...text].map((ch) => (encoding === 'GSM-7' ? (EXTENSION.has(ch) ? 2 : 1) : ch.length));
  const length = units.reduce((a, b) => a + b, 0);
  const limits = SMS_LIMITS[encoding];
  if (length === 0) return { encoding, parts: 0, length, perPart: limits.single };
  if (length <= limits.single) return { encoding, parts: 1, length, perPart: limits.single };
  return { encoding, parts: countParts(units, limits.multi), length, perPart: limits.multi };
}

let segmenter: Intl.Segmenter | null | undefined;

/**
 * The text as user-perceived characters, so an emoji sequence or a letter with an unusual
 * extra mark becomes one replacement, not one per code point. Created on first use, and
 * approximated (a character with its marks) where Intl.Segmenter is missing: this module is
 * also bundled into the field app, which runs on old phones.
 */
function graphemes(text: string): string[] {
  segmenter ??= typeof Intl.Segmenter === 'function' ? new Intl.Segmenter('vi', { granularity: 'grapheme' }) : null;
  if (segmenter) return Array.from(segmenter.segment(text), (s) => s.segment);
  return text.match(/\r\n|\P{M}\p{M}*|\p{M}+/gu) ?? [];
}

/** The vowels Vietnamese puts marks on, and the marks it uses (NFD). */
const VIETNAMESE_VOWELS = new Set('aeiouyAEIOUY');
const VIETNAMESE_MARKS = new Set([
  '\u0300', // huyền (grave)
  '\u0301', // sắc (acute)
  '\u0303', // ngã (tilde)
  '\u0309', // hỏi (hook above)
  '\u0323', // nặng (dot below)
  '\u0306', // ă (breve)
  '\u0302', // â ê ô (circumflex)
  '\u031B', // ơ ư (horn)
]);

/** Close equivalents for characters outside GSM-7 that Unicode compatibility folding does not give. */
const LOOKALIKES: Record<string, string> = {
  'ð': 'd', 'Ð': 'D', // eth, often typed for đ/Đ
  '₫': 'd',
  '‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '`': "'", '´': "'",
  '“': '"', '”': '"', '„': '"', '‟': '"', '″': '"', '«': '"', '»': '"', '‹': "'", '›': "'",
  '‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-', '•': '-', '·': '.',
  '…': '...',
  '\t': ' ', '\u2028': '\n', '\u2029': '\n',
  '×': 'x', '÷': '/', '©': '(c)', '®': '(R)', '™': 'TM', '°': 'o', '½': '1/2', '¼': '1/4', '¾': '3/4',
  'ł': 'l', 'Ł': 'L',
};

function gsm7Grapheme(g: string): string {
  const vietnamese = stripVietnameseMarks(g);
  if (vietnamese !== null) return vietnamese;
  if (isGsm7(g)) return g;
  const lookalike = LOOKALIKES[g];
  if (lookalike !== undefined) return lookalike;
  // Compatibility folding (fullwidth letters, ligatures, NBSP and other spaces, superscripts),
  // then without any marks (ç → c) or invisible format characters (zero-width space, soft hyphen).
  const folded = g.normalize('NFKD').replace(/[\p{M}\p{Cf}]/gu, '');
  // Control characters other than the line breaks GSM has are invisible noise: dropped.
  if (folded === '' || /^\p{Cc}+$/u.test(folded)) return '';
  if (isGsm7(folded)) return folded;
  return '?';
}

/** The base letter of a Vietnamese vowel with its marks (ế → e), or null for anything else. */
function stripVietnameseMarks(g: string): string | null {
  if (g === 'đ' || g === 'Đ') return g === 'đ' ? 'd' : 'D';
  const [base = '', ...marks] = g.normalize('NFD');
  if (!VIETNAMESE_VOWELS.has(base) || marks.length === 0) return null;
  return marks.every((m) => VIETNAMESE_MARKS.has(m)) ? base : null;
}

/**
 * Vietnamese written without diacritics ("tiếng Việt không dấu"), for carriers or budgets that
 * need GSM-7: a 160-character SMS instead of 70. Readers are used to it ("Cau So: Da nhan ho so").
 *
 * Every Vietnamese letter loses all its marks, including the few the GSM alphabet has (à è é ì
 * ò ù É): keeping those while dropping the others would give a half-accented text ("Bà Ria"),
 * which reads worse than none. Other GSM characters are kept as they are (ä ö ñ ü Å Ç ß Ø Δ, and
 * the extension table € [ ] { } ~ ^ | \), so a foreign name such as "Müller" survives.
 * Characters outside GSM-7 get a close equivalent (typographic quotes, dashes, ellipsis, odd
 * spaces, ₫ → d), lose their marks (ç → c, ş → s), are dropped when invisible (zero-width
 * characters, stray combining marks), or become '?' as a last resort (emoji, CJK).
 *
 * The result always passes `isGsm7`, and converting it again changes nothing.
 */
export function toGsm7Text(text: string): string {
  return graphemes(text.normalize('NFC')).map(gsm7Grapheme).join('');
}
