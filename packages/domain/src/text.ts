/**
 * Vietnamese text. Stored text is NFC (one code point per accented letter), while search
 * ignores diacritics, so "hung phuoc" typed on a keyboard without Telex finds "Hưng Phước".
 */

/** NFC, trimmed, inner whitespace collapsed to single spaces. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/**
 * Lower case without diacritics: NFD splits "ư" into "u" + horn, "ế" into "e" + circumflex +
 * acute, and the marks (U+0300–U+036F) are dropped. "đ" is a letter of its own, not a "d" with
 * a combining mark, so it has to be mapped explicitly.
 */
export function foldDiacritics(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .normalize('NFC');
}

/** Folded words; punctuation and whitespace separate them. */
export function searchTokens(s: string): string[] {
  return foldDiacritics(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

/**
 * True when every folded query word occurs somewhere in the folded haystack, in any order.
 * Words match as substrings so a half-typed word ("khai si") already finds results; an empty
 * query matches everything.
 */
export function matchesSearch(haystack: string, query: string): boolean {
  const folded = searchTokens(haystack).join(' ');
  return searchTokens(query).every((token) => folded.includes(token));
}
