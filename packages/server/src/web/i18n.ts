/**
 * Message catalogues for the pages. Each language is a folder under `packages/server/locales/`
 * holding JSON files of flat keys (`"portal.home.title": "…"`); the files of a folder are merged.
 * A new language is a new folder: no code change. Missing keys fall back to Vietnamese, so a
 * partial translation still gives a working page; `catalogueGaps()` lists what is missing.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DEFAULT_LANG = 'vi';
const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

const CatalogueFile = z.record(z.string().regex(/^[a-z0-9_.-]+$/i, 'keys are dotted names such as portal.home.title'), z.string());
export type Catalogue = Record<string, string>;

/** `meta.name` in each language's catalogue is the language's own name, shown in the switcher. */
function loadCatalogues(dir = LOCALES_DIR): Map<string, Catalogue> {
  const out = new Map<string, Catalogue>();
  if (!existsSync(dir)) return out;
  for (const lang of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const merged: Catalogue = {};
    for (const file of readdirSync(join(dir, lang)).filter((f) => f.endsWith('.json')).sort()) {
      const parsed = CatalogueFile.safeParse(JSON.parse(readFileSync(join(dir, lang, file), 'utf8')));
      if (!parsed.success) throw new Error(`locales/${lang}/${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      for (const [k, v] of Object.entries(parsed.data)) {
        if (k in merged) throw new Error(`locales/${lang}/${file}: key ${k} is defined twice`);
        merged[k] = v.normalize('NFC');
      }
    }
    out.set(lang, merged);
  }
  return out;
}

const catalogues = loadCatalogues();

export function languages(): string[] {
  const list = [...catalogues.keys()];
  return [DEFAULT_LANG, ...list.filter((l) => l !== DEFAULT_LANG)];
}

export function isLanguage(lang: unknown): lang is string {
  return typeof lang === 'string' && catalogues.has(lang);
}

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

/** Vietnamese number format: 460.392 and 6,9. */
/** Building an Intl.NumberFormat costs far more than using one: pages format hundreds of numbers. */
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(lang: string, n: number, fractionDigits = 0): string {
  const key = `${lang}:${fractionDigits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : lang, { maximumFractionDigits: fractionDigits, minimumFractionDigits: fractionDigits });
    numberFormats.set(key, f);
  }
  return f.format(n);
}

export function translator(lang: string): Translate {
  const own = catalogues.get(lang) ?? {};
  const fallback = catalogues.get(DEFAULT_LANG) ?? {};
  return (key, params) => {
    const template = own[key] ?? fallback[key];
    if (template === undefined) return key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (m, name: string) => {
      const v = params[name];
      if (v === undefined) return m;
      return typeof v === 'number' ? formatNumber(lang, v) : v;
    });
  };
}

/** Keys present in Vietnamese but missing in another language (used by a test). */
export function catalogueGaps(): Record<string, string[]> {
  const vi = catalogues.get(DEFAULT_LANG) ?? {};
  const gaps: Record<string, string[]> = {};
  for (const [lang, cat] of catalogues) {
    if (lang === DEFAULT_LANG) continue;
    const missing = Object.keys(vi).filter((k) => !(k in cat));
    if (missing.length) gaps[lang] = missing;
  }
  return gaps;
}

export function allKeys(lang = DEFAULT_LANG): string[] {
  return Object.keys(catalogues.get(lang) ?? {});
}
