/**
 * The procedure catalogue as the citizen portal reads it: active procedures only, fees and
 * required documents parsed back into their seed shapes, and a search that ignores diacritics
 * and word order and puts the closest names first.
 */
import { z } from 'zod';
import { searchTokens } from '@causo/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { FeeSchema, LIFE_EVENTS, RequiredDocumentSchema, type LifeEvent } from './catalogueFile.ts';
import type { ProcedureRecord } from './queries.ts';

export type Fee = z.infer<typeof FeeSchema>;
export type RequiredDocument = z.infer<typeof RequiredDocumentSchema>;

/** What a catalogue page shows about a procedure. */
export interface CatalogueProcedure {
  code: string;
  nameVi: string;
  nameEn: string;
  sectorCode: string;
  onlineLevel: 'full' | 'partial';
  sla: { value: number; unit: 'working_days' | 'working_hours' };
  fees: Fee[];
  requiredDocuments: RequiredDocument[];
  eligibilityVi: string;
  eligibilityEn: string;
  lifeEvents: string[];
}

export interface Sector {
  code: string;
  nameVi: string;
  nameEn: string;
}

/**
 * The procedures most residents of a commune come for (civil status, residence, copies), in the
 * order the home page lists them. Codes missing from a province's catalogue are skipped.
 */
export const MOST_USED_PROCEDURES = ['1.001193', '1.000894', '1.000656', '1.004873', '2.000635', '2.000815', '1.004222', '1.004194'] as const;

/** Searches longer than this are cut: nobody types a procedure name of 100 characters. */
export const SEARCH_MAX_LENGTH = 100;
const SEARCH_MAX_TOKENS = 8;

const Fees = z.array(FeeSchema);
const Documents = z.array(RequiredDocumentSchema);

function toCatalogue(p: ProcedureRecord): CatalogueProcedure {
  return {
    code: p.code,
    nameVi: p.name_vi,
    nameEn: p.name_en,
    sectorCode: p.sector_code,
    onlineLevel: p.online_level,
    sla: { value: p.sla_value, unit: p.sla_unit },
    // The seed loader validated these; parsing again keeps a hand-edited row from breaking a page.
    fees: Fees.catch([]).parse(p.fees),
    requiredDocuments: Documents.catch([]).parse(p.required_documents),
    eligibilityVi: p.eligibility_vi,
    eligibilityEn: p.eligibility_en,
    lifeEvents: p.life_events,
  };
}

const active = (db: Kysely<DB>) => db.selectFrom('procedures').selectAll().where('active', '=', true);

export async function findActiveProcedure(db: Kysely<DB>, code: string): Promise<CatalogueProcedure | null> {
  const row = await active(db).where('code', '=', code).executeTakeFirst();
  return row ? toCatalogue(row) : null;
}

/** The most-used procedures that this catalogue has, in `MOST_USED_PROCEDURES` order. */
export async function mostUsedProcedures(db: Kysely<DB>): Promise<CatalogueProcedure[]> {
  const rows = await active(db).where('code', 'in', [...MOST_USED_PROCEDURES]).execute();
  const order = (code: string) => MOST_USED_PROCEDURES.indexOf(code as (typeof MOST_USED_PROCEDURES)[number]);
  return rows.map(toCatalogue).sort((a, b) => order(a.code) - order(b.code));
}

export async function listSectors(db: Kysely<DB>): Promise<Sector[]> {
  const rows = await db.selectFrom('sectors').selectAll().orderBy('code').execute();
  return rows.map((s) => ({ code: s.code, nameVi: s.name_vi, nameEn: s.name_en }));
}

export async function proceduresInSector(db: Kysely<DB>, sectorCode: string): Promise<CatalogueProcedure[]> {
  return (await active(db).where('sector_code', '=', sectorCode).orderBy('name_vi').execute()).map(toCatalogue);
}

export function isLifeEvent(value: string): value is LifeEvent {
  return (LIFE_EVENTS as readonly string[]).includes(value);
}

export async function proceduresForLifeEvent(db: Kysely<DB>, event: LifeEvent): Promise<CatalogueProcedure[]> {
  const rows = await active(db)
    .where((eb) => eb(eb.val<string>(event), '=', eb.fn.any('life_events')))
    .orderBy('name_vi')
    .execute();
  return rows.map(toCatalogue);
}

/** How many active procedures each sector and each life event has (empty ones are not shown). */
export async function catalogueCounts(db: Kysely<DB>): Promise<{ bySector: Map<string, number>; byEvent: Map<LifeEvent, number> }> {
  const rows = await db.selectFrom('procedures').select(['sector_code', 'life_events']).where('active', '=', true).execute();
  const bySector = new Map<string, number>();
  const byEvent = new Map<LifeEvent, number>();
  for (const r of rows) {
    bySector.set(r.sector_code, (bySector.get(r.sector_code) ?? 0) + 1);
    for (const e of r.life_events) if (isLifeEvent(e)) byEvent.set(e, (byEvent.get(e) ?? 0) + 1);
  }
  return { bySector, byEvent };
}

/**
 * Every query word must occur in the code or a name (Vietnamese or English), in any order and
 * with or without diacritics. The closest names come first: fewest words the query did not ask
 * for, then names holding the query as typed, then shorter names. So "dang ky khai sinh" and
 * "khai sinh dang ky" both put "Đăng ký khai sinh" before "Đăng ký lại khai sinh" and before
 * the longer joint procedure.
 */
export async function searchCatalogue(db: Kysely<DB>, query: string): Promise<CatalogueProcedure[]> {
  const tokens = searchTokens(query.slice(0, SEARCH_MAX_LENGTH)).slice(0, SEARCH_MAX_TOKENS);
  if (tokens.length === 0) return [];
  let q = active(db);
  // Tokens are letters and digits only, so they never carry LIKE wildcards.
  for (const t of tokens) q = q.where('search_text', 'like', `%${t}%`);
  const rows = (await q.limit(200).execute()).map(toCatalogue);
  const phrase = tokens.join(' ');
  const score = (p: CatalogueProcedure): [number, number, number] => {
    const names = [p.nameVi, p.nameEn].map((n) => searchTokens(n));
    const extraWords = Math.min(...names.map((words) => words.filter((w) => !tokens.some((t) => w.startsWith(t))).length));
    const asTyped = names.some((words) => words.join(' ').includes(phrase)) ? 0 : 1;
    return [extraWords, asTyped, p.nameVi.length];
  };
  const scored = rows.map((p) => ({ p, s: score(p) }));
  scored.sort((a, b) => a.s[0] - b.s[0] || a.s[1] - b.s[1] || a.s[2] - b.s[2] || a.p.code.localeCompare(b.p.code));
  return scored.map((x) => x.p);
}

/** A procedure's name in the reader's language (the catalogue holds Vietnamese and English). */
export const nameIn = (lang: string, p: { nameVi: string; nameEn: string }): string => (lang === 'en' ? p.nameEn : p.nameVi);
export const eligibilityIn = (lang: string, p: CatalogueProcedure): string => (lang === 'en' ? p.eligibilityEn : p.eligibilityVi);
