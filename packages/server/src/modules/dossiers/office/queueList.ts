/**
 * One page of a queue tab. A page is the top N of each (unit, status) pair of the tab, walked
 * along an index in the tab's order (a LATERAL join), merged and cut to N: it reads a few dozen
 * rows however long the queue, and sorts only those. Pages are keyed by the last row shown
 * (its id), never by a growing OFFSET.
 */
import { sql, type Kysely } from 'kysely';
import type { Status } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import type { DB } from '../../../db/schema.ts';
import { PAGE_SIZE, TABS, filterConditions, indexPredicate, inUnits, interpretSearch, statusesOf, type Eb, type QueueFilter, type QueueMoment, type QueueTab } from './queueTabs.ts';

export interface QueueRow {
  id: number;
  code: string;
  status: Status;
  channel: number;
  applicantName: string;
  procedureId: number;
  unitId: number;
  submittedAt: Date;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  assignee: string | null;
  /** An assisted application (009_field.sql): the team member who helped, and how. */
  assisted: { by: string; mode: 'on_behalf' | 'alongside' } | null;
}

export interface QueuePage {
  rows: QueueRow[];
  /** Ids to page from: `after` for the next page, `before` for the previous one. */
  nextAfter: number | null;
  prevBefore: number | null;
}

export interface QueueCursor {
  after?: number | undefined;
  before?: number | undefined;
}

export function pageDirection(tab: QueueTab, cursor: QueueCursor) {
  const { column, direction } = TABS[tab];
  const backwards = cursor.before !== undefined && cursor.after === undefined;
  return { column, backwards, dir: ((direction === 'asc') !== backwards ? 'asc' : 'desc') as 'asc' | 'desc', pivot: backwards ? cursor.before : cursor.after };
}

const ROW_COLUMNS = [
  'dossiers.id',
  'dossiers.code',
  'dossiers.status',
  'dossiers.channel',
  'dossiers.applicant_name',
  'dossiers.procedure_id',
  'dossiers.unit_id',
  'dossiers.submitted_at',
  'dossiers.received_at',
  'dossiers.due_at',
  'dossiers.finished_at',
  'dossiers.assisted_by',
  'dossiers.assist_mode',
] as const;

/**
 * The rows of one page: for each (unit, status) pair of the tab, the first `limit` dossiers in
 * the tab's order after the cursor row (an index walk), then the best `limit` of those. The
 * "mine" tab starts from the officer's few assignments instead.
 */
export function listQueueQuery(db: Kysely<DB>, ctx: AppContext, units: number[], tab: QueueTab, f: QueueFilter, m: QueueMoment, cursor: QueueCursor, limit: number) {
  const search = interpretSearch(ctx, f.q);
  const spec = TABS[tab];
  const { column, dir, pivot } = pageDirection(tab, cursor);
  const statuses = statusesOf(tab, f);
  const cmp = sql.raw(dir === 'asc' ? '>' : '<');
  const afterPivot = sql<boolean>`(${sql.ref(`dossiers.${column}`)}, dossiers.id) ${cmp} (SELECT c.${sql.ref(column)}, c.id FROM dossiers c WHERE c.id = ${pivot ?? 0})`;
  const conditions = (e: Eb) => e.and([indexPredicate(e, column), ...(spec.extra ? [spec.extra(e, m)] : []), ...filterConditions(e, f, search), ...(pivot !== undefined ? [afterPivot] : [])]);

  const candidates =
    tab === 'mine'
      ? db
          .selectFrom('dossier_assignments as mine')
          .innerJoin('dossiers', 'dossiers.id', 'mine.dossier_id')
          .select(ROW_COLUMNS)
          .where('mine.assignee_id', '=', m.userId)
          .where('mine.ended_at', 'is', null)
          .where('dossiers.unit_id', '=', inUnits(units))
          .where('dossiers.status', 'in', statuses)
          .where(conditions)
          .orderBy(sql.ref(`dossiers.${column}`), dir)
          .orderBy('dossiers.id', dir)
          .limit(limit)
      : db
          .selectFrom(sql<{ unit_id: number; status: number }>`(SELECT u AS unit_id, s AS status FROM unnest(${sql.val(units)}::int[]) AS u, unnest(${sql.val(statuses)}::smallint[]) AS s)`.as('k'))
          .innerJoinLateral(
            (eb) =>
              eb
                .selectFrom('dossiers')
                .select(ROW_COLUMNS)
                .where('dossiers.unit_id', '=', sql.ref<number>('k.unit_id'))
                .where('dossiers.status', '=', sql.ref<number>('k.status'))
                .where(conditions)
                .orderBy(sql.ref(`dossiers.${column}`), dir)
                .orderBy('dossiers.id', dir)
                .limit(limit)
                .as('dossiers'),
            (join) => join.onTrue(),
          )
          .select(ROW_COLUMNS)
          .orderBy(sql.ref(`dossiers.${column}`), dir)
          .orderBy('dossiers.id', dir)
          .limit(limit);

  // Names of procedures and units come from the page's lookups (lookups.ts): fewer joins to plan.
  return db
    .selectFrom(candidates.as('d'))
    .select((eb) => [
      'd.id',
      'd.code',
      'd.status',
      'd.channel',
      'd.applicant_name',
      'd.procedure_id',
      'd.unit_id',
      'd.submitted_at',
      'd.received_at',
      'd.due_at',
      'd.finished_at',
      'd.assist_mode',
      eb.selectFrom('users as helper').select('helper.display_name').whereRef('helper.id', '=', 'd.assisted_by').as('assisted_by_name'),
      eb
        .selectFrom('dossier_assignments as a')
        .innerJoin('users as u', 'u.id', 'a.assignee_id')
        .select('u.display_name')
        .whereRef('a.dossier_id', '=', 'd.id')
        .where('a.ended_at', 'is', null)
        .as('assignee'),
    ])
    .orderBy(sql.ref(`d.${column}`), dir)
    .orderBy('d.id', dir);
}

