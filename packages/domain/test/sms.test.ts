import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isGsm7, smsLength, toGsm7Text } from '../src/sms.ts';

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

describe('Vietnamese without diacritics for GSM-7 (toGsm7Text)', () => {
  // Every Vietnamese vowel with each of the six tones (none, huyền, sắc, hỏi, ngã, nặng).
  const VOWELS_WITH_TONES: Record<string, string> = {
    a: 'aàáảãạ ăằắẳẵặ âầấẩẫậ',
    e: 'eèéẻẽẹ êềếểễệ',
    i: 'iìíỉĩị',
    o: 'oòóỏõọ ôồốổỗộ ơờớởỡợ',
    u: 'uùúủũụ ưừứửữự',
    y: 'yỳýỷỹỵ',
  };

  it('writes the examples without marks', () => {
    assert.equal(toGsm7Text('Hưng Phước'), 'Hung Phuoc');
    assert.equal(toGsm7Text('Đồng Xoài'), 'Dong Xoai');
    assert.equal(toGsm7Text('Bù Đốp'), 'Bu Dop');
    assert.equal(toGsm7Text('Cầu Số: Đã nhận hồ sơ'), 'Cau So: Da nhan ho so');
    assert.equal(toGsm7Text('Mã xác nhận Cầu Số: 123456. Hết hạn sau 5 phút.'), 'Ma xac nhan Cau So: 123456. Het han sau 5 phut.');
  });

  it('maps every Vietnamese letter with every tone, lower and upper case, to its base letter', () => {
    let count = 0;
    for (const [base, letters] of Object.entries(VOWELS_WITH_TONES)) {
      for (const letter of letters.replace(/ /g, '')) {
        assert.equal(toGsm7Text(letter), base, letter);
        assert.equal(toGsm7Text(letter.toUpperCase()), base.toUpperCase(), letter.toUpperCase());
        assert.equal(toGsm7Text(letter.normalize('NFD')), base, `${letter} typed as base + combining marks`);
        count += 2;
      }
    }
    assert.equal(count, 2 * 12 * 6, 'a ă â e ê i o ô ơ u ư y × 6 tones × 2 cases');
    assert.equal(toGsm7Text('đĐ'), 'dD');
  });

  it('strips even the marks GSM has from Vietnamese letters, but keeps other GSM letters', () => {
    // "Cà Mau" would fit GSM-7 as it is; half-accented text reads worse than none.
    assert.equal(toGsm7Text('Cà Mau, Bà Rịa, Tây Ninh, Huế'), 'Ca Mau, Ba Ria, Tay Ninh, Hue');
    assert.equal(toGsm7Text('Müller Ñ Å ß Ø Δ € [ ] { } ~ ^ | \\'), 'Müller Ñ Å ß Ø Δ € [ ] { } ~ ^ | \\');
    assert.equal(toGsm7Text('@£$¥¿¡§\n\r'), '@£$¥¿¡§\n\r');
  });

  it('maps typographic punctuation and odd spaces to plain equivalents', () => {
    assert.equal(toGsm7Text('“Hồ sơ” ‘HS-1’ – đã nhận — xong…'), '"Ho so" \'HS-1\' - da nhan - xong...');
    assert.equal(toGsm7Text('Lệ phí:\u00a050.000\u202f₫'), 'Le phi: 50.000 d');
    assert.equal(toGsm7Text('a\tb\u2028c'), 'a b\nc');
    assert.equal(toGsm7Text('ＨＳ１２３ ç ş'), 'HS123 c s', 'fullwidth forms folded, other marks dropped');
  });

  it('drops invisible characters and uses ? only as a last resort', () => {
    assert.equal(toGsm7Text('a\u200bb\u00adc\u0000d\ufeff'), 'abcd');
    assert.equal(toGsm7Text('b\u0301'), 'b', 'a stray combining mark goes');
    assert.equal(toGsm7Text('Chúc mừng 🎉 中'), 'Chuc mung ? ?');
    assert.equal(toGsm7Text('👨‍👩‍👧 🇻🇳 👍🏽'), '? ? ?', 'one ? per emoji, however many code points it has');
    assert.equal(toGsm7Text(''), '');
  });

  it('always gives GSM-7 text (property)', () => {
    const anyUnit = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }); // lone surrogates too
    const anyCodePoint = fc.string({ unit: 'binary' });
    const vietnamese = fc.array(fc.constantFrom(...Object.values(VOWELS_WITH_TONES).join('').toUpperCase(), ...Object.values(VOWELS_WITH_TONES).join(''), 'đ', 'Đ', '\u0301', '\u0323', ...gsmPlain, '“', '…', '😀')).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(anyUnit, anyCodePoint, vietnamese), (t) => {
        const out = toGsm7Text(t);
        return isGsm7(out) && smsLength(out).encoding === 'GSM-7';
      }),
      { numRuns: 500 },
    );
  });

  it('changes nothing the second time (property)', () => {
    const mixed = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.array(fc.constantFrom(...'Hưng Phước Đồng Xoài ñü€\r\n“”…\u00a0😀', ...gsmPlain)).map((a) => a.join('')));
    fc.assert(
      fc.property(mixed, (t) => {
        const once = toGsm7Text(t);
        return toGsm7Text(once) === once;
      }),
      { numRuns: 500 },
    );
  });

  it('leaves GSM-7 text without Vietnamese letters as it is (property)', () => {
    fc.assert(fc.property(plainText(0, 300), (t) => toGsm7Text(t) === t));
  });
});
