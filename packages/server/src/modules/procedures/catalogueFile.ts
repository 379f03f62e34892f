/**
 * The demo reference catalogue kept as JSON under `packages/server/seed/`: sectors (lĩnh vực),
 * commune-level procedures (thủ tục hành chính cấp xã) with their citizen forms, and the villages
 * (thôn/ấp/khu phố) of Bù Đốp. This module owns the file format: zod schemas for each file and
 * a loader that reads and validates them, then cross-checks them against each other.
 *
 * Every string must already be NFC-normalised (see DESIGN.md, "Vietnamese text"); the loader
 * rejects a file rather than silently normalising it, so what is in git is what is served.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

// ---- building blocks -------------------------------------------------------------------------

/** Non-empty, trimmed, NFC-normalised text. */
const Text = z
  .string()
  .min(1)
  .refine((s) => s === s.trim(), { message: 'must not start or end with spaces' })
  .refine((s) => s === s.normalize('NFC'), { message: 'must be NFC-normalised Unicode' });

/** Identifier used in code and in submitted data: `childFullName`. */
const FieldKey = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'must be camelCase letters and digits');
/** Machine value of a choice option: `never_married`. */
const OptionValue = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case');

/** National procedure code, e.g. `1.001193`. */
export const ProcedureCodeSchema = z.string().regex(/^\d\.\d{6}$/, 'must look like 1.001193');
/** GSO commune code (5 digits, kept as a string). */
const CommuneCode = z.string().regex(/^\d{5}$/, 'must be a 5-digit GSO commune code');

export const SECTOR_CODE_PATTERN = /^[A-Z]{2,6}$/;

export const LIFE_EVENTS = [
  'birth',
  'marriage',
  'death',
  'family',
  'residence',
  'certification',
  'social_support',
  'disability',
  'poverty',
  'health_insurance',
  'land',
  'agriculture',
  'business',
  'religion',
  'culture',
  'recognition',
  'veterans',
] as const;
export const LifeEventSchema = z.enum(LIFE_EVENTS);
export type LifeEvent = z.infer<typeof LifeEventSchema>;

export const DOCUMENT_MIME_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;

// ---- form fields (one question per page in the citizen portal) ------------------------------

const fieldBase = {
  key: FieldKey,
  labelVi: Text,
  labelEn: Text,
  required: z.boolean(),
  hintVi: Text.optional(),
  hintEn: Text.optional(),
};

export const TextFieldSchema = z
  .strictObject({
    ...fieldBase,
    type: z.literal('text'),
    maxLength: z.int().min(1).max(5000),
    minLength: z.int().min(0).optional(),
    multiline: z.boolean().optional(),
  })
  .refine((f) => f.minLength === undefined || f.minLength <= f.maxLength, {
    message: 'minLength must not exceed maxLength',
    path: ['minLength'],
  });

export const DateFieldSchema = z.strictObject({
  ...fieldBase,
  type: z.literal('date'),
  /** The date cannot be later than today (dates of birth, of death...). */
  notInFuture: z.boolean().optional(),
});

export const ChoiceOptionSchema = z.strictObject({
  value: OptionValue,
  labelVi: Text,
  labelEn: Text,
});

export const ChoiceFieldSchema = z
  .strictObject({
    ...fieldBase,
    type: z.literal('choice'),
    options: z.array(ChoiceOptionSchema).min(2),
    multiple: z.boolean().optional(),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.options.forEach((o, i) => {
      if (seen.has(o.value)) {
        ctx.addIssue({ code: 'custom', message: `duplicate option value "${o.value}"`, path: ['options', i, 'value'] });
      }
      seen.add(o.value);
    });
  });

export const AddressFieldSchema = z.strictObject({
  ...fieldBase,
  type: z.literal('address'),
  /** The finest unit the citizen picks; `village` = thôn/ấp/khu phố. */
  depth: z.enum(['province', 'district', 'commune', 'village']),
});

export const DocumentFieldSchema = z.strictObject({
  ...fieldBase,
  type: z.literal('document'),
  accept: z.array(z.enum(DOCUMENT_MIME_TYPES)).min(1),
  maxSizeMb: z.number().positive().max(50).optional(),
});

