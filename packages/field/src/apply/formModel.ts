/**
 * The assisted application's form, without the DOM: the procedure's questions (the portal's
 * form runner: questionsOf, checkAnswer), an address answered offline from the member's
 * villages, and all answers checked at once.
 */
import { checkAnswer, questionsOf, type AddressAnswer, type AddressFieldDef, type AnswerError, type AnswerValue, type FormFieldDef, type RawAnswer } from '@causo/domain/formRunner';

export interface VillageChoice {
  code: string;
  name: string;
  communeCode: string;
  communeName: string;
}

export { questionsOf };

/** The address a village pick stands for, down to the depth the question wants (commune or village). */
export function addressFromVillage(field: AddressFieldDef, v: VillageChoice): AddressAnswer {
  const commune = { code: v.communeCode, name: v.communeName, level: 'commune' as const };
  const units = field.depth === 'village' ? [commune, { code: v.code, name: v.name, level: 'village' as const }] : [commune];
  return { units, complete: true };
}

/** Communes of the member's villages, once each (for a question that stops at the commune). */
export function communesOf(villages: readonly VillageChoice[]): VillageChoice[] {
  const seen = new Map<string, VillageChoice>();
  for (const v of villages) if (!seen.has(v.communeCode)) seen.set(v.communeCode, v);
  return [...seen.values()];
}

export interface FormCheck {
  answers: Record<string, AnswerValue>;
  errors: Record<string, AnswerError>;
}

/** Every question checked with the shared rules; answers hold the cleaned values. */
export function checkAll(questions: readonly FormFieldDef[], raw: Readonly<Record<string, RawAnswer>>, today: string): FormCheck {
  const answers: Record<string, AnswerValue> = {};
  const errors: Record<string, AnswerError> = {};
  for (const q of questions) {
    const r = checkAnswer(q, raw[q.key], { today });
    // Numbers travel as plain digits ("4", "2.5"): checkAnswer accepts that form whether the
    // server reads the answer as typed or as stored, while a JSON number only passes the latter.
    if (r.ok) answers[q.key] = typeof r.value === 'number' ? String(r.value) : r.value;
    else errors[q.key] = r.error;
  }
  return { answers, errors };
}

/** The photos a document question holds: their sha256, which the server matches with uploaded files. */
export function documentShas(questions: readonly FormFieldDef[], answers: Record<string, AnswerValue>): string[] {
  return questions.filter((q) => q.type === 'document').flatMap((q) => {
    const v = answers[q.key];
    return Array.isArray(v) ? v : [];
  });
}
