#!/usr/bin/env node
/**
 * Builds the field app into packages/field/dist: index.html, app.[hash].js, app.[hash].css,
 * sw.js (Workbox, with the precache manifest of every other file injected), the web app
 * manifest, icons, .br/.gz twins of the text files, and build-info.json with the sizes.
 * Prints the first-load weight (HTML + JS + CSS, brotli and gzip). `npm run build:field`.
 * Fails (and leaves the previous dist in place) when zod got into the bundle or the first load
 * is over FIRST_LOAD_BUDGET gzip.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { ICONS, drawIcon } from './icons.mjs';

export const FIELD_ROOT = resolve(import.meta.dirname, '..');
export const DIST = join(FIELD_ROOT, 'dist');
export const FIRST_LOAD_BUDGET = 150 * 1024;
const BASE = '/field/';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.webmanifest': 'application/manifest+json', '.json': 'application/json', '.png': 'image/png' };
const COMPRESSIBLE = /\.(html|js|css|webmanifest|json)$/;

/** A hash of everything the build reads: a dist with the same hash is up to date. */
export function sourceHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(p.slice(FIELD_ROOT.length)).update(readFileSync(p));
    }
  };
  walk(join(FIELD_ROOT, 'src'));
  walk(join(FIELD_ROOT, 'scripts'));
  walk(join(FIELD_ROOT, '..', 'domain', 'src'));
  h.update(readFileSync(join(FIELD_ROOT, '..', '..', 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

const contentHash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);

function manifestJson() {
  return JSON.stringify({
    name: 'Cầu Số — Tổ công nghệ số',
    short_name: 'Cầu Số',
    description: 'Sổ hộ gia đình, lượt hỗ trợ, vướng mắc và hỗ trợ nộp hồ sơ của tổ công nghệ số cộng đồng, dùng được khi không có sóng.',
    lang: 'vi',
    start_url: BASE,
    scope: BASE,
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#ffffff',
    theme_color: '#0b6e4f',
    icons: ICONS.flatMap((i) => [
      { src: `${BASE}${i.name}`, sizes: `${i.size}x${i.size}`, type: 'image/png', purpose: 'any' },
      { src: `${BASE}${i.name}`, sizes: `${i.size}x${i.size}`, type: 'image/png', purpose: 'maskable' },
    ]),
  });
}

function indexHtml(js, css) {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#0b6e4f">
<title>Cầu Số — Tổ công nghệ số</title>
<link rel="manifest" href="${BASE}manifest.webmanifest">
<link rel="icon" href="${BASE}icon-192.png" type="image/png">
<link rel="apple-touch-icon" href="${BASE}icon-192.png">
<link rel="stylesheet" href="${BASE}${css}">
<script type="module" src="${BASE}${js}"></script>
</head>
<body>
<div id="app"><p class="boot">Đang mở ứng dụng… / Opening…</p></div>
<noscript><p class="boot">Ứng dụng cần JavaScript. Hãy bật JavaScript trong trình duyệt. / This app needs JavaScript.</p></noscript>
</body>
</html>
`;
}

/** zod in the app bundle: a module of the zod package among the inputs, or zod's own class names in the output. */
export const ZOD_MARKER = /\$?Zod(Error|Type|Object|String)\b|\$constructor\b/;
function zodIn(metafile, js) {
  const inputs = Object.keys(metafile.inputs).filter((p) => /(^|\/)node_modules\/zod\/|(^|\/)syncSchemas\.ts$/.test(p));
  if (!inputs.length && js && ZOD_MARKER.test(js.toString('utf8'))) inputs.push(`marker ${ZOD_MARKER.exec(js.toString('utf8'))?.[0]}`);
  return inputs;
}

const sizes = (buf) => ({
  bytes: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

export async function buildField({ quiet = false } = {}) {
  const { build } = await import('esbuild');
  const common = { bundle: true, minify: true, format: 'esm', target: ['es2022', 'chrome91', 'safari15'], jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none', logLevel: 'silent', write: false, tsconfigRaw: '{}' };
  const app = await build({ ...common, entryPoints: { app: join(FIELD_ROOT, 'src/main.tsx') }, entryNames: '[name].[hash]', outdir: '/out', splitting: false, metafile: true });
  const files = new Map();
  for (const f of app.outputFiles) files.set(basename(f.path), Buffer.from(f.contents));
  const js = [...files.keys()].find((n) => n.endsWith('.js'));
  const css = [...files.keys()].find((n) => n.endsWith('.css'));
  if (!js || !css) throw new Error('field build: app.js or app.css missing');
  const zodInputs = zodIn(app.metafile, files.get(js));
  if (zodInputs.length) throw new Error(`field build: zod got into the bundle (${zodInputs.slice(0, 5).join(', ')}): import the field app's domain code from @causo/domain/sync, /text, /formRunner or /cccd, never from @causo/domain or syncSchemas.ts`);
  files.set('index.html', Buffer.from(indexHtml(js, css)));
  files.set('manifest.webmanifest', Buffer.from(manifestJson()));
  for (const i of ICONS) files.set(i.name, drawIcon(i.size));

  // Hashed names need no revision; the others carry their content hash.
  const precache = [...files.entries()].map(([name, buf]) => ({ url: `${BASE}${name}`, revision: /\.[0-9A-Z]{8}\.(js|css)$/.test(name) ? null : contentHash(buf) }));
  const sw = await build({ ...common, entryPoints: { sw: join(FIELD_ROOT, 'src/sw.ts') }, outdir: '/out', define: { __PRECACHE_MANIFEST__: JSON.stringify(precache) } });
  const swJs = sw.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!swJs) throw new Error('field build: sw.js missing');
  files.set('sw.js', Buffer.from(swJs.contents));

  const info = { sourceHash: sourceHash(), builtAt: new Date().toISOString(), files: {}, firstLoad: { bytes: 0, gzip: 0, brotli: 0 }, budget: FIRST_LOAD_BUDGET, entry: { js, css } };
  for (const [name, buf] of files) info.files[name] = COMPRESSIBLE.test(name) ? sizes(buf) : { bytes: buf.length, gzip: buf.length, brotli: buf.length };
  for (const name of ['index.html', js, css]) for (const k of ['bytes', 'gzip', 'brotli']) info.firstLoad[k] += info.files[name][k];
  if (info.firstLoad.gzip > FIRST_LOAD_BUDGET) throw new Error(`field build: first load ${info.firstLoad.gzip} bytes gzip (HTML + JS + CSS) is over the budget of ${FIRST_LOAD_BUDGET}`);

  // Written beside dist, then swapped in, so a server never sees half a build.
  const tmp = `${DIST}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  for (const [name, buf] of files) {
    writeFileSync(join(tmp, name), buf);
    if (COMPRESSIBLE.test(name)) {
      writeFileSync(join(tmp, `${name}.br`), brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      writeFileSync(join(tmp, `${name}.gz`), gzipSync(buf, { level: 9 }));
    }
  }
  writeFileSync(join(tmp, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
  const old = `${DIST}.old-${process.pid}-${Date.now()}`;
  try {
    renameSync(DIST, old);
  } catch {
    // no previous build
  }
  renameSync(tmp, DIST);
  rmSync(old, { recursive: true, force: true });

  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    const f = info.firstLoad;
    process.stdout.write(
      `field app built in ${DIST}\n` +
        `  first load (HTML + JS + CSS): ${kb(f.bytes)} raw, ${kb(f.gzip)} gzip, ${kb(f.brotli)} brotli — budget ${kb(FIRST_LOAD_BUDGET)} compressed: ${f.gzip <= FIRST_LOAD_BUDGET ? 'OK' : 'OVER'}\n` +
        `  ${js} ${kb(info.files[js].brotli)} br, ${css} ${kb(info.files[css].brotli)} br, sw.js ${kb(info.files['sw.js'].brotli)} br, ${precache.length} files precached\n`,
    );
  }
  return info;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await buildField();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
