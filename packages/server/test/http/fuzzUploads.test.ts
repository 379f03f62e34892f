/**
 * Hostile files at every door that takes one: a citizen's paper on an application (multipart,
 * sharp), the campaign targets import (XLSX through zipGuard and ExcelJS), a phone's photo
 * (PUT /api/v1/sync/files/:sha256) and the dossier CSV import (the CLI's service). Truncated
 * and lying images, a PNG of 50,000 × 50,000 pixels, polyglots, wrong types behind the right
 * names, files over the limit, truncated ZIPs, a ZIP bomb, a billion-laughs workbook, CSV with
 * bad quoting, encodings, BOMs, formula cells and huge lines.
 *
 * Each is refused in the user's language (a Vietnamese page, a problem document, or the CSV
 * import's problem with line numbers) within seconds, the process does not balloon, and a
 * refused file stores nothing. What is accepted is only ever a clean re-encoded image or PDF.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { photo, PDF } from '../apply/helpers.ts';
import { TODAY, VILLAGE } from '../sync/support.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { Problem } from '../../src/http/problem.ts';
import { IMPORT_COLUMNS, importDossiersCsv } from '../../src/modules/dossiers/importCsv.ts';
import { checkZip } from '../../src/modules/campaigns/zipGuard.ts';
import { MAX_IMPORT_BYTES } from '../../src/modules/campaigns/targetsXlsx.ts';
import { INSIDE, makeRouteFixtures, type Fixtures } from './routeFixtures.ts';
import type { Principal } from './routeAccessSupport.ts';
import { FUZZ_RUNS, assertMemoryBelow, changed, checkReply, fcOptions, fingerprint, watchWrites, type Fingerprint } from './fuzzSupport.ts';
import { BILLION_LAUGHS, deflatedZeros, jpegDeclaringHuge, multipart, pngDeclaring, zip } from './fuzzFiles.ts';

/** Tables a refused upload still touches, and why. */
const BY_DESIGN: Record<string, string> = {
  sessions: "every signed-in request moves its session's last-seen time",
  devices: "every phone call moves the phone's last-seen time",
};
/** How long one refusal may take on a loaded machine, and how much the process may grow over all of them. */
const SLOW_MS = 20_000;
const GROWTH_MB = 400;

interface Hostile {
  label: string;
  name: string;
  type: string;
  data: Buffer;
}

