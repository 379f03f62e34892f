/**
 * The count on each queue tab, in one statement: one small count per tab, each a range of one
 * of the queue indexes (007_office.sql), capped at COUNT_CAP + 1 rows.
 *
 * The counts of a unit's tabs are the same for all its officers and change only when a
 * dossier moves, so the page shares them for a few seconds (per process; see sharedRead), and
 * forgets them at once when a dossier changes status or is assigned in this process. The pages
 * of the tabs' lists are shared the same way (queues.ts).
 */
import type { Kysely } from 'kysely';
import type { AppContext } from '../../../context.ts';
import type { DB } from '../../../db/schema.ts';
import { viewGeneration } from '../../reports/viewCache.ts';
import { QUEUE_TABS, TABS, filterConditions, inUnits, indexPredicate, interpretSearch, statusesOf, type QueueFilter, type QueueMoment, type QueueTab } from './queueTabs.ts';

export type CountedTab = Exclude<QueueTab, 'all'>;
export type QueueCounts = Record<CountedTab, number>;

/**
 * Counting stops here: a tab shows "500+" beyond it. A desk never works through more at once,
 * and counting a province's whole backlog on every page view would cost more than the page.
 */
export const COUNT_CAP = 500;
/** How long a unit's tab counts are reused. */
export const SHARED_COUNTS_MS = 5_000;

export const COUNTED: CountedTab[] = QUEUE_TABS.filter((t): t is CountedTab => t !== 'all');
/** The tabs whose count is the same for every officer of the units (all but "mine"). */
const SHARED: CountedTab[] = COUNTED.filter((t) => t !== 'mine');

export function countQueuesQuery(db: Kysely<DB>, ctx: AppContext, units: number[], f: QueueFilter, m: QueueMoment, tabs: readonly CountedTab[] = COUNTED) {
  const search = interpretSearch(ctx, f.q);
  return db.selectNoFrom((outer) =>
    tabs.map((tab) => {
      const spec = TABS[tab];
      const statuses = statusesOf(tab, f);
      const rows = outer
        .selectFrom('dossiers')
        .select('dossiers.id')
        .where('dossiers.unit_id', '=', inUnits(units))
        .where('dossiers.status', 'in', statuses.length ? statuses : [0])
        .where((eb) => eb.and([indexPredicate(eb, spec.column), ...(spec.extra ? [spec.extra(eb, m)] : []), ...filterConditions(eb, f, search)]))
        .limit(COUNT_CAP + 1);
      return outer
        .selectFrom(rows.as('x'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .as(tab);
    }),
  );
}

export const noCounts = (): QueueCounts => Object.fromEntries(COUNTED.map((t) => [t, 0])) as QueueCounts;

export function countsOf(row: Record<string, unknown>, tabs: readonly CountedTab[] = COUNTED): Partial<QueueCounts> {
  const out: Partial<QueueCounts> = {};
  for (const t of tabs) out[t] = Number(row[t] ?? 0);
  return out;
}

/** Every tab's count, read now. */
export async function countQueues(ctx: AppContext, units: number[], f: QueueFilter, m: QueueMoment): Promise<QueueCounts> {
  if (units.length === 0) return noCounts();
  return { ...noCounts(), ...countsOf((await countQueuesQuery(ctx.db.kysely, ctx, units, f, m).executeTakeFirstOrThrow()) as Record<string, unknown>) };
}

/** Per database (tests run several in one process): key → a shared read and when it started. */
const shared = new WeakMap<object, Map<string, { at: number; value: Promise<unknown> }>>();

function cacheOf(ctx: AppContext) {
  let c = shared.get(ctx.db);
  if (!c) shared.set(ctx.db, (c = new Map()));
  return c;
}

/**
 * A read shared for SHARED_COUNTS_MS by every officer who asks the same thing: twenty officers
 * of a commune opening their queues cost one read. The key holds the injected clock's
 * 5-second slot (a test that moves time never sees an old answer) and the counters'
 * generation, so any dossier that changes status in this process (a submission on the portal,
 * an action at the office, an application synced from the field) drops it at once, and
 * forgetQueueCounts drops everything after an assignment.
 */
export function sharedRead<T>(ctx: AppContext, parts: unknown[], now: Date, read: () => Promise<T>): Promise<T> {
  const cache = cacheOf(ctx);
  const key = JSON.stringify([...parts, viewGeneration(), Math.floor(now.getTime() / SHARED_COUNTS_MS)]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < SHARED_COUNTS_MS) return hit.value as Promise<T>;
  if (cache.size > 1000) cache.clear();
  const value = read();
  cache.set(key, { at: Date.now(), value });
  value.catch(() => cache.delete(key));
  return value;
}

/**
 * The counts of these units' tabs, reused for SHARED_COUNTS_MS: the unit-wide tabs are shared
 * by all their officers, the "mine" count is the officer's own.
 */
export async function recentCounts(ctx: AppContext, units: number[], f: QueueFilter, m: QueueMoment): Promise<QueueCounts> {
  const [unitWide, own] = await Promise.all([cachedCounts(ctx, units, f, m, SHARED, null), cachedCounts(ctx, units, f, m, ['mine'], m.userId)]);
  return { ...noCounts(), ...unitWide, ...own };
}

function cachedCounts(ctx: AppContext, units: number[], f: QueueFilter, m: QueueMoment, tabs: CountedTab[], userId: number | null): Promise<Partial<QueueCounts>> {
  return sharedRead(ctx, ['counts', userId, units, f], m.now, () =>
    countQueuesQuery(ctx.db.kysely, ctx, units, f, m, tabs)
      .executeTakeFirstOrThrow()
      .then((row) => countsOf(row as Record<string, unknown>, tabs)),
  );
}

/** After a dossier moves or is handed to someone: the next page view counts again. */
export function forgetQueueCounts(ctx: AppContext): void {
  shared.get(ctx.db)?.clear();
}
