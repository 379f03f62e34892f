import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMobile, readCode, readPasswordChoice, readSignupDetails, safeNext } from '../../src/modules/people/forms.ts';

const TODAY = '2026-11-25';
const good = { idNumber: '070 090 001 234', fullName: '  Nông  Văn Tuấn ', birth_day: '12', birth_month: '4', birth_year: '1990', phone: '+84 912 000 001' };

describe('account forms', () => {
  it('reads the details as typed: spaces in the ID, +84 phones, names tidied', () => {
    assert.deepEqual(readSignupDetails(good, TODAY), { ok: true, details: { idNumber: '070090001234', fullName: 'Nông Văn Tuấn', birthDate: '1990-04-12', phone: '0912000001' } });
  });

  it('says what is wrong with each field at once', () => {
    const r = readSignupDetails({ idNumber: '070290001234', fullName: 'N0ng V4n', birth_day: '31', birth_month: '2', birth_year: '1990', phone: '0212345678' }, TODAY);
    // With no real date of birth the ID number's year digits cannot be checked yet.
    assert.deepEqual(r, { ok: false, errors: { fullName: 'account.error.name_invalid', birth_day: 'account.error.birth_invalid', phone: 'account.error.phone_invalid' } });
    const r2 = readSignupDetails({ ...good, idNumber: '070290001234' }, TODAY);
    assert.deepEqual(r2, { ok: false, errors: { idNumber: 'account.error.cccd_birth' } });
    const r3 = readSignupDetails({ ...good, idNumber: '003090001234' }, TODAY);
    assert.deepEqual(r3, { ok: false, errors: { idNumber: 'account.error.cccd_province' } });
    assert.deepEqual(readSignupDetails({}, TODAY), { ok: false, errors: { idNumber: 'form.error.required', fullName: 'account.error.name_required', birth_day: 'account.error.birth_invalid', phone: 'form.error.required' } });
  });

  it('accepts names of every community, with apostrophes and hyphens', () => {
    for (const fullName of ["K'Brơi", 'Điểu Brah', 'Thị Hồng', 'Nguyễn-Lê Thị Ánh']) assert.ok(readSignupDetails({ ...good, fullName }, TODAY).ok, fullName);
  });

  it('knows Vietnamese mobile numbers', () => {
    assert.equal(parseMobile('0912 345 678'), '0912345678');
    assert.equal(parseMobile('84987654321'), '0987654321');
    assert.equal(parseMobile('0312.345.678'), '0312345678');
    assert.equal(parseMobile('0212345678'), null, 'landline prefix');
    assert.equal(parseMobile('091234567'), null);
  });

  it('asks for a password only when one was chosen, at least 8 characters, typed twice alike', () => {
    assert.deepEqual(readPasswordChoice({ method: 'sms' }), { ok: true, method: 'sms', password: null });
    assert.deepEqual(readPasswordChoice({ method: 'password', password: 'ngan', passwordConfirm: 'ngan' }), { ok: false, errors: { password: 'account.error.password_short' } });
    assert.deepEqual(readPasswordChoice({ method: 'password', password: 'dai du roi', passwordConfirm: 'khac' }), { ok: false, errors: { passwordConfirm: 'account.error.password_mismatch' } });
    assert.deepEqual(readPasswordChoice({}), { ok: false, errors: { method: 'account.error.method_required' } });
  });

  it('reads a 6-digit code, forgiving spaces', () => {
    assert.equal(readCode({ code: '123 456' }), '123456');
    assert.equal(readCode({ code: '12345' }), null);
    assert.equal(readCode({ code: '12345a' }), null);
  });

  it('follows next= only to a path on this site', () => {
    assert.equal(safeNext('/apply/1.001193'), '/apply/1.001193');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/\nLocation: x', undefined, 42]) assert.equal(safeNext(bad), '/my', String(bad));
  });
});
