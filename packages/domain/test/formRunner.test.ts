import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SUBMIT_TO_KEY,
  checkAnswer,
  isComplete,
  isPersonalField,
  missingRequired,
  nextQuestion,
  parseLocalNumber,
  previousQuestion,
  progressOf,
  questionsOf,
  receivingAddressKey,
  resumePoint,
  type AnswerCheck,
  type Answers,
  type FormFieldDef,
} from '../src/formRunner.ts';

const TODAY = '2026-11-25';

/** A birth registration, cut down: the shapes come from packages/server/seed/procedures.json. */
const BIRTH: FormFieldDef[] = [
  { key: 'childFullName', type: 'text', required: true, maxLength: 100, minLength: 2, labelVi: 'Họ tên của trẻ', labelEn: "Child's full name" },
  {
    key: 'childSex',
    type: 'choice',
    required: true,
    labelVi: 'Giới tính',
    labelEn: 'Sex',
    options: [
      { value: 'male', labelVi: 'Nam', labelEn: 'Male' },
      { value: 'female', labelVi: 'Nữ', labelEn: 'Female' },
    ],
  },
  { key: 'childBirthDate', type: 'date', required: true, notInFuture: true, labelVi: 'Ngày sinh', labelEn: 'Date of birth' },
  { key: 'fatherIdNumber', type: 'id_number', required: false, labelVi: 'Số CCCD của cha', labelEn: "Father's ID number" },
  { key: 'residence', type: 'address', depth: 'village', required: true, labelVi: 'Nơi cư trú', labelEn: 'Residence' },
  { key: 'birthCertificate', type: 'document', accept: ['image/jpeg', 'application/pdf'], required: true, labelVi: 'Giấy chứng sinh', labelEn: 'Birth notice' },
  { key: 'copies', type: 'number', integer: true, min: 1, max: 10, required: false, labelVi: 'Số bản sao', labelEn: 'Copies' },
  { key: 'applicantPhone', type: 'phone', required: true, labelVi: 'Số điện thoại', labelEn: 'Phone' },
];
const field = (key: string): FormFieldDef => {
  const f = BIRTH.find((x) => x.key === key);
  if (!f) throw new Error(key);
  return f;
};
const check = (key: string, raw: Parameters<typeof checkAnswer>[1]): AnswerCheck => checkAnswer(field(key), raw, { today: TODAY });
const errorOf = (c: AnswerCheck) => (c.ok ? null : c.error.key);

const HUNG_PHUOC = {
  units: [
    { code: '75', name: 'Tỉnh Đồng Nai', level: 'province' as const },
    { code: '25309', name: 'Xã Hưng Phước', level: 'commune' as const },
    { code: '25309-01', name: 'Ấp Phước Tiến', level: 'village' as const },
  ],
  complete: true,
};

const ALL_ANSWERED: Answers = {
  childFullName: 'Điểu Thị Mai',
  childSex: 'female',
  childBirthDate: '2026-11-20',
  fatherIdNumber: null,
  residence: HUNG_PHUOC,
  birthCertificate: ['giay-chung-sinh.jpg'],
  copies: 2,
  applicantPhone: '0912345678',
};

describe('form runner: the pages of a form', () => {
  it('asks a form with an address exactly its own questions, in order', () => {
    assert.deepEqual(questionsOf(BIRTH).map((q) => q.key), BIRTH.map((q) => q.key));
    assert.equal(receivingAddressKey(questionsOf(BIRTH)), 'residence');
  });

  it('first asks where to submit when the form has no address', () => {
    const form = BIRTH.filter((f) => f.type !== 'address');
    const questions = questionsOf(form);
    assert.equal(questions[0]?.key, SUBMIT_TO_KEY);
    assert.equal(questions.length, form.length + 1);
    assert.equal(receivingAddressKey(questions), SUBMIT_TO_KEY);
    const q = questions[0];
    assert.ok(q?.type === 'address' && q.depth === 'commune' && q.required);
  });

  it('goes forward and back one page at a time, and ends on "check your answers"', () => {
    assert.equal(nextQuestion(BIRTH, 'childFullName')?.key, 'childSex');
    assert.equal(nextQuestion(BIRTH, 'applicantPhone'), null);
    assert.equal(previousQuestion(BIRTH, 'childSex')?.key, 'childFullName');
    assert.equal(previousQuestion(BIRTH, 'childFullName'), null);
    assert.equal(nextQuestion(BIRTH, 'noSuchQuestion'), null);
  });

  it('seals ID numbers, phone numbers and dates of birth, and nothing else', () => {
    assert.deepEqual(BIRTH.filter(isPersonalField).map((f) => f.key), ['childBirthDate', 'fatherIdNumber', 'applicantPhone']);
  });
});

