/**
 * Stored XSS: hostile text in every free-text field a citizen or an officer writes (names,
 * address, form answers, comments, refusal reason, missing papers, display names, campaign
 * name and description; notes and names synced from the field; a resident's SMS, though only its command is shown) comes back on every page that shows it only as text: the HTML is
 * scanned for injected elements, event-handler attributes and javascript: URLs; the printed
 * forms (PDF) show it as text; spreadsheet exports never hold a formula and CSV cells that a
 * spreadsheet would run are neutralised.
 * The same holds for what an administrator writes on a procedure's admin page (Vietnamese and
 * English names, fee names, the form's labels, hints and choice labels: portal catalogue, search,
 * application, back-office queue, dossier, intake, admin pages, the receipt PDF) and for a unit's
 * name (no page edits it: it comes from the reference files; queue, dossier, admin unit pages and
 * replacement preview, dashboard, public results pages and CSV, II.06a page, PDF, XLSX and CSV).
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { foldDiacritics } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import { COMMUNE, OTHER_COMMUNE, PageClient, officerAt, type TestOfficer } from '../office/helpers.ts';
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

/** A payload of the set with a marker of its own, to tell on a page which field reached it. */
const remark = (payload: string, n: number) => payload.replace(/xss\d\d/, `xss${n}`);

