/** Loads the demo sectors and procedure catalogue from seed/*.json. */
import { foldDiacritics } from '@causo/domain';
import type { Trx } from '../../db/database.ts';
import { loadCatalogueFiles } from './catalogueFile.ts';

export async function seedProcedures(trx: Trx, dir: string): Promise<number> {
  const { sectors, procedures } = loadCatalogueFiles(dir);
  await trx
    .insertInto('sectors')
    .values(sectors.map((s) => ({ code: s.code, name_vi: s.nameVi, name_en: s.nameEn })))
    .execute();
  await trx
    .insertInto('procedures')
    .values(
      procedures.map((p) => ({
        code: p.code,
        name_vi: p.nameVi,
        name_en: p.nameEn,
        sector_code: p.sector,
        level: p.level,
        online_level: p.onlineLevel,
        sla_value: p.sla.value,
        sla_unit: p.sla.unit,
        fees: JSON.stringify(p.fees),
        required_documents: JSON.stringify(p.requiredDocuments),
        form: JSON.stringify(p.form),
        eligibility_vi: p.eligibilityVi,
        eligibility_en: p.eligibilityEn,
        life_events: p.lifeEvents,
        search_text: foldDiacritics(`${p.code} ${p.nameVi} ${p.nameEn}`),
      })),
    )
    .execute();
  return procedures.length;
}
