/**
 * Small-number suppression for the public performance page (no sign-in). A figure about a few
 * people can point at one of them ("the only dossier from this commune this week"), so:
 * - every count below 5 is withheld (`small`), zero included: showing 0 next to "<5" would tell
 *   the two apart;
 * - a percentage whose denominator is below 5 is withheld, and so is its numerator;
 * - when the parts of a published total have exactly one withheld cell, that cell could be
 *   worked out as the total minus the others, so the smallest other part is withheld too
 *   (`hidden`): the secondary suppression of statistical offices.
 * Pure: no I/O. The page words each kind; the CSV writes "<5".
 */

export const SMALL_BELOW = 5;

export type Published =
  | { kind: 'value'; value: number }
  /** A count below 5, or a share whose denominator is below 5. */
  | { kind: 'small' }
  /** Withheld so that a small cell elsewhere cannot be worked out from a total. */
  | { kind: 'hidden' }
  /** Nothing to publish (no register yet, no target). */
  | { kind: 'none' };

const value = (v: number): Published => ({ kind: 'value', value: v });
export const SMALL: Published = { kind: 'small' };
export const NONE: Published = { kind: 'none' };

/** A count of people, dossiers or households: shown only from 5 up. */
export function publishCount(n: number | null): Published {
  if (n === null || !Number.isFinite(n)) return NONE;
  return n < SMALL_BELOW ? SMALL : value(n);
}

/** A share in percent (0–100): shown only when the denominator is 5 or more. */
export function publishShare(numerator: number | null, denominator: number | null): Published {
  if (numerator === null || denominator === null) return NONE;
  if (denominator < SMALL_BELOW) return SMALL;
  return value((100 * numerator) / denominator);
}

/**
 * A value that stands on a base (a median of days on the number of blockers it is the median
 * of; a share of target on the value it compares): shown only when the base is shown.
 */
export function publishOnBase(v: number | null, base: Published): Published {
  if (base.kind !== 'value') return base;
  return v === null ? NONE : value(v);
}

/**
 * Secondary suppression over the parts of a published total (children of a unit, weeks of a
 * period): with exactly one part withheld, the smallest part still shown is withheld as well.
 * Two or more withheld parts only give away their sum, never one of them.
 */
export function protectParts(parts: readonly Published[]): Published[] {
  const out = [...parts];
  const withheld = out.filter((p) => p.kind === 'small' || p.kind === 'hidden').length;
  if (withheld !== 1) return out;
  let smallest = -1;
  out.forEach((p, i) => {
    const current = out[smallest];
    if (p.kind === 'value' && (smallest < 0 || (current?.kind === 'value' && p.value < current.value))) smallest = i;
  });
  if (smallest >= 0) out[smallest] = { kind: 'hidden' };
  return out;
}

/** The number itself, or null when it is not to be shown. */
export const shownValue = (p: Published): number | null => (p.kind === 'value' ? p.value : null);
