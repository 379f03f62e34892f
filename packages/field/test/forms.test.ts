import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressFieldDef, FormFieldDef } from '@causo/domain';
import { addressFromVillage, checkAll, communesOf, documentShas, questionsOf } from '../src/apply/formModel.ts';
import { changedFields, residentDraftOf, residentErrors, residentFieldsOf } from '../src/screens/residentForm.ts';
import { scaledSize } from '../src/lib/photo.ts';
import { fixedInput, type Fix } from '../src/screens/fixInput.ts';
import { STEP_CARDS } from '../src/cards/content.ts';
import { vi } from '../src/i18n/vi.ts';
import { en } from '../src/i18n/en.ts';

const VILLAGE = { code: '25309-04', name: 'Ấp Thủy Đông', communeCode: '25309', communeName: 'Xã Thiện Hưng' };
const FORM: FormFieldDef[] = [
  { key: 'headName', type: 'text', labelVi: 'Chủ hộ', labelEn: 'Head', required: true, maxLength: 100 },
  { key: 'size', type: 'number', labelVi: 'Số người', labelEn: 'People', required: true, integer: true, min: 1, max: 30 },
  { key: 'residence', type: 'address', labelVi: 'Nơi ở', labelEn: 'Residence', required: true, depth: 'village' },
  { key: 'phone', type: 'phone', labelVi: 'Điện thoại', labelEn: 'Phone', required: true },
  { key: 'scan', type: 'document', labelVi: 'Ảnh', labelEn: 'Scan', required: false, accept: ['image/jpeg'] },
];

describe('assisted application form', () => {
  it('checks every answer with the portal rules and keeps the cleaned values', () => {
    const residence = addressFromVillage(FORM[2] as AddressFieldDef, VILLAGE);
    const { answers, errors } = checkAll(FORM, { headName: '  Lò  Văn Thử ', size: '4', residence, phone: '0912 345 678', scan: ['a'.repeat(64)] }, '2026-11-25');
    assert.deepEqual(errors, {});
    assert.equal(answers.headName, 'Lò Văn Thử');
    assert.equal(answers.size, '4', 'numbers travel as digits');
    assert.equal(answers.phone, '0912345678');
    assert.deepEqual(residence.units.map((u) => u.level), ['commune', 'village']);
    assert.deepEqual(documentShas(FORM, answers), ['a'.repeat(64)]);
  });

  it('reports what is missing or wrong as catalogue keys the app can word', () => {
    const { errors, answers } = checkAll(FORM, { headName: '', size: '0', phone: '12' }, '2026-11-25');
    assert.deepEqual(Object.fromEntries(Object.entries(errors).map(([k, e]) => [k, e.key])), {
      headName: 'apply.error.text_required',
      size: 'apply.error.number_min',
      residence: 'apply.error.address_required',
      phone: 'apply.error.phone_invalid',
    });
    assert.equal(answers.scan, null, 'an optional photo may be skipped');
    for (const e of Object.values(errors)) assert.ok(e.key in vi && e.key in en, e.key);
  });

  it('adds "where to submit" to a form without an address, answered from the member\'s communes', () => {
    const qs = questionsOf([FORM[0] as FormFieldDef]);
    assert.equal(qs[0]?.key, '_submitTo');
    const communes = communesOf([VILLAGE, { ...VILLAGE, code: '25309-05', name: 'Ấp 5' }]);
    assert.equal(communes.length, 1);
    assert.deepEqual(addressFromVillage(qs[0] as AddressFieldDef, VILLAGE).units, [{ code: '25309', name: 'Xã Thiện Hưng', level: 'commune' }]);
  });
});

