import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CatalogueFileError,
  FormFieldSchema,
  formatIssuePath,
  loadCatalogueFiles,
  type Catalogue,
} from '../../src/modules/procedures/catalogueFile.ts';

const SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'seed');

/** The seven communes of Huyện Bù Đốp (693) in the 2022 GSO list. */
const BU_DOP_COMMUNES = ['25308', '25309', '25310', '25312', '25315', '25318', '25321'];

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

/** Copies the real seed files into a temp dir, letting `edit` change the parsed procedures first. */
function withBrokenCopy(edit: (procedures: Record<string, unknown>[]) => void, run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'causo-catalogue-'));
  try {
    for (const name of ['sectors.json', 'villages.json']) {
      writeFileSync(join(dir, name), readFileSync(join(SEED_DIR, name)));
    }
    const procedures = JSON.parse(readFileSync(join(SEED_DIR, 'procedures.json'), 'utf8')) as Record<string, unknown>[];
    edit(procedures);
    writeFileSync(join(dir, 'procedures.json'), JSON.stringify(procedures, null, 2));
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectCatalogueError(dir: string, ...needles: string[]): CatalogueFileError {
  let caught: unknown;
  try {
    loadCatalogueFiles(dir);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CatalogueFileError, `expected a CatalogueFileError, got ${String(caught)}`);
  assert.match(caught.message, /procedures\.json/);
  for (const needle of needles) assert.ok(caught.message.includes(needle), `message should mention ${needle}:\n${caught.message}`);
  return caught;
}

describe('seed catalogue files', () => {
  const catalogue: Catalogue = loadCatalogueFiles(SEED_DIR);
  const { sectors, procedures, villages } = catalogue;

  it('has 8–12 sectors and at least 15 commune procedures', () => {
    assert.ok(sectors.length >= 8 && sectors.length <= 12, `sectors: ${sectors.length}`);
    assert.ok(procedures.length >= 15, `procedures: ${procedures.length}`);
    assert.ok(procedures.every((p) => p.level === 'commune'));
  });

  it('has both online levels and at least two SLAs in working hours', () => {
    assert.ok(procedures.some((p) => p.onlineLevel === 'full'));
    assert.ok(procedures.some((p) => p.onlineLevel === 'partial'));
    assert.ok(procedures.filter((p) => p.sla.unit === 'working_hours').length >= 2);
  });

  it('includes the core civil-status, certification and residence procedures', () => {
    const codes = new Set(procedures.map((p) => p.code));
    for (const code of ['1.001193', '1.000894', '1.000656', '1.004873', '2.000815', '2.000884', '1.004222', '1.004194']) {
      assert.ok(codes.has(code), `missing ${code}`);
    }
    const birth = procedures.find((p) => p.code === '1.001193');
    assert.deepEqual(birth?.fees, [], 'on-time birth registration is free');
  });

  it('gives every Bù Đốp commune at least three villages, and no other commune', () => {
    for (const commune of BU_DOP_COMMUNES) {
      const count = villages.filter((v) => v.communeCode === commune).length;
      assert.ok(count >= 3, `${commune} has ${count} villages`);
    }
    assert.ok(villages.every((v) => BU_DOP_COMMUNES.includes(v.communeCode)));
    assert.ok(villages.filter((v) => v.communeCode === '25308').every((v) => v.type === 'khu_pho'), 'a thị trấn has khu phố');
  });

  it('keeps all text NFC-normalised', () => {
    const strings = allStrings(catalogue);
    assert.ok(strings.length > 500);
    const bad = strings.filter((s) => s !== s.normalize('NFC'));
    assert.deepEqual(bad, []);
    // Precomposed Vietnamese letters really are there (not stripped diacritics).
    assert.ok(strings.includes('Đăng ký khai sinh'));
    assert.ok(strings.includes('Ấp Phước Tiến'));
  });

  it('validates every form field with FormFieldSchema on its own', () => {
    for (const p of procedures) for (const f of p.form) assert.equal(FormFieldSchema.safeParse(f).success, true, `${p.code}.${f.key}`);
  });
});

describe('loadCatalogueFiles rejects a broken file', () => {
  it('names the file and the path of a bad field', () => {
    withBrokenCopy(
      (procs) => {
        const first = procs[0] as { sla: { unit: string } };
        first.sla.unit = 'fortnights';
      },
      (dir) => {
        const err = expectCatalogueError(dir, '[0].sla.unit');
        assert.ok(err.problems.some((p) => p.path === '[0].sla.unit'));
      },
    );
  });

  it('rejects a form field with an unknown type, naming the field', () => {
    withBrokenCopy(
      (procs) => {
        const form = (procs[2] as { form: Record<string, unknown>[] }).form;
        form[1] = { ...form[1], type: 'signature' };
      },
      (dir) => expectCatalogueError(dir, '[2].form[1].type'),
    );
  });

  it('rejects a denormalised (NFD) label', () => {
    withBrokenCopy(
      (procs) => {
        const first = procs[0] as { nameVi: string };
        first.nameVi = first.nameVi.normalize('NFD');
      },
      (dir) => expectCatalogueError(dir, '[0].nameVi', 'NFC'),
    );
  });

  it('rejects duplicate procedure codes and duplicate form keys', () => {
    withBrokenCopy(
      (procs) => {
        (procs[3] as { code: string }).code = (procs[0] as { code: string }).code;
        const form = (procs[1] as { form: { key: string }[] }).form;
        const firstKey = form[0]?.key ?? '';
        (form[2] as { key: string }).key = firstKey;
      },
      (dir) => expectCatalogueError(dir, '[3].code', 'duplicate procedure code', '[1].form[2].key', 'duplicate form key'),
    );
  });

  it('rejects a procedure whose sector does not exist', () => {
    withBrokenCopy(
      (procs) => {
        (procs[4] as { sector: string }).sector = 'XYZ';
      },
      (dir) => expectCatalogueError(dir, '[4].sector', 'XYZ'),
    );
  });

  it('rejects a village code that is not prefixed by its commune', () => {
    const dir = mkdtempSync(join(tmpdir(), 'causo-catalogue-'));
    try {
      for (const name of ['sectors.json', 'procedures.json']) writeFileSync(join(dir, name), readFileSync(join(SEED_DIR, name)));
      const villages = JSON.parse(readFileSync(join(SEED_DIR, 'villages.json'), 'utf8')) as { code: string }[];
      const v = villages[5];
      assert.ok(v);
      v.code = '25999-01';
      writeFileSync(join(dir, 'villages.json'), JSON.stringify(villages));
      assert.throws(
        () => loadCatalogueFiles(dir),
        (err: unknown) => err instanceof CatalogueFileError && /villages\.json/.test(err.message) && err.message.includes('[5].code'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats issue paths like property accessors', () => {
    assert.equal(formatIssuePath([3, 'form', 2, 'key']), '[3].form[2].key');
    assert.equal(formatIssuePath(['sla', 'unit']), 'sla.unit');
    assert.equal(formatIssuePath([]), '');
  });
});
