#!/usr/bin/env node
// Project rules the type-checker does not see. Run by `npm test` (and `npm run lint`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const problems = [];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const files = walk(join(root, 'packages'));
for (const file of files) {
  const rel = relative(root, file);
  const isSource = /\/src\/.*\.tsx?$/.test(rel);
  const isTest = /\/test\/.*\.tsx?$/.test(rel);
  if (!isSource && !isTest && !rel.endsWith('.json')) continue;
  const text = readFileSync(file, 'utf8');
  if (isSource || isTest) {
    text.split('\n').forEach((line, i) => {
      const at = `${rel}:${i + 1}`;
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may say "any"
      // No `any` at all in our code: unknown + zod at the edges instead.
      if (/(:\s*any\b|\bas any\b|<any>|any\[\])/.test(line) && !line.includes('lint-allow-any')) problems.push(`${at}: uses \`any\` (use unknown and validate)`);
      if (isTest && /\b(it|describe|test)\.only\(/.test(line)) problems.push(`${at}: .only left in a test`);
      if (isSource && /\bconsole\.log\(/.test(line) && !rel.includes('/cli/') && !rel.includes('/bench/')) problems.push(`${at}: console.log in server code (use the logger)`);
    });
  }
  if (rel.includes('/locales/') && rel.endsWith('.json')) {
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      problems.push(`${rel}: not valid JSON (${e.message})`);
      continue;
    }
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string') problems.push(`${rel}: ${k} is not a string`);
      else if (v !== v.normalize('NFC')) problems.push(`${rel}: ${k} is not NFC-normalised Vietnamese`);
    }
  }
}

if (problems.length) {
  process.stderr.write(`lint: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`lint: ${files.length} files checked, no problems\n`);
