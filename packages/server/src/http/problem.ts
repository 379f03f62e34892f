/**
 * Errors as RFC 9457 problem documents with a stable code, the HTTP status, and a message in
 * every catalogue language. Services throw `Problem`; the HTTP layer renders it.
 */
import { problemMessage, type ProblemCode, type Message } from '@causo/domain';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  messages: Message;
  errors?: ProblemFieldError[];
  [extra: string]: unknown;
}

export interface ProblemFieldError {
  path: string;
  message: string;
  line?: number;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly errors?: ProblemFieldError[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
  }

  toDocument(): ProblemDocument {
    const messages = problemMessage(this.code);
    return {
      type: `https://causo.vn/problems/${this.code}`,
      title: messages.en,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      messages,
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

export const notFound = (code: ProblemCode, detail?: string) => new Problem(404, code, detail);
export const conflict = (code: ProblemCode, detail?: string, extra?: Record<string, unknown>) =>
  new Problem(409, code, detail, undefined, extra);
export const forbidden = (detail?: string) => new Problem(403, 'auth.forbidden', detail);
export const badRequest = (code: ProblemCode, detail?: string, errors?: ProblemFieldError[]) =>
  new Problem(400, code, detail, errors);
