/**
 * Plain Vietnamese, checked on every string of every catalogue under locales/vi (every helper's
 * file, as it appears): sentences short enough for a 12-year-old reading a second language, and
 * official words only where the glossary page explains them. Failures name the file, the key
 * and the reason, so the writer knows what to change.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VI_DIR = fileURLToPath(new URL('../../locales/vi/', import.meta.url));

/**
 * Words per sentence. Vietnamese writes one syllable per space-separated word, so 25 "words" is
 * shorter than it looks; that is the point.
 */
const MAX_WORDS = 25;

/**
 * Official or technical words that may stay only if the glossary explains them (a
 * `glossary.term.*` entry whose text contains the word, with a `glossary.meaning.*`). Some have
 * no glossary entry on purpose: say them in plain words instead (thụ lý → xã bắt đầu làm, ủy quyền →
 * nhờ người khác làm thay).
 */
export const JARGON = [
  'TTHC',
  'thủ tục hành chính',
  'UBND',
  'CCCD',
  'căn cước',
  'định danh',
  'OTP',
  'VNeID',
  'thuê bao',
  'chính chủ',
  'toàn trình',
  'trực tuyến',
  'lệ phí',
  'bổ sung',
  'một cửa',
  'mã hồ sơ',
  'ngày làm việc',
  'giờ làm việc',
  'tiếp nhận',
  'bản chính',
  'bản sao',
  'chứng thực',
  'hộ tịch',
  'trích lục',
  'thường trú',
  'tạm trú',
  'cư trú',
  'lĩnh vực',
  'thẩm quyền',
  'thụ lý',
  'ủy quyền',
  'xác thực',
  'DVCTT',
  'dịch vụ công trực tuyến',
] as const;

export interface Entry {
  file: string;
  key: string;
  text: string;
}

/** Sentences end with . ! ? (or …) followed by a space or the end; "50.000" is not an end. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+/u)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Words are what spaces separate, leaving out lone punctuation such as "–" or "·". */
export const wordCount = (sentence: string): number => sentence.split(/\s+/u).filter((w) => /[\p{L}\p{N}{]/u.test(w)).length;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The term as a whole word or phrase, any case: "bổ sung" in "Bổ sung giấy tờ", not "sung" in "bổ sung". */
export const mentions = (text: string, term: string): boolean => new RegExp(`(?<![\\p{L}\\p{N}])${escape(term)}(?![\\p{L}\\p{N}])`, 'iu').test(text);

/** Glossary terms (the `glossary.term.<id>` texts) that also have a meaning. */
export function explainedTerms(entries: Entry[]): string[] {
  const byKey = new Map(entries.map((e) => [e.key, e.text]));
  return entries.flatMap((e) => {
    const id = /^glossary\.term\.(.+)$/.exec(e.key)?.[1];
    return id && (byKey.get(`glossary.meaning.${id}`) ?? '').trim() !== '' ? [e.text] : [];
  });
}

export function plainLanguageProblems(entries: Entry[], jargon: readonly string[] = JARGON, maxWords = MAX_WORDS): string[] {
  const glossary = explainedTerms(entries);
  const problems: string[] = [];
  for (const { file, key, text } of entries) {
    for (const s of sentences(text)) {
      const n = wordCount(s);
      if (n > maxWords) problems.push(`${file} ${key}: a sentence has ${n} words (at most ${maxWords}); split it: «${s}»`);
    }
    for (const term of jargon) {
      if (mentions(text, term) && !glossary.some((g) => mentions(g, term)))
        problems.push(`${file} ${key}: uses «${term}», which the glossary does not explain; say it in plain words or add glossary.term/meaning entries for it`);
    }
  }
  return problems;
}

function viCatalogue(): Entry[] {
  return readdirSync(VI_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => Object.entries(JSON.parse(readFileSync(join(VI_DIR, file), 'utf8')) as Record<string, string>).map(([key, text]) => ({ file: `locales/vi/${file}`, key, text })));
}

it('keeps every Vietnamese sentence short and explains every official word it uses', () => {
  const entries = viCatalogue();
  assert.ok(entries.length > 100, 'the Vietnamese catalogue was read');
  const problems = plainLanguageProblems(entries);
  assert.equal(problems.length, 0, `plain-language problems:\n${problems.join('\n')}`);
});

it('explains in the glossary every official word the portal keeps', () => {
  const glossary = explainedTerms(viCatalogue());
  const kept = ['hồ sơ', 'thủ tục hành chính', 'TTHC', 'một cửa', 'CCCD', 'VNeID', 'thuê bao chính chủ', 'bổ sung hồ sơ', 'ngày làm việc', 'toàn trình', 'lệ phí', 'mã hồ sơ', 'OTP'];
  assert.deepEqual(
    kept.filter((term) => !glossary.some((g) => mentions(g, term))),
    [],
  );
});

it('catches a long sentence and an unexplained official word, naming the key', () => {
  const long = `Sau khi ${'xã '.repeat(30)}xong thì bạn đến nhận.`;
  const entries: Entry[] = [
    { file: 'x.json', key: 'x.long', text: `Câu ngắn. ${long}` },
    { file: 'x.json', key: 'x.jargon', text: 'Hồ sơ đã được thụ lý.' },
    { file: 'x.json', key: 'x.fine', text: 'Nhập mã OTP. Phí là 50.000 đồng mỗi trang.' },
    { file: 'g.json', key: 'glossary.term.otp', text: 'Mã OTP' },
    { file: 'g.json', key: 'glossary.meaning.otp', text: 'Mã gửi bằng tin nhắn.' },
  ];
  const problems = plainLanguageProblems(entries, ['OTP', 'thụ lý'], 25);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0] ?? '', /^x\.json x\.long: a sentence has 3\d words/);
  assert.match(problems[1] ?? '', /^x\.json x\.jargon: uses «thụ lý»/);
  // A glossary term without a meaning explains nothing, not even itself.
  const unexplained = plainLanguageProblems([{ file: 'x.json', key: 'x.fee', text: 'Có lệ phí.' }, { file: 'g.json', key: 'glossary.term.le_phi', text: 'Lệ phí' }], ['lệ phí']);
  assert.deepEqual(unexplained.map((p) => p.split(':')[0]), ['x.json x.fee', 'g.json glossary.term.le_phi']);
});

it('counts words and splits sentences the way a reader does', () => {
  assert.deepEqual(sentences('Phí là 50.000 đồng. Nộp ở đâu? Ở xã!'), ['Phí là 50.000 đồng.', 'Nộp ở đâu?', 'Ở xã!']);
  assert.equal(wordCount('Cầu Số – nền tảng mở.'), 5);
  assert.ok(mentions('Bổ sung giấy tờ', 'bổ sung'));
  assert.ok(!mentions('Ủy ban nhân dân', 'ủy quyền'));
  assert.ok(!mentions('cư trúc', 'cư trú'));
});
