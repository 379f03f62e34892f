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
