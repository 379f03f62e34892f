import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldDiacritics, matchesSearch, normalizeText, searchTokens } from '../src/text.ts';

describe('Vietnamese text', () => {
  it('stores names NFC-normalised, trimmed, with single spaces', () => {
    const decomposed = 'Hu\u031Bng  Phu\u031Bo\u031B\u0301c '; // "Hưng Phước" typed as base letters + marks
    assert.equal(normalizeText(decomposed), 'Hưng Phước');
    assert.equal(normalizeText(' \tXã\n Thiện   Hưng '), 'Xã Thiện Hưng');
  });

  it('folds diacritics and đ so "Hưng Phước" reads "hung phuoc"', () => {
    assert.equal(foldDiacritics('Hưng Phước'), 'hung phuoc');
    assert.equal(foldDiacritics('Đăng ký khai sinh'), 'dang ky khai sinh');
    assert.equal(foldDiacritics('Bù Đốp'), 'bu dop');
    assert.equal(foldDiacritics('Hu\u031Bng'), 'hung'); // decomposed input folds the same
  });

  it('splits search text into folded words', () => {
    assert.deepEqual(searchTokens('  Đăng ký khai sinh, kết hôn '), ['dang', 'ky', 'khai', 'sinh', 'ket', 'hon']);
  });

  it('finds a procedure typed without diacritics, in any word order', () => {
    assert.equal(matchesSearch('Đăng ký khai sinh', 'dang ky khai sinh'), true);
    assert.equal(matchesSearch('Đăng ký khai sinh', 'sinh khai'), true);
    assert.equal(matchesSearch('Đăng ký khai sinh', 'ĐĂNG KÝ'), true);
    assert.equal(matchesSearch('Xã Hưng Phước', 'hung phuoc'), true);
  });

  it('does not match when a word is missing', () => {
    assert.equal(matchesSearch('Đăng ký khai sinh', 'khai tu'), false);
    assert.equal(matchesSearch('Xã Hưng Phước', 'thien hung'), false);
  });

  it('matches everything for an empty query', () => {
    assert.equal(matchesSearch('Đăng ký khai sinh', '  '), true);
  });
});
