/** Pieces the apply pages share: labels in the page's language, answers as text, dates. */
import { problemMessage, toLocalIso, type AddressAnswer, type AnswerValue, type FormFieldDef, type Language, type ProblemCode } from '@causo/domain';
import type { FastifyRequest } from 'fastify';
import type { PageRequest } from '../../../../web/request.ts';
import type { CitizenActor } from '../../citizenDossiers.ts';
import { addressText } from '../../addressPicker.ts';

/** Form definitions carry Vietnamese and English; any other language reads the Vietnamese. */
export function inLang(lang: string, vi: string, en: string | undefined): string {
  return lang === 'en' && en ? en : vi;
}

export const labelOf = (p: PageRequest, f: { labelVi: string; labelEn: string }) => inLang(p.lang, f.labelVi, f.labelEn);
export const hintOf = (p: PageRequest, f: { hintVi?: string | undefined; hintEn?: string | undefined }) => (f.hintVi ? inLang(p.lang, f.hintVi, f.hintEn) : undefined);
export const procedureName = (p: PageRequest, proc: { name_vi: string; name_en: string }) => inLang(p.lang, proc.name_vi, proc.name_en);

/** A problem's message in the page's language (upload refusals and the like). */
export function problemText(p: PageRequest, code: ProblemCode): string {
  const m = problemMessage(code) as Record<string, string>;
  return m[p.lang as Language] ?? m.vi ?? code;
}

/** "25/11/2026 09:00" in Viet Nam time. */
export function localDateTime(at: Date): string {
  const iso = toLocalIso(at);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/** "2026-11-20" → "20/11/2026", as dates are written here. */
export const localDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** An answer as the check-answers page shows it; null when it was not answered. */
export function answerText(p: PageRequest, q: FormFieldDef, value: AnswerValue | undefined): string | string[] | null {
  if (value === undefined || value === null) return null;
  switch (q.type) {
    case 'date':
      return localDate(String(value));
    case 'choice': {
      const picked = Array.isArray(value) ? value : [String(value)];
      return picked.map((v) => {
        const o = q.options.find((x) => x.value === v);
        return o ? inLang(p.lang, o.labelVi, o.labelEn) : v;
      });
    }
    case 'number': {
      const unit = q.unitVi ? ` ${inLang(p.lang, q.unitVi, q.unitEn)}` : '';
      return `${new Intl.NumberFormat(p.lang === 'vi' ? 'vi-VN' : p.lang).format(Number(value))}${unit}`;
    }
    case 'address':
      return addressText(value as AddressAnswer);
    case 'document':
      return Array.isArray(value) ? value : [String(value)];
    default:
      return String(value);
  }
}

export const actorOf = (req: FastifyRequest): CitizenActor => {
  if (!req.citizen) throw new Error('citizen route without a citizen');
  return { citizenId: req.citizen.id, ip: req.ip };
};

export const draftUrl = (draftId: number) => `/apply/d/${draftId}`;
export const questionUrl = (draftId: number, key: string, opts: { change?: boolean; at?: number } = {}) => {
  const q = new URLSearchParams();
  if (opts.change) q.set('change', '1');
  if (opts.at !== undefined) q.set('at', String(opts.at));
  const s = q.toString();
  return `/apply/d/${draftId}/q/${encodeURIComponent(key)}${s ? `?${s}` : ''}`;
};
export const checkUrl = (draftId: number) => `/apply/d/${draftId}/check`;
