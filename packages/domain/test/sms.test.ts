import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isGsm7, smsLength } from '../src/sms.ts';

const gsmPlain = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-';
const plainText = (min: number, max: number) => fc.array(fc.constantFrom(...gsmPlain), { minLength: min, maxLength: max }).map((a) => a.join(''));

describe('SMS length', () => {
  it('sends unaccented Vietnamese as GSM-7: 160 characters in one SMS', () => {
    assert.deepEqual(smsLength('Ma xac nhan Cau So: 123456'), { encoding: 'GSM-7', parts: 1, length: 26, perPart: 160 });
    assert.equal(smsLength('a'.repeat(160)).parts, 1);
    assert.deepEqual(smsLength('a'.repeat(161)), { encoding: 'GSM-7', parts: 2, length: 161, perPart: 153 });
    assert.equal(smsLength('a'.repeat(306)).parts, 2);
    assert.equal(smsLength('a'.repeat(307)).parts, 3);
  });

  it('sends Vietnamese with diacritics as UCS-2: 70 characters in one SMS, 67 per part', () => {
    assert.equal(smsLength('Hưng Phước').encoding, 'UCS-2');
    assert.equal(smsLength('đ'.repeat(70)).parts, 1);
    assert.deepEqual(smsLength('đ'.repeat(71)), { encoding: 'UCS-2', parts: 2, length: 71, perPart: 67 });
    assert.equal(smsLength('ơ'.repeat(134)).parts, 2);
    assert.equal(smsLength('ơ'.repeat(135)).parts, 3);
  });

  it('keeps the accented letters that GSM has (à, è, é, ì, ò, ù) in GSM-7', () => {
    assert.equal(isGsm7('Cà Mau'), true);
    assert.equal(isGsm7('Bù Đốp'), false);
  });

  it('counts NFC: letters typed as base + combining mark cost the same as precomposed ones', () => {
    assert.deepEqual(smsLength('Hu\u031Bng'), smsLength('Hưng'));
  });

  it('counts GSM extension characters as two and never splits them across parts', () => {
    assert.equal(smsLength('€').length, 2);
    assert.equal(smsLength(`${'a'.repeat(152)}€${'a'.repeat(10)}`).parts, 2); // € would straddle: moved to part 2
    assert.equal(smsLength(`${'a'.repeat(152)}${'€'.repeat(77)}`).parts, 3);
  });

  it('counts an emoji as two UCS-2 units, not split across parts', () => {
    assert.equal(smsLength('😀').length, 2);
    assert.equal(smsLength(`${'ư'.repeat(66)}😀${'ư'.repeat(10)}`).parts, 2);
  });

  it('gives an empty text no parts', () => {
    assert.equal(smsLength('').parts, 0);
  });

  it('plain GSM text needs ceil(n / 153) parts beyond 160 (property)', () => {
    fc.assert(
      fc.property(plainText(0, 1200), (t) => {
        const r = smsLength(t);
        const expected = t.length === 0 ? 0 : t.length <= 160 ? 1 : Math.ceil(t.length / 153);
        return r.encoding === 'GSM-7' && r.length === t.length && r.parts === expected;
      }),
    );
  });

  it('one Vietnamese letter anywhere turns the whole text into UCS-2 (property)', () => {
    fc.assert(
      fc.property(plainText(0, 300), fc.constantFrom('ư', 'ơ', 'ă', 'â', 'đ', 'ệ', 'ố'), fc.nat(), (t, ch, at) => {
        const i = t.length ? at % t.length : 0;
        const text = t.slice(0, i) + ch + t.slice(i);
        const r = smsLength(text);
        return r.encoding === 'UCS-2' && r.parts === (text.length <= 70 ? 1 : Math.ceil(text.length / 67));
      }),
    );
  });

  it('a longer text never needs fewer parts (property)', () => {
    const mixed = (max: number) => fc.array(fc.constantFrom(...gsmPlain, 'ư', 'đ', 'ệ', '€', '[', '😀'), { maxLength: max }).map((a) => a.join(''));
    fc.assert(fc.property(mixed(400), mixed(60), (a, b) => smsLength(a + b).parts >= smsLength(a).parts));
  });
});
