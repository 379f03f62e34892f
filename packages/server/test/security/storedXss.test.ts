/**
 * Stored XSS: hostile text in every free-text field a citizen or an officer writes (names,
 * address, form answers, comments, refusal reason, missing papers, display names, campaign
 * name and description; notes and names synced from the field; a resident's SMS, though only its command is shown) comes back on every page that shows it only as text: the HTML is
 * scanned for injected elements, event-handler attributes and javascript: URLs; the printed
 * forms (PDF) show it as text; spreadsheet exports never hold a formula and CSV cells that a
 * spreadsheet would run are neutralised.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import { COMMUNE, PageClient, officerAt, type TestOfficer } from '../office/helpers.ts';
import { pdfPages } from '../reports/pdfText.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { submitOnline } from '../../src/modules/dossiers/citizenDossiers.ts';
import { actOnDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { addComment } from '../../src/modules/dossiers/office/comments.ts';
import { handleInboundSms } from '../../src/modules/notify/inbound.ts';
import { seedField, VILLAGE } from '../teams/support.ts';
import { createCampaign } from '../../src/modules/campaigns/campaignService.ts';
import { guardFormula } from '../../src/modules/campaigns/dashboardCsv.ts';
import { renderActivityCsv } from '../../src/modules/campaigns/activityExport.ts';
import { renderTitledTable } from '../../src/modules/campaigns/xlsxSheet.ts';

/** Each payload carries its own marker, so a page can be asked whether the text reached it at all. */
const P = {
  script: `<script>alert('xss01')</script>`,
  img: `"><img src=x onerror=alert('xss02')>`,
  js: `javascript:alert('xss03')`,
  textarea: `</textarea><svg onload=alert('xss04')>`,
  quote: `' onmouseover='alert(1)' data-x='xss05`,
  link: `<a href="javascript:alert(1)">xss06</a>`,
  rtl: `Lê \u202Eexe.gpj\u202C xss07`,
  style: `</style><iframe src=javascript:alert(1)>xss08`,
};