describe('form runner: one answer', () => {
  it('tidies text and keeps it within its length', () => {
    assert.deepEqual(check('childFullName', '  Điểu   Thị Mai '), { ok: true, value: 'Điểu Thị Mai' });
    assert.equal(check('childFullName', 'Điểu Thị Mai'.normalize('NFD')).ok && (check('childFullName', 'Điểu Thị Mai'.normalize('NFD')) as { value: string }).value, 'Điểu Thị Mai'.normalize('NFC'));
    assert.deepEqual(check('childFullName', 'M'), { ok: false, error: { key: 'apply.error.text_too_short', params: { min: 2 } } });
    assert.deepEqual(check('childFullName', 'x'.repeat(101)), { ok: false, error: { key: 'apply.error.text_too_long', params: { max: 100 } } });
    assert.equal(errorOf(check('childFullName', '   ')), 'apply.error.text_required');
  });

  it('takes a date as day, month and year, and refuses one in the future when it must not be', () => {
    assert.deepEqual(check('childBirthDate', { day: '5', month: '9', year: '2026' }), { ok: true, value: '2026-09-05' });
    assert.equal(errorOf(check('childBirthDate', { day: '26', month: '11', year: '2026' })), 'apply.error.date_future');
    assert.equal(check('childBirthDate', { day: '25', month: '11', year: '2026' }).ok, true, 'today is not the future');
    assert.equal(errorOf(check('childBirthDate', { day: '30', month: '2', year: '2024' })), 'apply.error.date_invalid');
    assert.equal(errorOf(check('childBirthDate', { day: '12', month: '', year: '2024' })), 'apply.error.date_incomplete');
    assert.equal(errorOf(check('childBirthDate', { day: 'mười', month: '2', year: '2024' })), 'apply.error.date_invalid');
    assert.equal(errorOf(check('childBirthDate', { day: '1', month: '2', year: '24' })), 'apply.error.date_year_four_digits');
    assert.equal(errorOf(check('childBirthDate', { day: '1', month: '2', year: '1850' })), 'apply.error.date_too_old');
    assert.equal(errorOf(check('childBirthDate', {})), 'apply.error.date_required');
    assert.equal(check('childBirthDate', { day: '29', month: '2', year: '2024' }).ok, true, 'a leap day');
  });

  it('accepts only the offered choices, one unless several are allowed', () => {
    assert.deepEqual(check('childSex', 'female'), { ok: true, value: 'female' });
    assert.equal(errorOf(check('childSex', 'other')), 'apply.error.choice_invalid');
    assert.equal(errorOf(check('childSex', ['male', 'female'])), 'apply.error.choice_one');
    assert.equal(errorOf(check('childSex', undefined)), 'apply.error.choice_required');
    const several: FormFieldDef = { ...(field('childSex') as Extract<FormFieldDef, { type: 'choice' }>), multiple: true };
    assert.deepEqual(checkAnswer(several, ['female', 'male', 'female'], { today: TODAY }), { ok: true, value: ['male', 'female'] });
  });

  it('reads numbers written the Vietnamese way', () => {
    assert.equal(parseLocalNumber('1.500'), 1500);
    assert.equal(parseLocalNumber('2,5'), 2.5);
    assert.equal(parseLocalNumber('2.5'), 2.5);
    assert.equal(parseLocalNumber('12 000'), 12000);
    assert.equal(parseLocalNumber('hai'), null);
    assert.deepEqual(check('copies', '3'), { ok: true, value: 3 });
    assert.equal(errorOf(check('copies', '2,5')), 'apply.error.number_whole');
    assert.deepEqual(check('copies', '0'), { ok: false, error: { key: 'apply.error.number_min', params: { min: 1 } } });
    assert.deepEqual(check('copies', '11'), { ok: false, error: { key: 'apply.error.number_max', params: { max: 10 } } });
    assert.equal(errorOf(check('copies', 'ba')), 'apply.error.number_invalid');
  });

  it('stores a mobile number as 0xxxxxxxxx and refuses anything else', () => {
    assert.deepEqual(check('applicantPhone', '+84 912 345 678'), { ok: true, value: '0912345678' });
    assert.deepEqual(check('applicantPhone', '0912.345.678'), { ok: true, value: '0912345678' });
    assert.equal(errorOf(check('applicantPhone', '091234567')), 'apply.error.phone_invalid');
    assert.equal(errorOf(check('applicantPhone', '0212345678')), 'apply.error.phone_invalid', 'a landline cannot receive the SMS');
    assert.equal(errorOf(check('applicantPhone', '')), 'apply.error.phone_required');
  });

  it('checks an ID number has 12 digits starting with a province code', () => {
    assert.deepEqual(check('fatherIdNumber', '070 203 001 234'), { ok: true, value: '070203001234' });
    assert.equal(errorOf(check('fatherIdNumber', '07020300123')), 'apply.error.id_number_length');
    assert.equal(errorOf(check('fatherIdNumber', '0702O3001234')), 'apply.error.id_number_digits');
    assert.equal(errorOf(check('fatherIdNumber', '999203001234')), 'apply.error.id_number_province');
  });

  it('lets an optional question be skipped, stored as null', () => {
    assert.deepEqual(check('fatherIdNumber', ''), { ok: true, value: null });
    assert.deepEqual(check('copies', undefined), { ok: true, value: null });
  });

  it('needs an address picked down to the finest level there is', () => {
    assert.equal(check('residence', HUNG_PHUOC).ok, true);
    assert.equal(errorOf(check('residence', { units: HUNG_PHUOC.units.slice(0, 2), complete: false })), 'apply.error.address_incomplete');
    assert.equal(errorOf(check('residence', { units: [], complete: false })), 'apply.error.address_required');
  });

  it('needs at least one paper for a required document', () => {
    assert.deepEqual(check('birthCertificate', ['a.jpg', 'b.pdf']), { ok: true, value: ['a.jpg', 'b.pdf'] });
    assert.equal(errorOf(check('birthCertificate', [])), 'apply.error.document_required');
  });
});

