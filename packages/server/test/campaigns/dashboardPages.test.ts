import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { CAMPAIGN_NAME, COMMUNE, dashboardWorld, EMPTY_VILLAGE, EXPECTED, OTHER_COMMUNE, PROVINCE, rowCells, unescapeHtml, VILLAGE, type DashboardWorld } from './dashboardSupport.ts';

describeEachEngine('dashboard pages from province to village', (env) => {
  let web: WebServer;
  let w: DashboardWorld;

  before(async () => {
    web = await startWebServer(env.db);
    w = await dashboardWorld(env.db, web);
  });
  after(async () => {
    await web?.close();
  });

  const page = async (who: keyof DashboardWorld['clients'], query: string) => {
    const res = await w.clients[who].get(`/office/dashboard?${query}`);
    return { status: res.status, html: unescapeHtml(res.html) };
  };

  it('shows a commune leader the running campaign, each indicator against its target, and the villages ranked', async () => {
    const { status, html } = await page('communeLeader', `unit=${COMMUNE}`);
    assert.equal(status, 200);
    assert.match(html, /<h1>Bảng theo dõi: Xã Hưng Phước<\/h1>/);
    assert.ok(html.includes(`Chiến dịch: ${CAMPAIGN_NAME}`), 'the running campaign is chosen by default');
    assert.match(html, /từ ngày 01\/10\/2026 đến ngày 25\/11\/2026/);
    // The smartphone card: value, fraction, target and progress bar with an accessible name.
    const card = /<li id="indicator-smartphone_pct">(.*?)<\/li>/s.exec(html)?.[1] ?? '';
    assert.match(card, new RegExp(`<strong>${EXPECTED.smartphone.value}</strong>`));
    assert.match(card, /2 trên 3 người/);
    assert.match(card, /Chỉ tiêu: 80,0%/);
    assert.match(card, new RegExp(`đạt ${EXPECTED.smartphoneOfTarget} chỉ tiêu`));
    assert.match(card, /<svg[^>]*role="img"[^>]*aria-labelledby="bar-smartphone_pct-title"/);
    assert.match(card, /<svg[^>]*role="img"[^>]*aria-labelledby="trend-smartphone_pct-title"/);
    assert.match(card, /<summary>Xem số liệu theo tuần<\/summary>/);
    assert.match(card, /số người ≥ 18 tuổi có điện thoại thông minh ÷ số người ≥ 18 tuổi × 100/, 'the formula is shown');
    // No dossiers in the period: "no data", never 0.
    const online = /<li id="indicator-online_share_pct">(.*?)<\/li>/s.exec(html)?.[1] ?? '';
    assert.match(online, /<strong>Chưa có dữ liệu<\/strong>/);

    // The villages: ấp Phước Tiến first with its figures, ấp Bù Tam without data.
    const first = rowCells(html, 'Ấp Phước Tiến');
    assert.ok(first, 'a row for ấp Phước Tiến');
    assert.deepEqual(first.slice(0, 1), ['1']);
    assert.equal(first[2], `${EXPECTED.smartphone.value} đạt ${EXPECTED.smartphoneOfTarget} chỉ tiêu`);
    // Columns in the order of the indicators' definitions: smartphone, SIM, online share, visits, blockers.
    assert.equal(first[3], EXPECTED.simOwner);
    assert.equal(first[4], 'Chưa có dữ liệu');
    assert.equal(first[5], '1 đạt 50,0% chỉ tiêu'); // 1 household visited, target 2
    assert.equal(first[6], '2');
    const empty = rowCells(html, 'Ấp Bù Tam');
    assert.deepEqual(empty?.slice(0, 3), ['–', 'Ấp Bù Tam', 'Chưa có dữ liệu Chỉ tiêu: 75,0%']);
    const order = [...html.matchAll(/<th scope="row"><a href="\/office\/dashboard\?unit=(25309-0\d)/g)].map((m) => m[1]);
    assert.equal(order[0], VILLAGE, 'the village with data is ranked first');
    assert.equal(order.length, 9);
    // The total row is the commune's own value.
    const total = rowCells(html, 'Tổng: Xã Hưng Phước');
    assert.equal(total?.[2], `${EXPECTED.smartphone.value} đạt ${EXPECTED.smartphoneOfTarget} chỉ tiêu`);
    assert.equal(total?.[5], `1 đạt ${EXPECTED.visitedOfTarget} chỉ tiêu`);

    // Open blockers by reason, and the children's targets checked against the commune's.
    assert.deepEqual(rowCells(html, 'Không có điện thoại thông minh'), ['Không có điện thoại thông minh', '1']);
    assert.deepEqual(rowCells(html, 'SIM không đứng tên mình'), ['SIM không đứng tên mình', '1']);
    assert.deepEqual(rowCells(html, 'Tổng cộng'), ['Tổng cộng', '2']);
    assert.match(html, /<strong>Người trưởng thành có điện thoại thông minh<\/strong>: 7 đơn vị cấp dưới chưa có chỉ tiêu/);
    assert.match(html, /<strong>Hộ gia đình đã được đến hỗ trợ<\/strong>: 8 đơn vị cấp dưới chưa có chỉ tiêu/);
  });

  it('links each village down to its dashboard, keeping the campaign and dates, and re-ranks by a column', async () => {
    const { html } = await page('communeLeader', `unit=${COMMUNE}&from=2026-10-01&to=2026-11-22`);
    assert.ok(html.includes(`<a href="/office/dashboard?unit=${VILLAGE}&campaign=${w.campaignId}&from=2026-10-01&to=2026-11-22">Ấp Phước Tiến</a>`));
    assert.ok(html.includes(`href="/office/dashboard?unit=${COMMUNE}&campaign=${w.campaignId}&from=2026-10-01&to=2026-11-22&rank=open_blockers#children-title"`), 'a column header re-ranks');
    // Ranked by open blockers (fewer is better): the villages with none come first.
    const ranked = await page('communeLeader', `unit=${COMMUNE}&rank=open_blockers`);
    const order = [...ranked.html.matchAll(/<th scope="row"><a href="\/office\/dashboard\?unit=(25309-0\d)/g)].map((m) => m[1]);
    assert.equal(order[order.length - 1], VILLAGE);
    assert.match(ranked.html, /aria-sort="ascending"/);
    // The export links carry the same view.
    assert.ok(html.includes(`/office/dashboard/export?unit=${COMMUNE}&campaign=${w.campaignId}&from=2026-10-01&to=2026-11-22&table=children&format=xlsx`));
    assert.ok(html.includes(`/office/dashboard/summary.pdf?unit=${COMMUNE}&campaign=${w.campaignId}&from=2026-10-01&to=2026-11-22`));
  });

  it('shows a province leader the communes, with the commune-owned campaign kept only on the commune it concerns', async () => {
    const { status, html } = await page('provinceLeader', `unit=${PROVINCE}`);
    assert.equal(status, 200);
    assert.match(html, /<h1>Bảng theo dõi: Tỉnh Đồng Nai<\/h1>/);
    const row = rowCells(html, 'Xã Hưng Phước');
    assert.equal(row?.[0], '1');
    assert.equal(row?.[2], `${EXPECTED.smartphone.value} đạt ${EXPECTED.smartphoneOfTarget} chỉ tiêu`);
    // The province's own target on visits: 1 of 50.
    const card = /<li id="indicator-households_visited">(.*?)<\/li>/s.exec(html)?.[1] ?? '';
    assert.match(card, /Chỉ tiêu: 50/);
    assert.match(card, /đạt 2,0% chỉ tiêu/);

    const old = await page('provinceLeader', `unit=${PROVINCE}&campaign=${w.oldCampaignId}`);
    assert.equal(old.status, 200);
    assert.ok(old.html.includes(`<a href="/office/dashboard?unit=${COMMUNE}&campaign=${w.oldCampaignId}">Xã Hưng Phước</a>`));
    assert.ok(old.html.includes(`<a href="/office/dashboard?unit=${OTHER_COMMUNE}">Xã Thiện Hưng</a>`), 'a commune the campaign does not concern is linked without it');
    assert.match(old.html, /Chiến dịch này không áp dụng cho Tỉnh Đồng Nai/);
  });

  it('says whether the villages’ targets add up to the commune’s', async () => {
    const { html } = await page('communeLeader', `unit=${COMMUNE}&campaign=${w.oldCampaignId}`);
    assert.match(html, /<span class="tag ok">Đủ<\/span> <strong>Hộ gia đình đã được đến hỗ trợ<\/strong>: gộp lại được 18, chỉ tiêu là 18\./);
    assert.match(html, /<span class="tag late">Chưa đủ<\/span> <strong>Vướng mắc đã giải quyết<\/strong>: gộp lại chỉ được 9, chỉ tiêu là 10\./);
    const village = await page('communeLeader', `unit=${VILLAGE}&campaign=${w.oldCampaignId}`);
    assert.doesNotMatch(village.html, /checks-title/, 'a village has no units below to check');
  });

  it('shows a village its open blockers without anyone’s name, a link to its team, and the breadcrumb up to the province', async () => {
    const { status, html } = await page('communeOfficer', `unit=${VILLAGE}`);
    assert.equal(status, 200);
    assert.match(html, /<h1>Bảng theo dõi: Ấp Phước Tiến<\/h1>/);
    assert.ok(html.includes(`<li><a href="/office/dashboard?unit=${PROVINCE}&campaign=${w.campaignId}">Tỉnh Đồng Nai</a></li>`));
    assert.ok(html.includes(`<li><a href="/office/dashboard?unit=${COMMUNE}&campaign=${w.campaignId}">Xã Hưng Phước</a></li>`));
    assert.match(html, /<li aria-current="page">Ấp Phước Tiến<\/li>/);
    assert.match(html, /Vướng mắc đang mở ở Ấp Phước Tiến \(2\)/);
    assert.match(html, /<td>Dùng điện thoại bàn phím<\/td>/);
    assert.match(html, /<td>Cổng dịch vụ công<\/td>/);
    assert.match(html, /<td>18\/11\/2026 09:00<\/td>/);
    for (const name of ['K’Ho Văn Đức', 'Thị Mai', 'Điểu Văn Lực', 'Điểu Thị Hoa']) assert.ok(!html.includes(name), `${name} is on the village dashboard`);
    assert.ok(html.includes(`href="/office/teams/${VILLAGE}"`));
    assert.doesNotMatch(html, /So sánh các đơn vị cấp dưới/);
    assert.doesNotMatch(html, /table=children/, 'no table of units below a village to download');
  });

  it('says "no data", never 0, for a village without a register', async () => {
    const { status, html } = await page('communeLeader', `unit=${EMPTY_VILLAGE}`);
    assert.equal(status, 200);
    for (const key of ['smartphone_pct', 'sim_owner_pct', 'households_visited']) {
      const card = new RegExp(`<li id="indicator-${key}">(.*?)</li>`, 's').exec(html)?.[1] ?? '';
      assert.match(card, /<strong>Chưa có dữ liệu<\/strong>/, key);
    }
    assert.match(html, /<li id="indicator-open_blockers">.*?<strong>0<\/strong>/s, 'a count of open blockers is a real 0');
    assert.match(html, /Thôn này chưa có tổ công nghệ số cộng đồng/);
  });

  it('shows every indicator without a campaign when "no campaign" is chosen, in English too', async () => {
    const { html } = await page('communeLeader', `unit=${COMMUNE}&campaign=none&lang=en`);
    assert.match(html, /<h1>Dashboard: Xã Hưng Phước<\/h1>/);
    assert.match(html, /No campaign/);
    assert.equal([...html.matchAll(/<li id="indicator-/g)].length, 12);
    assert.match(html, /<option value="none" selected>No campaign \(all indicators\)<\/option>/);
    assert.match(/<li id="indicator-smartphone_pct">(.*?)<\/li>/s.exec(html)?.[1] ?? '', /<strong>66\.7%<\/strong>/);
    assert.match(html, /<caption>Units of Xã Hưng Phước, ranked by “Adults with a smartphone”<\/caption>/);
  });

  it('refuses officers outside the subtree and specialists, and sends visitors to sign in', async () => {
    for (const [who, unit] of [
      ['outsideLeader', COMMUNE],
      ['outsideLeader', VILLAGE],
      ['specialist', COMMUNE],
      ['villageOfficer', COMMUNE],
    ] as const) {
      for (const path of [`/office/dashboard?unit=${unit}`, `/office/dashboard/export?unit=${unit}&table=indicators&format=csv`, `/office/dashboard/summary.pdf?unit=${unit}`]) {
        const res = await w.clients[who].get(path);
        assert.equal(res.status, 403, `${path} as ${who}`);
      }
    }
    const own = await page('villageOfficer', `unit=${VILLAGE}`);
    assert.equal(own.status, 200);
    const mine = await page('villageOfficer', '');
    assert.match(mine.html, /<h1>Bảng theo dõi: Ấp Phước Tiến<\/h1>/, 'without a unit: the officer’s own unit');
    const anon = await fetch(`${web.baseUrl}/office/dashboard?unit=${COMMUNE}`, { redirect: 'manual' });
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location') ?? '', /^\/office\/sign-in\?next=/);
  });

  it('answers a bad period with the form and what to fix, and an unknown campaign with not found', async () => {
    for (const q of ['from=2026-11-30&to=2026-11-01', 'from=2026-02-30', 'from=2020-01-01&to=2026-11-01', 'to=yesterday']) {
      const { status, html } = await page('communeLeader', `unit=${COMMUNE}&${q}`);
      assert.equal(status, 400, q);
      assert.match(html, /<div class="error-summary"/);
      assert.match(html, /<a href="#f-from">Thời gian chưa hợp lệ/);
      assert.match(html, /<title>Lỗi: /);
      assert.doesNotMatch(html, /id="indicator-/, 'no figures for a period that could not be read');
    }
    assert.equal((await page('communeLeader', `unit=${COMMUNE}&campaign=999999`)).status, 404);
    assert.equal((await page('communeLeader', `unit=${COMMUNE}&campaign=abc`)).status, 404);
    assert.equal((await page('communeLeader', `unit=99999`)).status, 404);
    // Another commune's campaign does not concern the village.
    assert.equal((await page('provinceLeader', `unit=${OTHER_COMMUNE}&campaign=${w.oldCampaignId}`)).status, 404);
  });
});