export const NumberFieldSchema = z
  .strictObject({
    ...fieldBase,
    type: z.literal('number'),
    integer: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    unitVi: Text.optional(),
    unitEn: Text.optional(),
  })
  .refine((f) => f.min === undefined || f.max === undefined || f.min <= f.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

export const PhoneFieldSchema = z.strictObject({ ...fieldBase, type: z.literal('phone') });

export const IdNumberFieldSchema = z.strictObject({
  ...fieldBase,
  type: z.literal('id_number'),
});

export const FormFieldSchema = z.discriminatedUnion('type', [
  TextFieldSchema,
  DateFieldSchema,
  ChoiceFieldSchema,
  AddressFieldSchema,
  DocumentFieldSchema,
  NumberFieldSchema,
  PhoneFieldSchema,
  IdNumberFieldSchema,
]);
export type FormField = z.infer<typeof FormFieldSchema>;
export type FormFieldType = FormField['type'];

// ---- the three files -------------------------------------------------------------------------

export const SectorSchema = z.strictObject({
  code: z.string().regex(SECTOR_CODE_PATTERN, 'must be 2–6 capital letters'),
  nameVi: Text,
  nameEn: Text,
});
export type SectorSeed = z.infer<typeof SectorSchema>;

export const FeeSchema = z.strictObject({
  nameVi: Text,
  nameEn: Text,
  /** Whole đồng. */
  amount: z.int().min(0),
  /** What the amount is charged per; absent = per dossier. */
  per: z.enum(['case', 'copy', 'page']).optional(),
});
export type FeeSeed = z.infer<typeof FeeSchema>;

export const RequiredDocumentSchema = z.strictObject({
  nameVi: Text,
  nameEn: Text,
  copies: z.int().min(1).max(20),
  /** true = the original (bản chính) must be shown or handed in. */
  original: z.boolean(),
});

export const SlaSchema = z.strictObject({
  value: z.int().min(1),
  unit: z.enum(['working_days', 'working_hours']),
});

export const ProcedureSchema = z
  .strictObject({
    code: ProcedureCodeSchema,
    nameVi: Text,
    nameEn: Text,
    sector: z.string().regex(SECTOR_CODE_PATTERN, 'must be a sector code'),
    level: z.literal('commune'),
    onlineLevel: z.enum(['full', 'partial']),
    sla: SlaSchema,
    fees: z.array(FeeSchema),
    requiredDocuments: z.array(RequiredDocumentSchema).min(1),
    eligibilityVi: Text,
    eligibilityEn: Text,
    lifeEvents: z.array(LifeEventSchema).min(1),
    form: z.array(FormFieldSchema).min(1),
  })
  .superRefine((p, ctx) => {
    const keys = new Set<string>();
    p.form.forEach((f, i) => {
      if (keys.has(f.key)) {
        ctx.addIssue({ code: 'custom', message: `duplicate form key "${f.key}"`, path: ['form', i, 'key'] });
      }
      keys.add(f.key);
    });
    const events = new Set<string>();
    p.lifeEvents.forEach((e, i) => {
      if (events.has(e)) ctx.addIssue({ code: 'custom', message: `duplicate life event "${e}"`, path: ['lifeEvents', i] });
      events.add(e);
    });
  });
export type ProcedureSeed = z.infer<typeof ProcedureSchema>;

export const VillageSchema = z
  .strictObject({
    communeCode: CommuneCode,
    code: z.string().regex(/^\d{5}-\d{2}$/, 'must look like 25309-01'),
    name: Text,
    type: z.enum(['ap', 'thon', 'khu_pho', 'soc']),
  })
  .refine((v) => v.code.startsWith(`${v.communeCode}-`), {
    message: 'must start with its communeCode followed by "-"',
    path: ['code'],
  });
export type VillageSeed = z.infer<typeof VillageSchema>;

/** Adds an issue for every repeated `key(item)`, at `[index, ...field]`. */
function uniqueBy<T>(what: string, key: (item: T) => string, field: string) {
  return (items: T[], ctx: z.RefinementCtx): void => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const first = seen.get(k);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', message: `duplicate ${what} "${k}" (first at [${first}])`, path: [i, field] });
      } else {
        seen.set(k, i);
      }
    });
  };
}

