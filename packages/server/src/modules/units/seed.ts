/**
 * Loads the administrative units: Bình Phước as of 2022 (two versions for the units that
 * Resolution 570 changed on 1 Oct 2022), Đồng Nai after the 1 July 2025 reform, the old→new
 * mapping, and the villages of Bù Đốp with local codes, before and after the reform.
 */
import { fileURLToPath } from 'node:url';
import { foldDiacritics } from '@causo/domain';
import type { Trx } from '../../db/database.ts';
import { readMappingFile, readUnitFile, levelOfType, type MappingRow, type UnitRow } from './unitFiles.ts';
import { loadCatalogueFiles, type VillageSeed } from '../procedures/catalogueFile.ts';

export const SEED_DIR = fileURLToPath(new URL('../../../seed/', import.meta.url));

/** The demo treats the 2022 list as in force from 2020 (for carried-over dossiers) to the reform. */
const ERA_2022 = { from: '2020-01-01', to: '2025-06-30' };
const ERA_2025 = { from: '2025-07-01', to: null };
const CHON_THANH_CHANGE = '2022-10-01';

/** Before 1 Oct 2022 these rows were different (data/README.md). Codes unchanged. */
const BEFORE_RESOLUTION_570: Record<string, Pick<UnitRow, 'name' | 'type'>> = {
  '697': { name: 'Huyện Chơn Thành', type: 'huyen' },
  '25432': { name: 'Thị trấn Chơn Thành', type: 'thi_tran' },
  '25433': { name: 'Xã Thành Tâm', type: 'xa' },
  '25441': { name: 'Xã Minh Hưng', type: 'xa' },
  '25444': { name: 'Xã Minh Long', type: 'xa' },
  '25447': { name: 'Xã Minh Thành', type: 'xa' },
};

interface UnitVersion {
  code: string;
  name: string;
  type: string;
  level: 'province' | 'district' | 'commune' | 'village';
  parentCode: string | null;
  provinceCode: string;
  validFrom: string;
  validTo: string | null;
}

function agencyCode(provinceCode: string, code: string, level: UnitVersion['level']): string {
  return level === 'province' ? `H${provinceCode}` : `H${provinceCode}.${code}`;
}

function versionsOf2022(rows: UnitRow[]): UnitVersion[] {
  const out: UnitVersion[] = [];
  for (const r of rows) {
    const base = { code: r.code, level: levelOfType(r.type), parentCode: r.parent_code || null, provinceCode: '70' };
    const before = BEFORE_RESOLUTION_570[r.code];
    if (before) {
      out.push({ ...base, ...before, validFrom: ERA_2022.from, validTo: '2022-09-30' });
      out.push({ ...base, name: r.name, type: r.type, validFrom: CHON_THANH_CHANGE, validTo: ERA_2022.to });
    } else out.push({ ...base, name: r.name, type: r.type, validFrom: ERA_2022.from, validTo: ERA_2022.to });
  }
  return out;
}

const DEPTH: Record<UnitVersion['level'], number> = { province: 0, district: 1, commune: 2, village: 3 };

/** One INSERT per level of the tree (parents first), then each row's own id is put first in its ancestor list. */
async function insertVersions(trx: Trx, versions: UnitVersion[]): Promise<void> {
  const ids = new Map<string, { id: number; ancestors: number[]; from: string; to: string | null }[]>();
  const parentOf = (v: UnitVersion) =>
    v.parentCode ? ids.get(v.parentCode)?.find((p) => p.from <= v.validFrom && (p.to === null || p.to >= v.validFrom)) : undefined;
  for (const depth of [0, 1, 2, 3]) {
    // Đồng Nai 2025 communes hang directly under the province: their depth is the level's, parents are found by code.
    const level = versions.filter((v) => DEPTH[v.level] === depth);
    if (level.length === 0) continue;
    const rows = level.map((v) => {
      const parent = parentOf(v);
      if (v.parentCode && !parent) throw new Error(`unit ${v.code}: parent ${v.parentCode} not in force on ${v.validFrom}`);
      return {
        code: v.code,
        name: v.name,
        type: v.type,
        level: v.level,
        parent_id: parent?.id ?? null,
        ancestor_ids: parent?.ancestors ?? [],
        province_code: v.provinceCode,
        agency_code: agencyCode(v.provinceCode, v.code, v.level),
        valid_from: v.validFrom,
        valid_to: v.validTo,
        search_name: foldDiacritics(v.name),
      };
    });
    const inserted = await trx.insertInto('units').values(rows).returning(['id', 'code', 'valid_from', 'valid_to', 'ancestor_ids']).execute();
    for (const r of inserted) {
      const list = ids.get(r.code) ?? [];
      list.push({ id: r.id, ancestors: [r.id, ...r.ancestor_ids], from: r.valid_from, to: r.valid_to });
      ids.set(r.code, list);
    }
  }
  await trx.updateTable('units').set((eb) => ({ ancestor_ids: eb.fn('array_prepend', [eb.ref('id'), eb.ref('ancestor_ids')]) })).execute();
}

