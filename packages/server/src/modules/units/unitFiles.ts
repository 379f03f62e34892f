/** Reading the administrative-unit reference files (GSO codes, read as strings). */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { normalizeText } from '@causo/domain';

const UnitRowSchema = z.object({
  code: z.string().regex(/^\d{2}$|^\d{3}$|^\d{5}$/, 'a GSO code has 2, 3 or 5 digits'),
  name: z.string().min(1),
  type: z.enum(['tinh', 'huyen', 'thi_xa', 'thanh_pho', 'xa', 'phuong', 'thi_tran', 'dac_khu']),
  parent_code: z.string(),
});
export type UnitRow = z.infer<typeof UnitRowSchema>;

const MappingRowSchema = z.object({
  old_code: z.string().regex(/^\d{5}$/),
  old_name: z.string(),
  new_code: z.string().regex(/^\d{5}$/),
  new_name: z.string(),
  kind: z.enum(['full', 'partial']),
});
export type MappingRow = z.infer<typeof MappingRowSchema>;

/** A small, strict CSV reader for our own reference files (no quoted fields occur in them). */
function readCsv<T>(path: string, schema: z.ZodType<T>): T[] {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines.shift() ?? '').split(',');
  return lines.map((line, i) => {
    const cells = line.split(',');
    const obj = Object.fromEntries(header.map((h, j) => [h, normalizeText(cells[j] ?? '')]));
    const parsed = schema.safeParse(obj);
    if (!parsed.success) throw new Error(`${path}: line ${i + 2}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return parsed.data;
  });
}

export const readUnitFile = (path: string) => readCsv(path, UnitRowSchema);
export const readMappingFile = (path: string) => readCsv(path, MappingRowSchema);

export function levelOfType(type: UnitRow['type']): 'province' | 'district' | 'commune' {
  if (type === 'tinh') return 'province';
  if (type === 'huyen' || type === 'thi_xa' || type === 'thanh_pho') return 'district';
  return 'commune';
}