export const SectorFileSchema = z
  .array(SectorSchema)
  .min(1)
  .superRefine(uniqueBy<SectorSeed>('sector code', (s) => s.code, 'code'));
export const ProcedureFileSchema = z
  .array(ProcedureSchema)
  .min(1)
  .superRefine(uniqueBy<ProcedureSeed>('procedure code', (p) => p.code, 'code'));
export const VillageFileSchema = z
  .array(VillageSchema)
  .superRefine(uniqueBy<VillageSeed>('village code', (v) => v.code, 'code'));

// ---- loading ---------------------------------------------------------------------------------

export const CATALOGUE_FILES = {
  sectors: 'sectors.json',
  procedures: 'procedures.json',
  villages: 'villages.json',
} as const;

export interface CatalogueProblem {
  /** e.g. `[3].form[2].key`; empty for the whole file. */
  path: string;
  message: string;
}

/** A catalogue file could not be read or is invalid. The message names the file and each bad field. */
export class CatalogueFileError extends Error {
  readonly file: string;
  readonly problems: readonly CatalogueProblem[];

  constructor(file: string, problems: readonly CatalogueProblem[]) {
    super(`${file}: invalid catalogue file\n${problems.map((p) => `  ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
    this.name = 'CatalogueFileError';
    this.file = file;
    this.problems = problems;
  }
}

/** `[3, 'form', 2, 'key']` → `[3].form[2].key` */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const name = typeof seg === 'symbol' ? seg.toString() : seg;
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

function readJson(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CatalogueFileError(file, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new CatalogueFileError(file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

/** The `code` of the array item an issue is in, to help a person find it in the file. */
function itemCode(data: unknown, path: readonly PropertyKey[]): string | undefined {
  const index = path[0];
  if (!Array.isArray(data) || typeof index !== 'number') return undefined;
  const item: unknown = data[index];
  if (item === null || typeof item !== 'object' || !('code' in item)) return undefined;
  return typeof item.code === 'string' ? item.code : undefined;
}

function parseFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const data = readJson(file);
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new CatalogueFileError(
      file,
      result.error.issues.map((issue) => {
        const code = itemCode(data, issue.path);
        return {
          path: formatIssuePath(issue.path),
          message: code === undefined ? issue.message : `${issue.message} (item with code ${code})`,
        };
      }),
    );
  }
  return result.data;
}

export interface Catalogue {
  sectors: SectorSeed[];
  procedures: ProcedureSeed[];
  villages: VillageSeed[];
}

/**
 * Reads `sectors.json`, `procedures.json` and `villages.json` from `dir`, validates each one and
 * checks them against each other (every procedure's sector exists). Throws `CatalogueFileError`.
 */
export function loadCatalogueFiles(dir: string): Catalogue {
  const sectorsFile = join(dir, CATALOGUE_FILES.sectors);
  const proceduresFile = join(dir, CATALOGUE_FILES.procedures);
  const villagesFile = join(dir, CATALOGUE_FILES.villages);

  const sectors = parseFile(sectorsFile, SectorFileSchema);
  const procedures = parseFile(proceduresFile, ProcedureFileSchema);
  const villages = parseFile(villagesFile, VillageFileSchema);

  const sectorCodes = new Set(sectors.map((s) => s.code));
  const problems: CatalogueProblem[] = [];
  procedures.forEach((p, i) => {
    if (!sectorCodes.has(p.sector)) {
      problems.push({
        path: `[${i}].sector`,
        message: `unknown sector "${p.sector}" (procedure ${p.code}); not in ${CATALOGUE_FILES.sectors}`,
      });
    }
  });
  if (problems.length > 0) throw new CatalogueFileError(proceduresFile, problems);

  return { sectors, procedures, villages };
}