/**
 * A page is read with the plan it was written for. The planner cannot see how unevenly
 * dossiers spread over a commune and its villages (each pair's unit and status are
 * parameters), and PGlite has no autovacuum to gather statistics at all; unguided it may read
 * a whole queue and sort it. Walking the index in order is right whatever the statistics say,
 * so sorting is switched off for this one transaction (set with the counts, to save a trip).
 * The penalty that switching off adds to the plan's cost would make PostgreSQL compile it with
 * JIT (200 ms for a query that runs in one): JIT goes off too.
 */
const WALK_INDEXES_SQL = `set_config('enable_sort', 'off', true) || set_config('jit', 'off', true)`;
export const WALK_INDEXES = sql<string>`${sql.raw(WALK_INDEXES_SQL)}`;

export function pageOf(found: Awaited<ReturnType<ReturnType<typeof listQueueQuery>['execute']>>, pageSize: number, backwards: boolean, pivot: number | undefined): QueuePage {
  const more = found.length > pageSize;
  const page = found.slice(0, pageSize);
  if (backwards) page.reverse();
  const rows: QueueRow[] = page.map((r) => ({
    id: r.id,
    code: r.code,
    status: r.status as Status,
    channel: r.channel,
    applicantName: r.applicant_name,
    procedureId: r.procedure_id,
    unitId: r.unit_id,
    submittedAt: r.submitted_at,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    finishedAt: r.finished_at,
    assignee: r.assignee,
    assisted: r.assisted_by_name && r.assist_mode ? { by: r.assisted_by_name, mode: r.assist_mode } : null,
  }));
  const first = rows[0]?.id ?? null;
  const last = rows[rows.length - 1]?.id ?? null;
  return {
    rows,
    nextAfter: (backwards ? true : more) ? last : null,
    prevBefore: (backwards ? more : pivot !== undefined) ? first : null,
  };
}

/** One page of a tab, read in its own transaction (the page view reads it with the counts, see queues.ts). */
export async function listQueue(ctx: AppContext, units: number[], tab: QueueTab, f: QueueFilter, m: QueueMoment, cursor: QueueCursor = {}, pageSize = PAGE_SIZE): Promise<QueuePage> {
  const { backwards, pivot } = pageDirection(tab, cursor);
  if (units.length === 0 || statusesOf(tab, f).length === 0) return { rows: [], nextAfter: null, prevBefore: null };
  const q = listQueueQuery(ctx.db.kysely, ctx, units, tab, f, m, cursor, pageSize + 1).compile();
  type Row = Parameters<typeof pageOf>[0][number];
  // BEGIN and the settings go in one simple-protocol message: one round trip less per page.
  const found = await ctx.db.raw(async (c) => {
    await c.exec(`BEGIN; SELECT ${WALK_INDEXES_SQL}`);
    try {
      const rows = await c.query<Row>(q.sql, [...q.parameters]);
      await c.exec('COMMIT');
      return rows;
    } catch (e) {
      await c.exec('ROLLBACK');
      throw e;
    }
  });
  return pageOf(found, pageSize, backwards, pivot);
}
