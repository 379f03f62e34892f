/**
 * A small in-process cache for what the II.06a page reads (the report, the breadcrumb rows,
 * the chart series), so that many leaders opening the same province report at once cost one
 * computation instead of twenty. On PGlite the database runs on the server's own thread, so
 * this is what keeps the report page under its response-time target at 20 concurrent officers.
 *
 * Freshness:
 * - every change to the counters in this process (`applyCounterDeltas`) moves the generation,
 *   and an entry made under an older generation is never served again;
 * - entries also expire after a few seconds, which bounds what the generation cannot see:
 *   writes by other server processes, bulk imports that COPY counters directly, a unit renamed,
 *   and a page computed while a write was not yet committed.
 * Concurrent requests for the same key share one computation (the promise is cached).
 * Authorization is never cached: callers check the officer's role before asking. Downloads
 * (the official exports) do not use the cache.
 */

export const VIEW_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 500;

let generation = 0;

/** Called whenever the II.06a counters change. */
export function countersChanged(): void {
  generation += 1;
}

/** The current generation, for callers that skip work while nothing changed. */
export function viewGeneration(): number {
  return generation;
}

interface Entry {
  generation: number;
  expires: number;
  value: Promise<unknown>;
}

/** One cache per database (tests run two engines in one process, with the same unit ids). */
const caches = new WeakMap<object, Map<string, Entry>>();

export async function cachedView<T>(db: object, key: string, compute: () => Promise<T>, opts: { ttlMs?: number } = {}): Promise<T> {
  let entries = caches.get(db);
  if (!entries) {
    entries = new Map();
    caches.set(db, entries);
  }
  const now = performance.now();
  const hit = entries.get(key);
  if (hit && hit.generation === generation && hit.expires > now) return hit.value as Promise<T>;
  const value = compute();
  const entry: Entry = { generation, expires: now + (opts.ttlMs ?? VIEW_CACHE_TTL_MS), value };
  entries.delete(key);
  entries.set(key, entry);
  if (entries.size > MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  // A failure is not remembered: the next request tries again.
  const own = entries;
  value.catch(() => {
    if (own.get(key) === entry) own.delete(key);
  });
  return value;
}
