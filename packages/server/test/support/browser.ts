/**
 * Real Chromium for page journeys (Debian's /usr/bin/chromium driven by playwright-core), with
 * JavaScript on or off, and axe-core for accessibility (WCAG 2.2 AA rule set). No network
 * beyond loopback: the flags keep Chromium from calling home.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { engines, type Engine } from './engines.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

/**
 * JavaScript off and on for a page journey on `engine`. The full matrix (both modes on both
 * engines) with JOURNEYS=full, or when only one engine runs; otherwise each engine takes one
 * mode: PGlite with JavaScript off (a commune's old laptop), PostgreSQL with it on. Every
 * journey still runs on both engines and in both modes, in half the time: the database does
 * not see whether the browser ran scripts.
 */
export function journeyModes(engine: Engine): boolean[] {
  if (process.env.JOURNEYS === 'full' || engines().length < 2) return [false, true];
  return [engine === 'postgres'];
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** One browser per test file: `const b = useBrowser(); … await b.context({ js: false })`. */
export function useBrowser(): { context: (opts: { js: boolean }) => Promise<BrowserContext> } {
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  before(async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (CI does this in .ci/run)`);
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });
  return {
    async context({ js }) {
      if (!browser) throw new Error('browser not started: call context() inside a test');
      const c = await browser.newContext({ javaScriptEnabled: js, locale: 'vi-VN', viewport: { width: 390, height: 800 } });
      contexts.push(c);
      return c;
    },
  };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/**
 * Runs axe-core on what the page shows now. The page's DOM is copied into a scratch page of a
 * JavaScript-enabled context (axe needs timers, which a page with JavaScript off lacks), with
 * the same viewport; styles are inline, so colour contrast is checked as the citizen sees it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const html = await page.content();
  const browser = page.context().browser();
  if (!browser) throw new Error('page has no browser');
  const scratch = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true, viewport: page.viewportSize() ?? { width: 390, height: 800 } });
  try {
    const p = await scratch.newPage();
    await p.route('**/*', (route) => route.abort());
    await p.setContent(html.replace(/<script\b[^>]*><\/script>/g, ''), { waitUntil: 'domcontentloaded' });
    await p.evaluate(AXE_SOURCE);
    const json = await p.evaluate(
      async (tags) => {
        const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[]; html: string }[] }[] }> } }).axe;
        const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        return JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) })));
      },
      AXE_TAGS,
    );
    return JSON.parse(json) as AxeViolation[];
  } finally {
    await scratch.close();
  }
}

export async function expectAccessible(page: Page): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe-core violations on ${page.url()}`,
  );
}