/** A 2022 village and the version of it that lives on under the commune that absorbed its own. */
export interface VillageMove {
  old: VillageSeed;
  new: VillageSeed;
}

/**
 * The reform kept villages (thôn, ấp, khu phố) and moved them whole into the new communes;
 * their local codes are prefixed by the commune code, so each gets a new code under its new
 * commune. Villages of the commune whose code the new commune kept come first and keep their
 * numbers; those of the communes merged into it follow, numbered on in the old codes' order.
 * Only whole ("full") mappings move villages: a split commune cannot say where a village went.
 */
export function villagesAfterReform(villages: readonly VillageSeed[], mapping: readonly MappingRow[]): VillageMove[] {
  const newCommuneOf = new Map(mapping.filter((m) => m.kind === 'full').map((m) => [m.old_code, m.new_code]));
  const byNewCommune = new Map<string, VillageSeed[]>();
  for (const v of villages) {
    const target = newCommuneOf.get(v.communeCode);
    if (target) byNewCommune.set(target, [...(byNewCommune.get(target) ?? []), v]);
  }
  const moves: VillageMove[] = [];
  for (const [commune, list] of byNewCommune) {
    const ordered = [...list].sort((a, b) => Number(b.communeCode === commune) - Number(a.communeCode === commune) || a.code.localeCompare(b.code));
    ordered.forEach((v, i) => {
      moves.push({ old: v, new: { ...v, communeCode: commune, code: `${commune}-${String(i + 1).padStart(2, '0')}` } });
    });
  }
  return moves;
}

export async function seedUnits(trx: Trx, dir = SEED_DIR): Promise<{ units: number; replacements: number }> {
  const bp = readUnitFile(`${dir}units-2022-binh-phuoc.csv`);
  const dn = readUnitFile(`${dir}units-2025-dong-nai.csv`);
  const villages = loadCatalogueFiles(dir).villages;
  const versions = versionsOf2022(bp);
  for (const v of villages) {
    versions.push({
      code: v.code,
      name: v.name,
      type: v.type,
      level: 'village',
      parentCode: v.communeCode,
      provinceCode: '70',
      validFrom: ERA_2022.from,
      validTo: ERA_2022.to,
    });
  }
  const mapping = readMappingFile(`${dir}units-2025-mapping-binh-phuoc.csv`);
  const moves = villagesAfterReform(villages, mapping);
  for (const m of moves) {
    versions.push({
      code: m.new.code,
      name: m.new.name,
      type: m.new.type,
      level: 'village',
      parentCode: m.new.communeCode,
      provinceCode: '75',
      validFrom: ERA_2025.from,
      validTo: ERA_2025.to,
    });
  }
  for (const r of dn)
    versions.push({
      code: r.code,
      name: r.name,
      type: r.type,
      level: levelOfType(r.type),
      parentCode: r.parent_code || null,
      provinceCode: '75',
      validFrom: ERA_2025.from,
      validTo: ERA_2025.to,
    });
  await insertVersions(trx, versions);

  const idOn = async (code: string, date: string) =>
    (
      await trx
        .selectFrom('units')
        .select('id')
        .where('code', '=', code)
        .where('valid_from', '<=', date)
        .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', date)]))
        .executeTakeFirstOrThrow()
    ).id;
  const pairs = [
    { old_code: '70', new_code: '75', kind: 'full' as const },
    ...mapping,
    ...moves.map((m) => ({ old_code: m.old.code, new_code: m.new.code, kind: 'full' as const })),
  ];
  for (const m of pairs) {
    await trx
      .insertInto('unit_replacements')
      .values({
        old_unit_id: await idOn(m.old_code, ERA_2022.to),
        new_unit_id: await idOn(m.new_code, ERA_2025.from),
        kind: m.kind,
        effective: ERA_2025.from,
      })
      .execute();
  }
  return { units: versions.length, replacements: pairs.length };
}