describe('form runner: the whole form', () => {
  it('is complete when every required question holds an answer', () => {
    assert.equal(isComplete(BIRTH, ALL_ANSWERED, TODAY), true);
    assert.deepEqual(missingRequired(BIRTH, { ...ALL_ANSWERED, childSex: undefined, birthCertificate: null }, TODAY).map((q) => q.key), ['childSex', 'birthCertificate']);
  });

  it('does not count an optional question that was skipped as missing', () => {
    assert.deepEqual(missingRequired(BIRTH, { ...ALL_ANSWERED, copies: null, fatherIdNumber: null }, TODAY), []);
  });

  it('resumes at the first page not yet answered, even after a skipped optional one', () => {
    const soFar: Answers = { childFullName: 'Điểu Thị Mai', childSex: 'female', childBirthDate: '2026-11-20', fatherIdNumber: null };
    assert.equal(resumePoint(BIRTH, soFar, TODAY)?.key, 'residence');
    assert.deepEqual(progressOf(BIRTH, soFar, TODAY), { answered: 4, total: BIRTH.length });
    assert.equal(resumePoint(BIRTH, ALL_ANSWERED, TODAY), null, 'all done: check your answers next');
  });

  it('asks again when a stored answer no longer holds', () => {
    // An address saved half-way (the connection dropped between the commune and the village).
    const half: Answers = { ...ALL_ANSWERED, residence: { units: HUNG_PHUOC.units.slice(0, 2), complete: false } };
    assert.equal(resumePoint(BIRTH, half, TODAY)?.key, 'residence');
    // A number that the definition now caps lower.
    assert.equal(resumePoint(BIRTH, { ...ALL_ANSWERED, copies: 12 }, TODAY)?.key, 'copies');
    // A birth date entered "today" a while ago is still fine later.
    assert.equal(isComplete(BIRTH, ALL_ANSWERED, '2027-01-01'), true);
  });
});