/** What a browser would see as markup: tags, their attributes (quote-aware), and script bodies. */
export function injectionsIn(html: string): string[] {
  const found: string[] = [];
  const tag = /<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  const attr = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  const decode = (s: string) => s.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const m of html.matchAll(tag)) {
    const name = (m[1] ?? '').toLowerCase();
    const attrs = m[2] ?? '';
    if (/xss\d\d/.test(m[0]) && ['script', 'img', 'svg', 'iframe', 'a', 'style'].includes(name) && !/^\s*(?:[\w-]+="[^"]*"\s*)*\/?$/.test(attrs)) found.push(`injected <${name}>: ${m[0].slice(0, 120)}`);
    for (const a of attrs.matchAll(attr)) {
      const an = (a[1] ?? '').toLowerCase();
      const value = decode(a[2] ?? a[3] ?? a[4] ?? '');
      if (an.startsWith('on')) found.push(`event handler ${an} on <${name}>: ${m[0].slice(0, 120)}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(an) && /^\s*javascript:/i.test(value)) found.push(`javascript: URL in ${an} of <${name}>`);
    }
    if (name === 'script') {
      const end = html.indexOf('</script', (m.index ?? 0) + m[0].length);
      if (/xss\d\d/.test(html.slice((m.index ?? 0) + m[0].length, end))) found.push('marker inside a <script> element');
    }
  }
  return found;
}

/** The page's text as a reader gets it (tags dropped, entities decoded). */
const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describeEachEngine('security: stored XSS in every free-text field, on every page that shows it', (env) => {
  let web: WebServer;
  let citizen: TestCitizen;
  let officer: TestOfficer;
  let admin: TestOfficer;
  let supplement = '';
  let refused = '';
  let campaignId = 0;

  before(async () => {
    web = await startWebServer(env.db);
    const ctx = web.ctx;
    citizen = await makeCitizen(ctx, { fullName: P.img });
    officer = await officerAt(ctx, [{ role: 'officer', unitCode: COMMUNE }], P.quote);
    admin = await officerAt(ctx, [{ role: 'admin', unitCode: '75' }], P.textarea);
    const loaded = await loadOfficer(env.db.kysely, officer.officer.id);
    assert.ok(loaded);
    const actor: Actor = { officer: loaded, ip: '127.0.0.1' };
    const apply = async (childFullName: string) =>
      (
        await submitOnline(ctx, { citizenId: citizen.id, ip: '127.0.0.1' }, {
          transactionId: randomUUID(),
          procedureCode: '1.001193',
          unitCode: COMMUNE,
          applicant: { fullName: citizen.fullName, phone: citizen.phone, idNumber: citizen.idNumber, address: P.textarea },
          formData: { childFullName, childSex: 'male', childBirthDate: '2026-11-20' },
        })
      ).code;
    supplement = await apply(P.script);
    refused = await apply(P.rtl);
    await actOnDossier(ctx, actor, supplement, { action: 'receive', transactionId: randomUUID() });
    await actOnDossier(ctx, actor, supplement, { action: 'request_supplement', transactionId: randomUUID(), missingDocuments: [P.link, P.style, P.js] });
    await actOnDossier(ctx, actor, refused, { action: 'refuse', transactionId: randomUUID(), reason: `${P.img} ${P.js}` });
    await addComment(ctx, actor, supplement, `${P.script} ${P.textarea} ${P.js}`);
    const leader = await officerAt(ctx, [{ role: 'leader', unitCode: '75' }], P.style);
    const leaderLoaded = await loadOfficer(env.db.kysely, leader.officer.id);
    assert.ok(leaderLoaded);
    campaignId = (
      await createCampaign(ctx, { officer: leaderLoaded, ip: '127.0.0.1' }, { name: `=HYPERLINK("http://x","xss09") ${P.img}`.slice(0, 120), description: `${P.script} ${P.link}`, startsOn: '2026-11-01', endsOn: '2027-01-31', ownerUnit: '75', coveredUnits: [], indicators: ['smartphone_pct'] })
    ).id;
    // A resident's text to the province's number, shown to the operator on /office/notifications.
    await handleInboundSms(ctx, { from: '0912777001', to: '8088', text: `HS ${P.script}`, receivedAt: ctx.now() });
  });
  after(async () => {
    await web?.close();
  });

  const check = (where: string, html: string, markers: string[]) => {
    assert.deepEqual(injectionsIn(html), [], where);
    const text = textOf(html);
    for (const m of markers) assert.ok(text.includes(m), `${where}: ${m} is not shown (the field did not reach the page)`);
  };

  it('finds injections when there are some (the scanner itself)', () => {
    assert.equal(injectionsIn(`<p>${P.img}</p>`).length > 0, true);
    assert.equal(injectionsIn(`<input value='${P.quote}'>`).length > 0, true);
    assert.equal(injectionsIn(`<a href="${P.js}">x</a>`).length > 0, true);
    assert.equal(injectionsIn(`<script>var x = "xss01"</script>`).length > 0, true);
    assert.deepEqual(injectionsIn(`<p>&lt;script&gt;alert('xss01')&lt;/script&gt;</p><input value="&quot;&gt;&lt;img src=x onerror=alert('xss02')&gt;">`), []);
  });

  it('back office: queue, dossier pages, users, notifications, campaigns show the text escaped', async () => {
    const c = new PageClient(web.baseUrl);
    await c.signIn(admin.username, admin.password);
    const pages: [string, string[]][] = [
      ['/office', ['xss04']], // the signed-in administrator's display name
      ['/office?tab=all', ['xss02']],
      [`/office/dossiers/${supplement}`, ['xss01', 'xss02', 'xss03', 'xss04', 'xss05', 'xss06', 'xss08']],
      [`/office/dossiers/${refused}`, ['xss02', 'xss03', 'xss07']],
      ['/office/admin/users', ['xss04', 'xss05', 'xss08']],
      [`/office/admin/users/${officer.officer.id}`, ['xss05']],
      ['/office/account', ['xss04']],
      // A resident's text is listed by command and outcome, not its words; whatever it shows is scanned.
      ['/office/notifications', []],
      ['/office/campaigns', ['xss02', 'xss09']],
      [`/office/campaigns/${campaignId}`, ['xss01', 'xss02', 'xss06', 'xss09']],
      [`/office/campaigns/${campaignId}/edit`, ['xss01', 'xss02', 'xss06', 'xss09']],
      [`/office/dashboard?unit=${COMMUNE}`, ['xss09']],
    ];
    for (const [path, markers] of pages) {
      const res = await c.get(path);
      assert.equal(res.status, 200, `${path}: ${res.status} ${res.location ?? ''}`);
      check(path, res.html, markers);
    }
  });

  it('team pages: notes and names synced from the field show the text escaped', async () => {
    await seedField(env.db, web.ctx);
    await env.db.kysely.updateTable('follow_ups').set({ note: `${P.script} ${P.img}` }).execute();
    await env.db.kysely.updateTable('blockers').set({ note: `${P.textarea} ${P.link}` }).execute();
    await sql`UPDATE households SET data = jsonb_set(data, '{headName}', to_jsonb(${P.style}::text))`.execute(env.db.kysely);
    const c = new PageClient(web.baseUrl);
    await c.signIn(admin.username, admin.password);
    const pages: [string, string[]][] = [
      ['/office/teams', []],
      [`/office/teams/${VILLAGE}`, ['xss01', 'xss02', 'xss04', 'xss08']],
      ['/office/teams/conflicts', []],
    ];
    for (const [path, markers] of pages) {
      const res = await c.get(path);
      assert.equal(res.status, 200, `${path}: ${res.status} ${res.location ?? ''}`);
      check(path, res.html, markers);
    }
  });

  it('portal: the citizen’s dossiers, a dossier, the supplement page show the text escaped', async () => {
    const c = new PageClient(web.baseUrl, citizen.cookie);
    const pages: [string, string[]][] = [
      ['/my', []],
      [`/my/${supplement}`, ['xss03', 'xss06', 'xss08']],
      [`/my/${supplement}/supplement`, ['xss03', 'xss06', 'xss08']],
      [`/my/${refused}`, ['xss02', 'xss03']],
    ];
    for (const [path, markers] of pages) {
      const res = await c.get(path);
      assert.equal(res.status, 200, `${path}: ${res.status} ${res.location ?? ''}`);
      check(path, res.html, markers);
    }
  });

  it('printed forms (receipt, supplement request, refusal) show the text as text', async () => {
    const c = new PageClient(web.baseUrl);
    await c.signIn(admin.username, admin.password);
    const forms: [string, string[]][] = [
      [`/office/dossiers/${supplement}/forms/01.pdf`, ['xss02']],
      [`/office/dossiers/${supplement}/forms/02.pdf`, ['xss06', 'xss08', "javascript:alert('xss03')"]],
      [`/office/dossiers/${refused}/forms/03.pdf`, ['xss02', "javascript:alert('xss03')"]],
    ];
    for (const [path, markers] of forms) {
      const res = await fetch(web.baseUrl + path, { headers: { cookie: `causo_session=${c.jar.causo_session ?? ''}` } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      const text = (await pdfPages(Buffer.from(await res.arrayBuffer()))).join('\n').replace(/\s+/g, ' ');
      for (const m of markers) assert.ok(text.includes(m), `${path}: ${m} not in ${text.slice(0, 400)}`);
    }
  });

  it('the campaign’s targets spreadsheet holds the name as a string cell, never a formula', async () => {
    const c = new PageClient(web.baseUrl);
    await c.signIn(admin.username, admin.password);
    const res = await fetch(`${web.baseUrl}/office/campaigns/${campaignId}/targets.xlsx?unit=${COMMUNE}`, { headers: { cookie: `causo_session=${c.jar.causo_session ?? ''}` } });
    assert.equal(res.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    let seen = false;
    wb.eachSheet((ws) =>
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `${ws.name}!${cell.address} is a formula`);
          if (String(cell.value).includes('xss09')) seen = true;
        }),
      ),
    );
    assert.ok(seen, 'the campaign name is in the spreadsheet');
  });
});

it('spreadsheet writers: text starting with = + - @ tab or CR goes in as text (XLSX) or with an apostrophe (CSV)', async () => {
  const hostile = ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=1', '\r=1', `=HYPERLINK("http://x","y")`];
  for (const h of hostile) assert.equal(guardFormula(h), `'${h}`);
  assert.equal(guardFormula('Hưng Phước'), 'Hưng Phước');
  const csv = renderActivityCsv({ columns: ['=cột'], rows: [hostile], total: null } as unknown as Parameters<typeof renderActivityCsv>[0]);
  for (const line of csv.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean)) for (const field of line.split(',')) assert.doesNotMatch(field.replace(/^"/, ''), /^[=+\-@\t\r]/, `CSV field ${JSON.stringify(field)}`);
  const xlsx = await renderTitledTable<string>({
    title: hostile[0] ?? '',
    sheetName: 'x',
    heading: [['=a', '=b']],
    note: '=note',
    columns: hostile,
    rows: [{ cells: hostile, bold: false }],
    frozenColumns: 0,
    maxWidth: 40,
    generatedAt: new Date(),
    put: (cell, v) => {
      cell.value = v;
    },
  });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => assert.notEqual(cell.type, ExcelJS.ValueType.Formula, cell.address))));
});

it('field app: no component writes raw HTML (Preact escapes text), so synced notes and names stay text', () => {
  const root = resolve(import.meta.dirname, '../../../field/src');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(tsx?|jsx?)$/.test(name)) files.push(p);
    }
  };
  walk(root);
  assert.ok(files.length > 10);
  for (const f of files) assert.doesNotMatch(readFileSync(f, 'utf8'), /dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|document\.write\(|new Function\(|\beval\(/, f);
});
