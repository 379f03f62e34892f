/**
 * SMS templates live in the message catalogues (`locales/<lang>/*.json`, every key with
 * `.sms.` in it), with `{variables}`. Each SMS part is billed, and a Vietnamese text with its
 * marks goes as UCS-2 (70 characters in one part, 67 per part when split), so every template
 * is checked in every language with the longest values its variables take in practice:
 * `checkSmsTemplates` is run at start (a template over SMS_MAX_PARTS stops the server, with
 * the key and the figures) and by `causo notify check-templates`.
 *
 * With SMS_GSM7_ONLY the texts go without marks ("Hưng Phước" → "Hung Phuoc"): 160 GSM-7
 * characters in one part, for carriers or budgets that need it. Short replies (look-ups by
 * SMS) go without marks on their own when only that keeps them to one part.
 */
import { smsLength, toGsm7Text, type SmsEncoding } from '@causo/domain';
import { allKeys, languages, translator, type Params } from '../../web/i18n.ts';

/** A look-up reply lists the missing papers in at most this many characters (cut with "..."). */
export const LOOKUP_MISSING_MAX = 60;

/**
 * The longest value each variable takes in practice. A variable not listed counts as 20
 * Vietnamese letters, so a new one cannot slip through the check unmeasured.
 */
const WORST_CASE: Params = {
  code: 'H10.22.25-261129-0001',
  due: '31/12/2026',
  date: '31/12/2026',
  amount: '1.500.000',
  count: '12',
  reference: 'CS2611290001',
  // As long as `statusReply` lets the list of missing papers be.
  missing: `${[...'Giấy xác nhận tình trạng hôn nhân, Bản sao Giấy chứng sinh, Căn cước'].slice(0, LOOKUP_MISSING_MAX - 3).join('')}...`,
  // The longest village name, with the "+2" a reminder adds when follow-ups span villages.
  village: 'Khu phố Thanh Thịnh +2',
  unit: 'UBND xã Hưng Phước',
  name: 'Nguyễn Thị Hồng Nhung',
  list: '',
};
const UNKNOWN_VALUE = 'ữữữữữữữữữữữữữữữữữữữữ';

export interface SmsTemplateCheck {
  lang: string;
  key: string;
  encoding: SmsEncoding;
  length: number;
  parts: number;
  ok: boolean;
}

export function smsTemplateKeys(lang: string): string[] {
  return allKeys(lang).filter((k) => /\.sms\./.test(k));
}

function worstCaseParams(template: string): Params {
  const params: Params = {};
  for (const [, name] of template.matchAll(/\{(\w+)\}/g)) if (name) params[name] = WORST_CASE[name] ?? UNKNOWN_VALUE;
  return params;
}

/** The text as it will leave: without marks when the configuration says so. */
export function outgoingSmsText(text: string, gsm7Only: boolean): string {
  return gsm7Only ? toGsm7Text(text) : text.normalize('NFC');
}

/**
 * Every SMS template in every language, at its longest. `t(key)` without parameters reads a catalogue
 * entry without filling it; the translator leaves unknown variables as they are.
 */
export function checkSmsTemplates(maxParts: number, gsm7Only: boolean): SmsTemplateCheck[] {
  const out: SmsTemplateCheck[] = [];
  for (const lang of languages()) {
    const t = translator(lang);
    for (const key of smsTemplateKeys(lang)) {
      const text = outgoingSmsText(t(key, worstCaseParams(t(key))), gsm7Only);
      const size = smsLength(text);
      out.push({ lang, key, encoding: size.encoding, length: size.length, parts: size.parts, ok: size.parts <= maxParts });
    }
  }
  return out;
}

export class SmsTemplateError extends Error {}

/** Refuses to start with a template that would go in more parts than allowed. */
export function assertSmsTemplatesFit(maxParts: number, gsm7Only: boolean): void {
  const over = checkSmsTemplates(maxParts, gsm7Only).filter((c) => !c.ok);
  if (!over.length) return;
  const lines = over.map((c) => `  ${c.lang} ${c.key}: ${c.parts} parts (${c.length} ${c.encoding} characters)`);
  throw new SmsTemplateError(
    `SMS templates longer than SMS_MAX_PARTS=${maxParts}:\n${lines.join('\n')}\nShorten them in locales/<lang>/*.json, raise SMS_MAX_PARTS, or set SMS_GSM7_ONLY=true.`,
  );
}

/** Renders a catalogue template in the recipient's language. */
export function renderSms(lang: string, key: string, params: Params = {}): string {
  return translator(lang)(key, params).normalize('NFC');
}

/**
 * A short reply: with its marks when that fits one part; otherwise without, when that fits
 * one part; otherwise as written (the network joins the parts).
 */
export function onePartIfPossible(text: string): string {
  if (smsLength(text).parts <= 1) return text;
  const plain = toGsm7Text(text);
  return smsLength(plain).parts <= 1 ? plain : text;
}