describeEachEngine('hostile files', (env) => {
  let web: WebServer;
  let f: Fixtures;
  let citizen: Principal;
  let admin: Principal;
  let images: Hostile[];
  let rssAtStart = 0;

  before(async () => {
    web = await startWebServer(env.db);
    const made = await makeRouteFixtures(env.db, web.ctx);
    f = made.fixtures;
    citizen = made.principals.get('citizen') as Principal;
    admin = made.principals.get('provinceAdmin') as Principal;
    await watchWrites(env.db);
    const jpeg = await photo(800, 600);
    const png = await photo(300, 200, 'png');
    images = [
      { label: 'a truncated JPEG', name: 'anh.jpg', type: 'image/jpeg', data: jpeg.subarray(0, Math.floor(jpeg.length / 2)) },
      { label: 'a truncated PNG', name: 'anh.png', type: 'image/png', data: png.subarray(0, Math.floor(png.length / 2)) },
      { label: 'a PNG declaring 50,000 × 50,000 pixels', name: 'bom.png', type: 'image/png', data: pngDeclaring(50_000, 50_000) },
      { label: 'a JPEG declaring 65,000 × 65,000 pixels', name: 'bom.jpg', type: 'image/jpeg', data: jpegDeclaringHuge() },
      { label: 'JPEG magic, then HTML', name: 'anh.jpg', type: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<html><script>alert(1)</script></html>')]) },
      { label: 'HTML named .jpg', name: 'anh.jpg', type: 'image/jpeg', data: Buffer.from('<!doctype html><script>alert(1)</script>') },
      { label: 'SVG with a script', name: 'anh.svg', type: 'image/svg+xml', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') },
      { label: 'a ZIP named .png', name: 'anh.png', type: 'image/png', data: zip([{ name: 'a.txt', data: Buffer.from('x') }]) },
      { label: 'an empty file', name: 'anh.jpg', type: 'image/jpeg', data: Buffer.alloc(0) },
      { label: 'a file over UPLOAD_MAX_BYTES', name: 'to.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(web.ctx.config.UPLOAD_MAX_BYTES)]) },
    ];
  });
  after(async () => {
    await web?.close();
  });

  const cookie = (p: Principal) => `${SESSION_COOKIE}=${p.session?.token ?? ''}`;
  const unchanged = async (before: Fingerprint, what: string) => {
    const moved = changed(before, await fingerprint(env.db)).filter((t) => !(t in BY_DESIGN));
    assert.deepEqual(moved, [], `${what}: a refused file stored something`);
  };
  /** Posts a file to a page as a browser does; a refusal is a Vietnamese page and stores nothing. */
  const postFile = async (p: Principal, url: string, fields: Record<string, string>, file: Hostile & { field: string }) => {
    const before = await fingerprint(env.db);
    const form = multipart({ _csrf: p.session?.csrf ?? '', ...fields }, file);
    const started = Date.now();
    const res = await web.app.inject({ method: 'POST', url, headers: { cookie: cookie(p), 'content-type': form.type }, payload: form.body });
    const what = `${url} with ${file.label}`;
    assert.ok(Date.now() - started < SLOW_MS, `${what}: took ${Date.now() - started} ms`);
    checkReply({ status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload }, { method: 'POST', url: what, api: false });
    if (res.statusCode >= 400) await unchanged(before, what);
    assertMemoryBelow(rssAtStart, GROWTH_MB, what);
    return res;
  };

  it("refuses hostile papers on a citizen's application, and stores only clean images", async () => {
    const url = `/apply/d/${f.draftId}/q/birthCertificate`;
    const docs = async () => env.db.kysely.selectFrom('documents').select(['id', 'content_type', 'data']).where('draft_id', '=', f.draftId).orderBy('id').execute();
    const known = new Set((await docs()).map((d) => d.id));
    rssAtStart = process.memoryUsage().rss;
    for (const file of images) {
      const res = await postFile(citizen, url, { then: 'upload' }, { ...file, field: 'file' });
      assert.ok(res.statusCode >= 400, `${file.label}: accepted (${res.statusCode})`);
    }
    // Generated: a real photo cut short, with bytes flipped, or with a ZIP or HTML appended (polyglots).
    const jpeg = await photo(200, 150);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: jpeg.length }), fc.array(fc.nat(jpeg.length - 1), { maxLength: 8 }), fc.constantFrom('', 'zip', 'html'), async (cut, flips, tail) => {
        const data = Buffer.from(jpeg.subarray(0, cut));
        for (const i of flips) if (i < data.length) data[i] = (data[i] ?? 0) ^ 0xff;
        const extra = tail === 'zip' ? zip([{ name: 'x.html', data: Buffer.from('<script>alert(1)</script>') }]) : tail === 'html' ? Buffer.from('<html><script>alert(1)</script>') : Buffer.alloc(0);
        await postFile(citizen, url, { then: 'upload' }, { label: `a photo cut at ${cut}, ${flips.length} bytes flipped, ${tail || 'nothing'} appended`, name: 'a.jpg', type: 'image/jpeg', field: 'file', data: Buffer.concat([data, extra]) });
      }),
      fcOptions(FUZZ_RUNS * 3),
    );
    for (const d of (await docs()).filter((x) => !known.has(x.id))) {
      assert.equal(d.content_type, 'image/jpeg', 'an accepted photo was not re-encoded');
      assert.ok(!d.data.includes(Buffer.from('<script')) && !d.data.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06])), 'an accepted photo still carries what was appended to it');
    }
  });

  it('refuses hostile workbooks at the campaign targets import: truncated, bombs, polyglots, wrong types', async () => {
    const template = await web.app.inject({ method: 'GET', url: `/office/campaigns/${f.campaign}/targets.xlsx?unit=${INSIDE}`, headers: { cookie: cookie(admin) } });
    assert.equal(template.statusCode, 200);
    const xlsx = template.rawPayload;
    const entries = checkZip(xlsx, { maxEntries: 200, maxUnpackedBytes: 25_000_000 });
    const rezip = (replace: Record<string, Buffer>) => zip([...entries].map(([name, data]) => ({ name, data: replace[name] ?? data, deflate: true })));
    const url = `/office/campaigns/${f.campaign}/targets/import`;
    const xl = (label: string, data: Buffer, name = 'chi-tieu.xlsx'): Hostile & { field: string } => ({ label, name, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data, field: 'file' });
    const bombs = [
      xl('a ZIP bomb (an entry that lies about its size)', zip([...[...entries].map(([name, data]) => ({ name, data, deflate: true })), { name: 'xl/media/big.bin', data: Buffer.alloc(10), claimedSize: 10, packed: await deflatedZeros(300) }])),
      xl('a ZIP bomb (an honest 300 MB entry)', zip([{ name: '[Content_Types].xml', data: Buffer.alloc(0), packed: await deflatedZeros(300), claimedSize: 300 * 1_048_576 }])),
      xl('a billion-laughs sharedStrings.xml', rezip({ 'xl/sharedStrings.xml': Buffer.from(BILLION_LAUGHS) })),
      xl('a billion-laughs worksheet', rezip({ 'xl/worksheets/sheet1.xml': Buffer.from(BILLION_LAUGHS.replace('<sst', '<worksheet').replace('</sst>', '</worksheet>').replace('DOCTYPE sst', 'DOCTYPE worksheet')) })),
      xl('a PDF that is also a ZIP', Buffer.concat([PDF, xlsx])),
      xl('HTML in front of a ZIP', Buffer.concat([Buffer.from('<html><script>alert(1)</script></html>'), xlsx])),
      xl('a PNG named .xlsx', await photo(50, 50, 'png')),
      xl('CSV named .xlsx', Buffer.from('code,households_visited\n25309,=cmd|" /C calc"!A0\n')),
      xl('a file over the import limit', Buffer.concat([xlsx, Buffer.alloc(MAX_IMPORT_BYTES)])),
      xl('a workbook named .exe', xlsx, 'chi-tieu.exe'),
    ];
    rssAtStart = process.memoryUsage().rss;
    for (const file of bombs) {
      const res = await postFile(admin, url, { unit: INSIDE }, file);
      assert.ok(res.statusCode >= 400, `${file.label}: accepted (${res.statusCode})`);
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: xlsx.length - 1 }), fc.array(fc.nat(xlsx.length - 1), { maxLength: 6 }), async (cut, flips) => {
        const data = Buffer.from(xlsx.subarray(0, flips.length ? xlsx.length : cut));
        for (const i of flips) data[i] = (data[i] ?? 0) ^ 0xa5;
        await postFile(admin, url, { unit: INSIDE }, xl(flips.length ? `the template with ${flips.length} bytes flipped` : `the template cut at ${cut}`, data));
      }),
      fcOptions(FUZZ_RUNS * 3),
    );
  });

  it("refuses hostile photos from a phone, and the phone's file store keeps only decodable images", async () => {
    const m = await makeOfficer(env.db, [{ role: 'member', unitCode: VILLAGE, on: TODAY }]);
    const deviceId = randomUUID();
    const signIn = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-in', payload: { username: m.username, password: m.password, deviceId, deviceLabel: 'Điện thoại thử' } });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const token = signIn.json().token as string;
    const put = async (file: Hostile, sha = createHash('sha256').update(file.data).digest('hex')) => {
      const before = await fingerprint(env.db);
      const started = Date.now();
      const res = await web.app.inject({ method: 'PUT', url: `/api/v1/sync/files/${sha}`, headers: { authorization: `Bearer ${token}`, 'x-device-id': deviceId, 'content-type': file.type }, payload: file.data });
      assert.ok(Date.now() - started < SLOW_MS, `${file.label}: took ${Date.now() - started} ms`);
      checkReply({ status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload }, { method: 'PUT', url: `/api/v1/sync/files (${file.label})`, api: true });
      if (res.statusCode >= 400) await unchanged(before, file.label);
      assertMemoryBelow(rssAtStart, GROWTH_MB, file.label);
      return res;
    };
    rssAtStart = process.memoryUsage().rss;
    for (const file of images) assert.ok((await put(file)).statusCode >= 400, `${file.label}: accepted`);
    assert.ok((await put({ label: 'a photo under another hash', name: '', type: 'image/jpeg', data: await photo(20, 20) }, 'b'.repeat(64))).statusCode >= 400);
    assert.ok((await put({ label: 'a photo over 2 MB', name: '', type: 'image/jpeg', data: Buffer.concat([await photo(20, 20), Buffer.alloc(2_100_000)]) })).statusCode >= 400);
    assert.equal((await put({ label: 'a good photo', name: '', type: 'image/jpeg', data: await photo(64, 48) })).statusCode, 201, 'a good photo was refused');
  });

  it('refuses hostile CSV files at the dossier import with a problem and stores nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'causo-fuzz-csv-'));
    const header = IMPORT_COLUMNS.join(',');
    const good = (n: number) => `IMP-FUZZ-${n},1.001193,25309,1,4,2026-11-01T09:00:00+07:00,,`;
    const line = fc.oneof(
      fc.nat(1000).map(good),
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom('=cmd|" /C calc"!A0,1.001193,25309,1,4,2026-11-01T09:00:00+07:00,,', '"unclosed,1.001193,25309', 'a,"b""c,d', '"",,,,,,,', ',,,,,,,,,,,,,,,,', '\u0000,\u0000', '+SUM(A1),-1,@x,1,4,,,', 'IMP-1,1.001193,25309,1,4,2026-02-30T09:00:00+07:00,,'),
      fc.integer({ min: 10_000, max: 400_000 }).map((n) => `"${'q'.repeat(n)}`),
    );
    let files = 0;
    rssAtStart = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('utf8', 'utf8-bom', 'utf16le-bom', 'latin1', 'cp1258-bytes'),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        async (lines, encoding, eol, withHeader) => {
          const text = [...(withHeader ? [header] : []), ...lines].join(eol) + eol;
          const data =
            encoding === 'utf8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
            : encoding === 'utf16le-bom' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
            : encoding === 'latin1' ? Buffer.from(text, 'latin1')
            : encoding === 'cp1258-bytes' ? Buffer.concat([Buffer.from(text), Buffer.from([0xd2, 0xde, 0xc3, 0x0a])])
            : Buffer.from(text);
          // A valid file would be imported; every generated one has at least one broken line.
          if (lines.every((l) => /^IMP-FUZZ-\d+,/.test(l)) && withHeader && encoding !== 'cp1258-bytes' && encoding !== 'utf16le-bom') return;
          const path = join(dir, `f-${++files}.csv`);
          writeFileSync(path, data);
          const before = await fingerprint(env.db);
          const started = Date.now();
          let refused: unknown = null;
          try {
            await importDossiersCsv(web.ctx, path, { actorId: null });
          } catch (e) {
            refused = e;
          }
          const what = `a CSV file (${encoding}, ${JSON.stringify(eol)}, ${withHeader ? 'header' : 'no header'}): ${lines.map((l) => l.slice(0, 40)).join(' | ')}`;
          assert.ok(refused instanceof Problem, `${what}: not refused with a problem: ${String(refused)}`);
          assert.ok(refused.status >= 400 && refused.status < 500, `${what}: refused with ${refused.status}`);
          const doc = refused.toDocument();
          assert.ok(doc.messages.vi.trim() && doc.messages.en.trim(), `${what}: refused without messages`);
          assert.ok(Date.now() - started < SLOW_MS, `${what}: took ${Date.now() - started} ms`);
          await unchanged(before, what);
          assertMemoryBelow(rssAtStart, GROWTH_MB, what);
        },
      ),
      fcOptions(FUZZ_RUNS * 6),
    );
  });
});
