/**
 * What the queue page needs on every view but which changes only when an admin edits it: the
 * procedure list for the filter, and the units under an officer's roles. Kept for a minute per
 * process (like the working calendar), so a busy desk does not ask the database each time.
 */
import { sql } from 'kysely';
import type { AppContext } from '../../../context.ts';
import { rootsFor, type Officer } from '../../auth/service.ts';
import { procedureEditGeneration } from '../../procedures/queries.ts';

const TTL_MS = 60_000;

class Memo<V> {
  readonly #entries = new Map<string, { value: Promise<V>; at: number }>();
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    if (this.#entries.size > 500) this.#entries.clear();
    const value = load();
    this.#entries.set(key, { value, at: Date.now() });
    value.catch(() => this.#entries.delete(key));
    return value;
  }
}

export interface ProcedureOption {
  id: number;
  code: string;
  nameVi: string;
  nameEn: string;
  active: boolean;
}

/** One cache per database: tests run several databases in one process. */
const procedureMemos = new WeakMap<object, Memo<ProcedureOption[]>>();
const unitMemos = new WeakMap<object, Memo<{ id: number; name: string }[]>>();

const memoFor = <V>(map: WeakMap<object, Memo<V>>, ctx: AppContext): Memo<V> => {
  let m = map.get(ctx.db);
  if (!m) map.set(ctx.db, (m = new Memo<V>()));
  return m;
};

/** Every procedure (the filter offers the active ones; old dossiers may name a retired one). An admin's save in this process is seen at once. */
export function allProcedures(ctx: AppContext): Promise<ProcedureOption[]> {
  return memoFor(procedureMemos, ctx).get(`all@${procedureEditGeneration()}`, async () =>
    (await ctx.db.kysely.selectFrom('procedures').select(['id', 'code', 'name_vi', 'name_en', 'active']).orderBy('code').execute()).map((p) => ({
      id: p.id,
      code: p.code,
      nameVi: p.name_vi,
      nameEn: p.name_en,
      active: p.active,
    })),
  );
}

/** Every unit in the subtrees of the officer's roles (all versions), with its name. */
export function unitsOfOfficer(ctx: AppContext, officer: Officer): Promise<{ id: number; name: string }[]> {
  const roots = [...new Set(rootsFor(officer))].sort((a, b) => a - b);
  if (roots.length === 0) return Promise.resolve([]);
  return memoFor(unitMemos, ctx).get(roots.join(','), () =>
    ctx.db.kysely.selectFrom('units').select(['id', 'name']).where(sql<boolean>`ancestor_ids && ${sql.val(roots)}::int[]`).execute(),
  );
}
