/**
 * What reception reads for every new dossier, kept in memory: the procedure by its code, the unit
 * in force by its code on a day, and the agency that numbers the unit's dossiers (a village's
 * commune). Reading them took two or three of the submission's round trips (docs/operations.md,
 * Load).
 *
 * Exact, not "fresh enough": each entry carries the catalog generation it was read under
 * (016_reception_catalog.sql, moved on by every statement on procedures or units), and the
 * dossier's insert checks it with assert_catalog_generation. A dossier written against an older
 * generation fails with SQLSTATE CS001; the caller forgets everything and writes it again from
 * the tables. Several app processes stay exact the same way.
 */
import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { DB } from '../../db/schema.ts';
import type { NewDossier } from './service.ts';

export interface ReceptionFacts {
  generation: number;
  procedure: NewDossier['procedure'];
  unit: NewDossier['unit'];
  agency: string;
}

/** Units by code and day are many; past this the map starts again (a day's codes fit easily). */
const MAX_UNIT_ENTRIES = 20_000;

export class ReceptionCatalog {
  private generation: number | null = null;
  private readonly procedures = new Map<string, NewDossier['procedure']>();
  private readonly units = new Map<string, { unit: NewDossier['unit']; agency: string }>();

  /** The facts for a dossier of `procedureCode` at `unitCode` received on `day`, if all are known. */
  lookup(procedureCode: string, unitCode: string, day: string): ReceptionFacts | null {
    if (this.generation === null) return null;
    const procedure = this.procedures.get(procedureCode);
    const place = this.units.get(`${unitCode}|${day}`);
    if (!procedure || !place) return null;
    return { generation: this.generation, procedure, unit: place.unit, agency: place.agency };
  }

  /**
   * Keeps what a transaction read after it read `generation`. Read in that order, the rows are
   * at least as new as the generation, so a later change always shows as a newer generation.
   */
  remember(generation: number, day: string, facts: Omit<ReceptionFacts, 'generation'>): void {
    if (!facts.procedure.active) return;
    if (this.generation !== generation) {
      if (this.generation !== null && generation < this.generation) return;
      this.forget();
      this.generation = generation;
    }
    if (this.units.size >= MAX_UNIT_ENTRIES) this.units.clear();
    this.procedures.set(facts.procedure.code, facts.procedure);
    this.units.set(`${facts.unit.code}|${day}`, { unit: facts.unit, agency: facts.agency });
  }

  forget(): void {
    this.generation = null;
    this.procedures.clear();
    this.units.clear();
  }
}

const catalogs = new WeakMap<AppContext, ReceptionCatalog>();

export function receptionCatalogOf(ctx: AppContext): ReceptionCatalog {
  let c = catalogs.get(ctx);
  if (!c) catalogs.set(ctx, (c = new ReceptionCatalog()));
  return c;
}

export async function catalogGeneration(db: Kysely<DB>): Promise<number> {
  const r = await db.selectFrom('catalog_generation').select('generation').executeTakeFirst();
  return Number(r?.generation ?? 0);
}

/** The insert was checked against procedures or units that have changed since (SQLSTATE CS001). */
export const isCatalogChanged = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'CS001';