describe('resident form', () => {
  it('turns the typed text into protocol fields and sends only what changed', () => {
    const d = residentDraftOf(null);
    const typed = { ...d, fullName: 'Lò Thị Mai', birthYear: '1990', phones: '0912 345 678, +84987654321', idNumber: '' };
    assert.deepEqual(Object.values(residentErrors(typed, 2026)).filter(Boolean), []);
    const fields = residentFieldsOf(typed, '0190a000-0000-7000-8000-0000000000aa');
    assert.deepEqual(fields.phones, ['0912345678', '0987654321']);
    assert.equal(fields.birthYear, 1990);
    assert.equal(fields.idNumber, null);
    assert.deepEqual(changedFields(fields, { ...fields, vneidLevel: 1 }), { vneidLevel: 1 });
  });

  it('refuses a short name, a wrong CCCD, a bad phone and a future year', () => {
    const d = { ...residentDraftOf(null), fullName: 'L', birthYear: '2031', idNumber: '12345', phones: '12345' };
    assert.deepEqual(residentErrors(d, 2026), { fullName: 'resident.error_name', birthYear: 'resident.error_year', birthDate: null, idNumber: 'resident.error_id', phones: 'resident.error_phone' });
  });
});

describe('small rules', () => {
  it('shrinks photos to 1280 px on the long side, never up', () => {
    assert.deepEqual(scaledSize(4000, 3000), { width: 1280, height: 960 });
    assert.deepEqual(scaledSize(800, 600), { width: 800, height: 600 });
  });

  it('has each step card in both languages with the same number of steps', () => {
    assert.deepEqual(STEP_CARDS.map((c) => c.slug), ['check-sim-1414', 'install-vneid', 'public-service-account', 'submit-application', 'pay-bill-online']);
    for (const c of STEP_CARDS) assert.equal(c.stepsVi.length, c.stepsEn.length, c.slug);
  });

  it('keeps the catalogues NFC and with the same placeholders', () => {
    for (const [k, v] of Object.entries(vi)) {
      assert.equal(v, v.normalize('NFC'), k);
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
      assert.equal(ph(v), ph(en[k as keyof typeof vi]), k);
    }
  });
});

describe('the correction of a refused envelope', () => {
  const env = (op: 'create' | 'update' | 'append', payload: Record<string, unknown>, entity: 'resident' | 'visit' = 'resident') =>
    ({ id: '0190a000-0000-7000-8000-000000000001', deviceId: 'd', memberId: 7, entity, op, entityId: '0190a000-0000-7000-8000-0000000000aa', baseVersion: op === 'update' ? 2 : null, occurredAt: '2026-11-25T02:00:00.000Z', payloadHash: 'x', payload }) as unknown as Fix['envelope'];
  const fix = (e: Fix['envelope']): Fix => ({ id: e.id, envelope: e, message: 'sai', files: [] });

  it('is a create again, of the same record, when a create was refused', () => {
    const input = fixedInput(fix(env('create', { fullName: 'A' })), { fullName: 'Lò Thị Mai', idNumber: '070190000123' }, {}, 0);
    assert.deepEqual(input, { entity: 'resident', op: 'create', entityId: '0190a000-0000-7000-8000-0000000000aa', baseVersion: null, payload: { fullName: 'Lò Thị Mai', idNumber: '070190000123' } });
  });

  it('is an update of the refused fields (corrected) and of what else changed, on the version known now', () => {
    const input = fixedInput(fix(env('update', { idNumber: '07019' })), { fullName: 'Lò Thị Mai', idNumber: '070190000123', ethnicity: 'Tày' }, { ethnicity: 'Tày' }, 5);
    assert.deepEqual(input, { entity: 'resident', op: 'update', entityId: '0190a000-0000-7000-8000-0000000000aa', baseVersion: 5, payload: { idNumber: '070190000123', ethnicity: 'Tày' } });
    assert.equal(fixedInput(fix(env('update', { fullName: 'x' })), { fullName: 'Lò' }, {}, 0).baseVersion, 1, 'a record not yet on the server: version 1');
  });

  it('is the same append with the corrected payload for a visit, blocker, follow-up or application', () => {
    const input = fixedInput(fix(env('append', { notes: '' }, 'visit')), { notes: 'ok', actions: ['installed_vneid'] }, {}, 0);
    assert.equal(input.op, 'append');
    assert.equal(input.entityId, '0190a000-0000-7000-8000-0000000000aa');
    assert.deepEqual(input.payload, { notes: 'ok', actions: ['installed_vneid'] });
  });
});
