/**
 * `ensureFieldBuild()`: builds the field app when dist is missing or was built from other
 * sources (a content hash, not file times: a fresh clone or a checkout changes times, not
 * content). The server calls it before serving /field, so `npm start` from a clean clone serves
 * the app; tests build it once. One build at a time per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, FIELD_ROOT, buildField, sourceHash } from './build.mjs';

let pending = null;

export function fieldDistDir() {
  return DIST;
}

function upToDate() {
  const file = join(DIST, 'build-info.json');
  if (!existsSync(file)) return false;
  try {
    // Without sources (a packaged install) the dist that came with it is the app.
    if (!existsSync(join(FIELD_ROOT, 'src'))) return true;
    return JSON.parse(readFileSync(file, 'utf8')).sourceHash === sourceHash();
  } catch {
    return false;
  }
}

export function ensureFieldBuild() {
  pending ??= (async () => {
    if (!upToDate()) await buildField({ quiet: true });
    return DIST;
  })().finally(() => {
    pending = null;
  });
  return pending;
}
