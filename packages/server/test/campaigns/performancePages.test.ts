/**
 * The public performance pages on a hand-built fixture: II.06a counters written for two
 * communes on known days (through the counters' own writer), the household register of
 * test/teams/support.ts and one more village, and a campaign with targets on the commune and
 * its villages. The clock stands at 25/11/2026, so "this month" is the period from 15/11 to
 * today. Checked: the figures, the suppression (<5, withheld shares, the secondary cell), that
 * no name or phone number of the fixture reaches the HTML or the CSV, that no session is
 * needed, and the CSV downloads.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CounterDelta } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { officerOn } from '../admin/support.ts';
import { seedField } from '../teams/support.ts';
import { makeCampaign, register } from './campaignSupport.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { setTargets } from '../../src/modules/campaigns/campaignService.ts';
import { refreshRegisterFigures } from '../../src/modules/campaigns/registerFigures.ts';
import { applyCounterDeltas } from '../../src/modules/reports/counters.ts';

/** Everything personal in the fixture (test/teams/support.ts): none of it may reach a public page. */
const PERSONAL = ['Điểu Thị Hoa', 'Điểu Văn Lực', 'Điểu Văn Bé', 'Thị Mai', 'Lâm Văn Tài', 'K’Ho Văn Đức', 'Người thử', 'Hộ thử', '0912345678', '0977000111', '070185000123', 'Cán bộ thanhvien', 'Quay lại giúp'];

