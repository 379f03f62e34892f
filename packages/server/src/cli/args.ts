/** Command-line options parsed with node:util and validated with zod, like every other input. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { Problem } from '../http/problem.ts';

export function parseOptions<T extends z.ZodType>(args: string[], options: NonNullable<ParseArgsConfig['options']>, schema: T): { values: z.infer<T>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new Problem(400, 'request.invalid', (e as Error).message);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success)
    throw new Problem(400, 'request.invalid', 'bad command-line options', result.error.issues.map((i) => ({ path: `--${i.path.join('.')}`, message: i.message })));
  return { values: result.data, positionals: parsed.positionals };
}
