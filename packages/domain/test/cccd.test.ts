import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CCCD_PROVINCES, centuryDigit, centuryOf, checkBirthDate, checkCccd } from '../src/cccd.ts';

const provinceCodes = Object.keys(CCCD_PROVINCES);

/** A number built the way the police build it, for a person born on `birthDate`. */
function numberFor(province: string, birthDate: string, sex: 'male' | 'female', serial: number): string {
  const year = Number(birthDate.slice(0, 4));
  return `${province}${centuryDigit(year, sex)}${String(year % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

const birthDates = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('CCCD numbers', () => {
  it('lists the 63 provinces of birth, with Bình Phước 070 and Đồng Nai 075', () => {
    assert.equal(provinceCodes.length, 63);
    assert.equal(CCCD_PROVINCES['070'], 'Bình Phước');
    assert.equal(CCCD_PROVINCES['075'], 'Đồng Nai');
    assert.equal(CCCD_PROVINCES['003'], undefined);
  });

  it('reads a man born in Bình Phước in 1990', () => {
    const r = checkCccd('070 090 001 234', '1990-04-12');
    assert.ok(r.ok);
    assert.deepEqual(r.parts, { number: '070090001234', provinceCode: '070', provinceName: 'Bình Phước', sex: 'male', century: 1900, birthYear: 1990 });
  });

  it('reads a woman born in 2003 from her century digit 3', () => {
    const r = checkCccd('075303000567', '2003-01-20');
    assert.ok(r.ok);
    assert.equal(r.parts.sex, 'female');
    assert.equal(r.parts.birthYear, 2003);
  });

  it('refuses anything that is not 12 digits', () => {
    for (const bad of ['', '07009000123', '0700900012345', '07009000123a', '070-090-00123x'])
      assert.deepEqual(checkCccd(bad), { ok: false, problems: ['cccd.format'] }, bad);
  });

  it('refuses a province code that does not exist', () => {
    assert.deepEqual(checkCccd('003090001234', '1990-01-01'), { ok: false, problems: ['cccd.province_unknown'] });
    assert.deepEqual(checkCccd('097090001234'), { ok: false, problems: ['cccd.province_unknown'] });
  });

  it('refuses a number whose century or year digits disagree with the date of birth', () => {
    assert.deepEqual(checkCccd('070290001234', '1990-04-12'), { ok: false, problems: ['cccd.century_mismatch'] });
    assert.deepEqual(checkCccd('070091001234', '1990-04-12'), { ok: false, problems: ['cccd.birth_year_mismatch'] });
    assert.deepEqual(checkCccd('003291001234', '1990-04-12'), { ok: false, problems: ['cccd.province_unknown', 'cccd.century_mismatch', 'cccd.birth_year_mismatch'] });
  });

  it('maps century digits both ways: 0/1 the 1900s, 2/3 the 2000s, 4/5 the 2100s', () => {
    assert.deepEqual(centuryOf(0), { century: 1900, sex: 'male' });
    assert.deepEqual(centuryOf(1), { century: 1900, sex: 'female' });
    assert.deepEqual(centuryOf(2), { century: 2000, sex: 'male' });
    assert.deepEqual(centuryOf(5), { century: 2100, sex: 'female' });
    assert.throws(() => centuryDigit(1899, 'male'), RangeError);
  });

  it('accepts every number built from a real province, sex and date of birth (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...provinceCodes), birthDates, fc.constantFrom('male' as const, 'female' as const), fc.integer({ min: 0, max: 999_999 }), (p, birth, sex, serial) => {
        const r = checkCccd(numberFor(p, birth, sex, serial), birth);
        return r.ok && r.parts.sex === sex && r.parts.birthYear === Number(birth.slice(0, 4)) && r.parts.provinceCode === p;
      }),
    );
  });

  it('refuses a valid number checked against any other birth year (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...provinceCodes), birthDates, birthDates, (p, birth, other) => {
        fc.pre(birth.slice(0, 4) !== other.slice(0, 4));
        const r = checkCccd(numberFor(p, birth, 'female', 42), other);
        return !r.ok && r.problems.every((x) => x === 'cccd.century_mismatch' || x === 'cccd.birth_year_mismatch');
      }),
    );
  });
});

describe('dates of birth', () => {
  it('accepts a real date typed as day, month and year', () => {
    assert.deepEqual(checkBirthDate('1', '5', '2003', '2026-11-25'), { ok: true, date: '2003-05-01' });
  });
  it('refuses dates that do not exist, are in the future or before 1900', () => {
    assert.deepEqual(checkBirthDate('31', '2', '2003', '2026-11-25'), { ok: false, problem: 'birth_date.invalid' });
    assert.deepEqual(checkBirthDate('', '2', '2003', '2026-11-25'), { ok: false, problem: 'birth_date.invalid' });
    assert.deepEqual(checkBirthDate('1', '1', '03', '2026-11-25'), { ok: false, problem: 'birth_date.invalid' });
    assert.deepEqual(checkBirthDate('26', '11', '2026', '2026-11-25'), { ok: false, problem: 'birth_date.future' });
    assert.deepEqual(checkBirthDate('31', '12', '1899', '2026-11-25'), { ok: false, problem: 'birth_date.too_old' });
  });
});
