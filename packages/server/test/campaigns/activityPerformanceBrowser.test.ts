/**
 * The team activity page and the public performance pages in real Chromium, with JavaScript off
 * (they must work without it), checked by axe-core in Vietnamese and English: tables, the SVG
 * charts with their names, the period links, the suppression note. The fixture has visits,
 * follow-ups, a register, dossier counters and a campaign with targets, so every table shows.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CounterDelta } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser } from '../support/browser.ts';
import { officerOn, signedIn } from '../admin/support.ts';
import { seedField } from '../teams/support.ts';
import { makeCampaign, register } from './campaignSupport.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { setTargets } from '../../src/modules/campaigns/campaignService.ts';
import { refreshRegisterFigures } from '../../src/modules/campaigns/registerFigures.ts';
import { applyCounterDeltas } from '../../src/modules/reports/counters.ts';

describeEachEngine('team activity and public performance pages in the browser', (env) => {
  let web: WebServer;
  let officerCookie = '';
  const browser = useBrowser();

  before(async () => {
    web = await startWebServer(env.db);
    const db = env.db;
    await seedField(db, web.ctx);
    await register(db, '25309-02', 12);
    await refreshRegisterFigures(db, web.ctx.now());
    const commune = (await db.kysely.selectFrom('units').select('ancestor_ids').where('code', '=', '25309').where('valid_to', 'is', null).executeTakeFirstOrThrow()).ancestor_ids.map(Number);
    const d = (day: string, field: CounterDelta['field'], delta: number): CounterDelta => ({ day, field, delta });
    await db.transaction((trx) => applyCounterDeltas(trx, commune, '2.000635', [d('2026-11-17', 'receivedOnline', 7), d('2026-11-18', 'receivedDirect', 2), d('2026-11-20', 'resolvedOn', 6)]));
    const leader = await officerOn(db, [{ role: 'leader', unitCode: '25309' }], 'lanhdao');
    const campaign = await makeCampaign(web, leader.id, { startsOn: '2026-11-01', endsOn: '2027-01-31', indicators: ['smartphone_pct', 'service_accounts'] });
    const loaded = await loadOfficer(db.kysely, leader.id);
    assert.ok(loaded);
    await setTargets(
      web.ctx,
      { officer: loaded, ip: '127.0.0.1' },
      campaign.id,
      {
        version: campaign.version,
        targets: [
          { unit: '25309', indicator: 'smartphone_pct', target: 80 },
          { unit: '25309-02', indicator: 'smartphone_pct', target: 90 },
          { unit: '25309-02', indicator: 'service_accounts', target: 5 },
        ],
      },
      'api',
    );
    officerCookie = (await signedIn(web, (await officerOn(db, [{ role: 'officer', unitCode: '25309' }])).id)).cookie;
  });
  after(async () => {
    await web?.close();
  });

  it('the team activity page passes axe-core in Vietnamese and English, and its chart is named', async () => {
    const context = await browser.context({ js: false });
    const [name, value] = officerCookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: web.baseUrl }]);
    const page = await context.newPage();
    for (const path of ['/office/activity?unit=25309', '/office/activity?unit=25309&lang=en', '/office/activity?unit=25309&from=2026-11-30&to=2026-11-01&lang=vi']) {
      const res = await page.goto(`${web.baseUrl}${path}`);
      assert.equal(res?.status(), path.includes('from=') ? 400 : 200, path);
      await expectAccessible(page);
    }
    await page.goto(`${web.baseUrl}/office/activity?unit=25309&lang=vi`);
    assert.equal(await page.getByRole('img', { name: 'Số lượt hỗ trợ mỗi tuần: Xã Hưng Phước' }).count(), 1);
    assert.equal(await page.getByRole('link', { name: 'Xem bảng theo dõi của Xã Hưng Phước' }).count(), 1);
  });

  it('the performance pages pass axe-core without a session, in Vietnamese and English', async () => {
    const context = await browser.context({ js: false });
    const page = await context.newPage();
    for (const path of ['/performance', '/performance?lang=en', '/performance/25309?lang=vi', '/performance/25309?lang=en', '/performance?period=ytd&lang=vi']) {
      const res = await page.goto(`${web.baseUrl}${path}`);
      assert.equal(res?.status(), 200, path);
      await expectAccessible(page);
    }
    await page.goto(`${web.baseUrl}/performance?lang=vi`);
    assert.equal(await page.getByText('Để bảo vệ thông tin cá nhân, số nhỏ hơn 5 không hiển thị.').count(), 1);
    await page.getByRole('link', { name: 'Xã Hưng Phước' }).first().click();
    await page.waitForURL(/\/performance\/25309/);
    assert.equal(await page.getByRole('img', { name: 'Tỉ lệ nộp trực tuyến và đúng hẹn từng tuần: Xã Hưng Phước' }).count(), 1);
    await page.getByRole('link', { name: 'Từ đầu năm' }).click();
    await page.waitForURL(/period=ytd/);
    assert.equal(await page.locator('[aria-current="true"]').textContent(), 'Từ đầu năm');
  });
});
