/**
 * Two kinds of input no route can use, refused for every route before its handler runs:
 *  - NUL characters: PostgreSQL cannot store them in text or jsonb, so a `%00` in an address or
 *    a `\u0000` in a form or JSON field would end as a database error (a 500) wherever it
 *    reached a query;
 *  - JSON nested deeper than any of our shapes: code that walks a value recursively (hashing a
 *    sync payload, validating it) would overflow the stack on a payload nested thousands deep.
 */
import type { FastifyInstance } from 'fastify';
import { Problem } from './problem.ts';

/** Far deeper than any request we define (a sync envelope's payload is a few levels). */
export const MAX_INPUT_DEPTH = 32;

/** What is wrong with a parsed input, looked through iteratively (bodies may nest deeply); files and buffers are skipped. */
export function inputFault(value: unknown): 'nul' | 'deep' | null {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'nul';
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Uint8Array)) {
      if (depth >= MAX_INPUT_DEPTH) return 'deep';
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return 'nul';
        stack.push([x, depth + 1]);
      }
    }
  }
  return null;
}

export function refuseUnusableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const fault = inputFault(req.params) ?? inputFault(req.query) ?? inputFault(req.body);
    if (fault === 'nul') throw new Problem(400, 'request.invalid', 'the request holds a NUL character');
    if (fault === 'deep') throw new Problem(400, 'request.invalid', `the request nests deeper than ${MAX_INPUT_DEPTH} levels`);
  });
}