/** What an administrator writes about a procedure (1.001193) on its admin page. */
const ADMIN = {
  nameVi: `${remark(P.script, 11)} ${remark(P.img, 11)}`,
  nameEn: `${remark(P.link, 12)} ${remark(P.quote, 12)}`,
  feeVi: remark(P.textarea, 13),
  feeEn: remark(P.style, 13),
  label: `${remark(P.style, 14)} ${remark(P.rtl, 14)}`,
  hint: `${remark(P.textarea, 15)} ${remark(P.link, 15)}`,
  option: remark(P.quote, 16),
};
/** A commune's name as the reference files could carry it (it also starts like a formula). */
const UNIT_NAME = `=HYPERLINK("http://x","xss17") ${remark(P.img, 17)}`;
const PROCEDURE = '1.001193';

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

    // An administrator renames the procedure, gives it a fee and relabels its form on its admin page
    // (before any page is seen: the queue keeps procedure names for a minute).
    const adminClient = new PageClient(web.baseUrl);
    await adminClient.signIn(admin.username, admin.password);
    const row = await env.db.kysely.selectFrom('procedures').selectAll().where('code', '=', PROCEDURE).executeTakeFirstOrThrow();
    const form = structuredClone(row.form) as { key: string; labelVi: string; hintVi?: string; options?: { labelVi: string }[] }[];
    const childName = form.find((f) => f.key === 'childFullName');
    const sexOption = form.find((f) => f.key === 'childSex')?.options?.[0];
    assert.ok(childName && sexOption);
    Object.assign(childName, { labelVi: ADMIN.label, hintVi: ADMIN.hint });
    sexOption.labelVi = ADMIN.option;
    assert.equal((await adminClient.get(`/office/admin/procedures/${PROCEDURE}`)).status, 200);
    const saved = await adminClient.post(`/office/admin/procedures/${PROCEDURE}`, {
      nameVi: ADMIN.nameVi,
      nameEn: ADMIN.nameEn,
      onlineLevel: row.online_level,
      slaValue: String(row.sla_value),
      slaUnit: row.sla_unit,
      active: 'yes',
      'fee.0.nameVi': ADMIN.feeVi,
      'fee.0.nameEn': ADMIN.feeEn,
      'fee.0.amount': '8000',
      'fee.0.per': '',
      formJson: JSON.stringify(form),
    });
    assert.equal(saved.status, 303, textOf(saved.html).replace(/\s+/g, ' ').slice(0, 800));
    // No page edits a unit's name: names come from the reference files an operator loads
    // (`seed reference`), so the row that loader fills is written here.
    await env.db.kysely.updateTable('units').set({ name: UNIT_NAME, search_name: foldDiacritics(UNIT_NAME) }).where('code', '=', COMMUNE).execute();
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

  const visit = async (c: PageClient, pages: [string, string[]][]) => {
    for (const [path, markers] of pages) {
      const res = await c.get(path);
      assert.equal(res.status, 200, `${path}: ${res.status} ${res.location ?? ''}`);
      check(path, res.html, markers);
    }
  };
  const download = async (c: PageClient, path: string) => {
    const res = await fetch(web.baseUrl + path, { headers: { cookie: `causo_session=${c.jar.causo_session ?? ''}` } });
    assert.equal(res.status, 200, path);
    return Buffer.from(await res.arrayBuffer());
  };
  /** PDF text with all white space removed (a long name wraps inside its table cell). */
  const pdfText = async (pdf: Buffer) => (await pdfPages(pdf)).join('').replace(/\s+/g, '');
  const squeeze = (s: string) => s.replace(/\s+/g, '');

  it('portal: an administrator’s procedure name, fee and form labels show as text in the catalogue and the application', async () => {
    const c = new PageClient(web.baseUrl, citizen.cookie);
    await visit(c, [
      ['/', ['xss11']],
      ['/services?sector=HT', ['xss11']],
      ['/services?event=birth', ['xss11']],
      [`/services/${PROCEDURE}`, ['xss11', 'xss13']],
      [`/services/${PROCEDURE}?lang=en`, ['xss12', 'xss13']],
      ['/services/search?q=xss12&lang=vi', ['xss11']],
      [`/apply/${PROCEDURE}`, ['xss11', 'xss13']],
      ['/my', ['xss11']],
      [`/my/${supplement}`, ['xss11']],
      // The public results pages name every commune.
      ['/performance?province=75', ['xss17']],
      [`/performance/${COMMUNE}`, ['xss17']],
    ]);
    const results = parseCsv((await download(c, '/performance.csv?unit=75')).toString('utf8').replace(/^\uFEFF/, ''));
    for (const field of results.flat()) assert.doesNotMatch(field, /^[=+\-@\t\r]/, `results CSV field ${JSON.stringify(field)}`);
    assert.ok(results.some((r) => r.includes(`'${UNIT_NAME}`)), 'the unit name is in the results CSV, behind an apostrophe');
    const started = await c.post(`/apply/${PROCEDURE}`, {});
    assert.equal(started.status, 303, textOf(started.html).slice(0, 400));
    const first = started.location ?? '';
    assert.match(first, /\/q\/childFullName$/);
    await visit(c, [
      [first, ['xss11', 'xss14', 'xss15']],
      [first.replace(/childFullName$/, 'childSex'), ['xss16']],
    ]);
  });

  it('back office and administration: procedure and unit names show as text; reports, forms and exports hold them as text', async () => {
    const adminPages = new PageClient(web.baseUrl);
    await adminPages.signIn(admin.username, admin.password);
    const unitIdOf = async (code: string) =>
      (await env.db.kysely.selectFrom('units').select('id').where('code', '=', code).where('valid_from', '<=', '2026-11-25').where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', '2026-11-25')])).executeTakeFirstOrThrow()).id;
    const communeId = await unitIdOf(COMMUNE);
    const period = 'from=2026-10-15&to=2026-11-25';
    await visit(adminPages, [
      ['/office?tab=all', ['xss11', 'xss17']],
      [`/office/dossiers/${supplement}`, ['xss11', 'xss17']],
      ['/office/admin/procedures?q=xss11', ['xss11']],
      [`/office/admin/procedures/${PROCEDURE}`, ['xss11', 'xss12', 'xss13', 'xss14', 'xss15', 'xss16']],
      ['/office/admin/units?q=xss17', ['xss17']],
      [`/office/admin/units/${communeId}`, ['xss17']],
      [`/office/reports/ii06a?unit=75&${period}`, ['xss17']],
      [`/office/reports/ii06a?unit=${COMMUNE}&${period}`, ['xss17']],
      [`/office/dashboard?unit=${COMMUNE}`, ['xss17']],
    ]);
    // The replacement preview puts the new unit's name inside its sentences.
    await adminPages.get(`/office/admin/units/${await unitIdOf(OTHER_COMMUNE)}`);
    const preview = await adminPages.post(`/office/admin/units/${await unitIdOf(OTHER_COMMUNE)}/replace`, { step: 'preview', newCodes: COMMUNE, kind: 'full', effective: '2026-12-01' });
    assert.equal(preview.status, 200, textOf(preview.html).replace(/\s+/g, ' ').slice(0, 600));
    check('replacement preview', preview.html, ['xss17']);

    const desk = new PageClient(web.baseUrl);
    await desk.signIn(officer.username, officer.password);
    await visit(desk, [
      [`/office/intake?unit=${COMMUNE}&q=xss11`, ['xss11']],
      [`/office/intake/new?unit=${COMMUNE}&procedure=${PROCEDURE}`, ['xss11', 'xss14', 'xss16']],
    ]);

    const receipt = await pdfText(await download(adminPages, `/office/dossiers/${supplement}/forms/01.pdf`));
    for (const m of [squeeze(ADMIN.nameVi), `onerror=alert('xss17')`]) assert.ok(receipt.includes(m), `receipt: ${m} not in ${receipt.slice(0, 400)}`);

    const report = await pdfText(await download(adminPages, `/office/reports/ii06a.pdf?unit=75&${period}`));
    assert.ok(report.includes(squeeze(UNIT_NAME)), `II.06a PDF: the unit name is not in ${report.slice(0, 400)}`);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(adminPages, `/office/reports/ii06a.xlsx?unit=75&${period}`)) as unknown as ArrayBuffer);
    let inSheet = false;
    wb.eachSheet((ws) =>
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `${ws.name}!${cell.address} is a formula`);
          if (String(cell.value).includes('xss17')) inSheet = true;
        }),
      ),
    );
    assert.ok(inSheet, 'the unit name is in the II.06a spreadsheet');

    const csv = parseCsv((await download(adminPages, `/office/reports/ii06a.csv?unit=75&${period}`)).toString('utf8').replace(/^\uFEFF/, ''));
    for (const field of csv.flat()) assert.doesNotMatch(field, /^[=+\-@\t\r]/, `II.06a CSV field ${JSON.stringify(field)}`);
    assert.ok(csv.some((r) => r.includes(`'${UNIT_NAME}`)), 'the unit name is in the CSV, behind an apostrophe');
  });
});

/** RFC 4180 fields, quotes undone: what a spreadsheet reads from each cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') rows.push([...row, field.replace(/\r$/, '')]), (row = []), (field = '');
    else field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

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
