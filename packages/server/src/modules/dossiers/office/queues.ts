/**
 * Work queues of the one-stop desk (hàng đợi công việc): for the units an officer holds a role
 * on (whole subtrees), the dossiers to receive, in processing, waiting for papers or fees,
 * due within two working days, overdue, done and waiting to be handed back, finished today.
 * Built to stay fast on a commune with tens of thousands of dossiers: see queueTabs.ts (what a
 * tab is), queueCounts.ts (one statement of index range counts) and queueList.ts (keyset pages
 * read as index walks); the indexes are in 007_office.sql.
 */
import type { AppContext } from '../../../context.ts';
import { noCounts, recentCounts, sharedRead, type QueueCounts } from './queueCounts.ts';
import { listQueue, type QueueCursor, type QueuePage } from './queueList.ts';
import { PAGE_SIZE, type QueueFilter, type QueueMoment, type QueueTab } from './queueTabs.ts';

export * from './queueTabs.ts';
export * from './queueCounts.ts';
export * from './queueList.ts';

/** What the queue page shows: every tab's count (see recentCounts) and one page of the chosen tab. */
export async function queuePage(
  ctx: AppContext,
  units: number[],
  tab: QueueTab,
  f: QueueFilter,
  m: QueueMoment,
  cursor: QueueCursor = {},
  pageSize = PAGE_SIZE,
): Promise<{ counts: QueueCounts; page: QueuePage }> {
  if (units.length === 0) return { counts: noCounts(), page: { rows: [], nextAfter: null, prevBefore: null } };
  // Pages are shared between officers like the counts (sharedRead): the same rows for the same
  // units, tab, filter and cursor; the "mine" tab per officer.
  const list = sharedRead(ctx, ['list', tab === 'mine' ? m.userId : null, units, tab, f, cursor, pageSize], m.now, () => listQueue(ctx, units, tab, f, m, cursor, pageSize));
  const [counts, page] = await Promise.all([recentCounts(ctx, units, f, m), list]);
  return { counts, page };
}