describeEachEngine('public performance pages', (env) => {
  let web: WebServer;

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${web.baseUrl}${path}`, { headers, redirect: 'manual' });
    return { status: res.status, cache: res.headers.get('cache-control'), cookie: res.headers.get('set-cookie'), type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
  };
  const html = async (path: string) => {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    return r.body.toString('utf8');
  };
  /** One CSV line's fields (RFC 4180 quoting). */
  const fields = (line: string): string[] => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));
  /** The cells of the table row whose header cell contains `name`, as text. */
  const rowOf = (page: string, name: string): string[] => {
    const rows = page.split('<tr>').slice(1);
    const row = rows.find((r) => new RegExp(`<th scope="row">(<a [^>]*>)?${name}<`).test(r));
    assert.ok(row, `no row for ${name}`);
    return [...row.matchAll(/<td class="num">(.*?)<\/td>/gs)].map((m) => m[1]!.replace(/<br\/>.*$/s, '').trim());
  };

  before(async () => {
    web = await startWebServer(env.db);
    const db = env.db;
    await seedField(db, web.ctx);
    await register(db, '25309-02', 12);
    await refreshRegisterFigures(db, web.ctx.now());

    const path = async (code: string) => (await db.kysely.selectFrom('units').select('ancestor_ids').where('code', '=', code).where('valid_to', 'is', null).executeTakeFirstOrThrow()).ancestor_ids.map(Number);
    const d = (day: string, field: CounterDelta['field'], delta: number): CounterDelta => ({ day, field, delta });
    // Read outside the transaction: PGlite has one connection, and the transaction holds it.
    const [hungPhuoc, thienHung] = [await path('25309'), await path('25308')];
    await db.transaction(async (trx) => {
      await applyCounterDeltas(trx, hungPhuoc, '2.000635', [
        d('2026-11-14', 'receivedOnline', 4), // the month before: not counted
        d('2026-11-17', 'receivedOnline', 3),
        d('2026-11-17', 'receivedDirect', 3),
        d('2026-11-17', 'resolvedBefore', 2),
        d('2026-11-18', 'resolvedOn', 3),
        d('2026-11-19', 'resolvedLate', 1),
        d('2026-11-24', 'receivedOnline', 2),
        d('2026-11-24', 'receivedDirect', 3),
        d('2026-11-24', 'resolvedOn', 2),
      ]);
      await applyCounterDeltas(trx, thienHung, '2.000635', [d('2026-11-20', 'receivedOnline', 3)]);
    });

    const leader = await officerOn(db, [{ role: 'leader', unitCode: '25309' }], 'lanhdao');
    const campaign = await makeCampaign(web, leader.id, { startsOn: '2026-11-01', endsOn: '2027-01-31', indicators: ['smartphone_pct', 'service_accounts', 'households_visited'] });
    const officer = await loadOfficer(db.kysely, leader.id);
    assert.ok(officer);
    await setTargets(
      web.ctx,
      { officer, ip: '127.0.0.1' },
      campaign.id,
      {
        version: campaign.version,
        targets: [
          { unit: '25309', indicator: 'smartphone_pct', target: 80 },
          { unit: '25309', indicator: 'service_accounts', target: 10 },
          { unit: '25309', indicator: 'households_visited', target: 5 },
          { unit: '25309-01', indicator: 'smartphone_pct', target: 80 },
          { unit: '25309-02', indicator: 'smartphone_pct', target: 90 },
          { unit: '25309-01', indicator: 'service_accounts', target: 5 },
          { unit: '25309-02', indicator: 'service_accounts', target: 5 },
        ],
      },
      'api',
    );
  });
  after(async () => {
    await web?.close();
  });

  it("shows each commune's dossiers of the period with counts below 5 and shares over fewer than 5 withheld", async () => {
    const page = await html('/performance');
    assert.match(page, /<h1>Kết quả phục vụ người dân: Tỉnh Đồng Nai<\/h1>/);
    assert.ok(page.includes('Để bảo vệ thông tin cá nhân, số nhỏ hơn 5 không hiển thị.'));
    // Hưng Phước: 11 received (5 online), 8 resolved (7 on time) between 15/11 and today.
    assert.deepEqual(rowOf(page, 'Xã Hưng Phước'), ['11', '45,5%', '8', '87,5%']);
    // Thiện Hưng: 3 received online, nothing resolved.
    assert.deepEqual(rowOf(page, 'Xã Thiện Hưng'), ['dưới 5', 'ẩn', 'dưới 5', 'ẩn']);
    assert.deepEqual(rowOf(page, 'Cả Tỉnh Đồng Nai'), ['14', '57,1%', '8', '87,5%']);
    assert.ok(page.includes('href="/performance/25309"'));
    // The campaign: the commune's smartphone share is 14 of 15 adults; its accounts and visits are below 5.
    const campaignRow = page.slice(page.indexOf('id="campaigns-title"'));
    const cells = [...rowOf(campaignRow, 'Xã Hưng Phước')];
    assert.deepEqual(cells, ['93,3%', 'dưới 5', 'dưới 5']);
    assert.ok(campaignRow.includes('đạt 116,7% chỉ tiêu 80,0%'), 'share of target');
    assert.ok(campaignRow.includes('94 đơn vị khác không có chỉ tiêu trong chiến dịch này.'));
  });

  it("shows a commune week by week, hiding a lone withheld week's neighbour, and its villages' register progress", async () => {
    const page = await html('/performance/25309');
    assert.match(page, /<h1>Kết quả phục vụ người dân: Xã Hưng Phước<\/h1>/);
    assert.match(page, /<svg[^>]*role="img"[^>]*aria-labelledby="weekly-title weekly-desc"/);
    // Weeks: 15/11 (nothing), 16–22/11 (6 received, 3 online; 6 resolved, 5 on time), 23–25/11 (5 received, 2 online; 2 resolved).
    assert.deepEqual(rowOf(page, '15/11/2026 – 15/11/2026'), ['dưới 5', 'ẩn', 'dưới 5', 'ẩn']);
    assert.deepEqual(rowOf(page, '16/11/2026 – 22/11/2026'), ['6', '50,0%', '6', '83,3%']);
    // Received: the first week alone is below 5, so the smallest other week (5) is withheld too.
    assert.deepEqual(rowOf(page, '23/11/2026 – 25/11/2026'), ['ẩn', '40,0%', 'dưới 5', 'ẩn']);
    // The villages: Phước Tiến has 3 adults (withheld), Bù Tam 12 of 12 with a smartphone.
    const villages = page.slice(page.indexOf('id="villages-title"'));
    assert.deepEqual(rowOf(villages, 'Ấp Phước Tiến'), ['ẩn', 'dưới 5']);
    assert.deepEqual(rowOf(villages, 'Ấp Bù Tam'), ['100,0%', 'dưới 5']);
    assert.ok(!villages.includes('households_visited') && !villages.includes('Hộ gia đình đã được đến hỗ trợ'), 'only register indicators for villages');
  });

  it('puts no name, phone or ID number of the fixture on the pages or in the CSV', async () => {
    for (const path of ['/performance', '/performance/25309', '/performance?lang=en', '/performance/25309?lang=en&period=ytd', '/performance.csv', '/performance.csv?unit=25309']) {
      const text = (await get(path)).body.toString('utf8');
      for (const p of PERSONAL) assert.ok(!text.includes(p), `${path} shows «${p}»`);
    }
  });

  it('needs no session, and may be kept by shared caches for a few minutes unless the language is in the address', async () => {
    const anon = await get('/performance');
    assert.equal(anon.status, 200);
    assert.equal(anon.cache, 'public, max-age=300');
    assert.equal(anon.cookie, null, 'nothing personal in a page a shared cache keeps');
    assert.equal((await get('/performance/75')).status, 200, 'the province by its code');
    assert.equal((await get('/performance?lang=en')).cache, 'private, no-store');
    assert.equal((await get('/performance/25309?period=quarter')).status, 200);
    assert.equal((await get('/performance/25309-01')).status, 404, 'villages are not published alone');
    assert.equal((await get('/performance/99999')).status, 404);
    assert.equal((await get('/performance/%3Cscript%3E')).status, 404);
    const en = (await get('/performance?lang=en')).body.toString('utf8');
    assert.ok(en.includes('To protect personal information, numbers below 5 are not shown.'));
    assert.deepEqual(rowOf(en, 'Xã Hưng Phước'), ['11', '45.5%', '8', '87.5%']);
  });

  it('downloads the table as CSV with the same suppression', async () => {
    const res = await get('/performance.csv');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/csv/);
    assert.deepEqual([...res.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = res.body.subarray(3).toString('utf8').trimEnd().split('\r\n');
    const head = fields(lines[0] ?? '');
    assert.deepEqual(head.slice(0, 6), ['Mã đơn vị', 'Đơn vị', 'Hồ sơ đã nhận', 'Nộp trực tuyến', 'Đã giải quyết', 'Giải quyết đúng hẹn']);
    assert.equal(head.length, 6 + 3 * 3, 'value, target and share of target for each of the 3 indicators');
    assert.equal(head[6], '92 ngày đêm: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến – Người trưởng thành có điện thoại thông minh');
    const line = (code: string) => fields(lines.find((l) => l.startsWith(`${code},`)) ?? '');
    assert.deepEqual(line('25309'), ['25309', 'Xã Hưng Phước', '11', '45.5', '8', '87.5', '93.3', '80', '116.7', '<5', '10', 'ẩn', '<5', '5', 'ẩn']);
    assert.deepEqual(line('25308')?.slice(0, 6), ['25308', 'Xã Thiện Hưng', '<5', 'ẩn', '<5', 'ẩn']);
    assert.deepEqual(line('75')?.slice(0, 6), ['75', 'Cả Tỉnh Đồng Nai', '14', '57.1', '8', '87.5']);

    const weekly = (await get('/performance.csv?unit=25309&lang=en')).body.subarray(3).toString('utf8').trimEnd().split('\r\n');
    assert.deepEqual(weekly, [
      'From,To,Applications received,Sent online,Resolved,Resolved on time',
      '2026-11-15,2026-11-15,<5,withheld,<5,withheld',
      '2026-11-16,2026-11-22,6,50,6,83.3',
      '2026-11-23,2026-11-25,withheld,40,<5,withheld',
      '2026-11-15,2026-11-25,11,45.5,8,87.5',
    ]);
  });

  it('links the footer of the portal to the page', async () => {
    const home = await html('/step-cards');
    assert.ok(home.includes('<a href="/performance">Kết quả phục vụ</a>'));
  });
});
