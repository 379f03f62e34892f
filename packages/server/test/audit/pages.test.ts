import { it } from 'node:test';
import assert from 'node:assert/strict';
import { localDateOf, addDays } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { audit } from '../../src/modules/audit/service.ts';
import { sealAuditChain } from '../../src/modules/audit/chain.ts';
import { assertHas, officerOn, signedIn, type Client } from '../admin/support.ts';

describeEachEngine('audit search page', (env) => {
  let web: WebServer;
  let client: Client;
  let admin: { id: number; username: string };
  let clerk: { id: number; username: string };
  // Entries carry the database's own clock, not the test's.
  const today = localDateOf(new Date());

  it('starts with entries written by two officers', async () => {
    web = await startWebServer(env.db);
    admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin');
    clerk = await officerOn(env.db, [{ role: 'officer', unitCode: '25309' }], 'clerk');
    client = await signedIn(web, admin.id);
    await env.db.transaction(async (trx) => {
      for (let i = 0; i < 55; i++) await audit(trx, { actorId: clerk.id, action: 'dossier.view', entity: 'dossier', entityId: `H75.25309-261125-${String(i).padStart(4, '0')}`, ip: '10.1.2.3', userAgent: 'Mozilla/5.0 (office desktop)' });
      await audit(trx, { actorId: admin.id, action: 'user.create', entity: 'user', entityId: clerk.id, detail: { role: 'officer' }, ip: '10.9.9.9' });
    });
  });

  it('shows who, when, from where and what, newest first, a page at a time', async () => {
    const res = await client.get(`/office/admin/audit?actor=${clerk.username}`);
    assert.equal(res.status, 200);
    assertHas(res.html, /H75\.25309-261125-0054/);
    assert.doesNotMatch(res.html, /H75\.25309-261125-0004</, 'older entries are on the next page');
    assertHas(res.html, /10\.1\.2\.3/);
    assertHas(res.html, /Mozilla\/5\.0 \(office desktop\)/);
    assertHas(res.html, new RegExp(`>${clerk.username.replace('.', '\\.')}</a>`));
    assertHas(res.html, /<code>dossier\.view<\/code>/);
    assertHas(res.html, /rel="next"/);
    const next = /href="([^"]+)" rel="next"/.exec(res.html)?.[1]?.replace(/&amp;/g, '&') ?? '';
    assert.match(next, /actor=clerk.*page=2/);
    const page2 = await client.get(next);
    assertHas(page2.html, /H75\.25309-261125-0004</);
    assert.doesNotMatch(page2.html, /rel="next"/);
  });

  it('filters by action (its start is enough), entity and id, and date range', async () => {
    const byAction = await client.get('/office/admin/audit?action=user.');
    assertHas(byAction.html, /<code>user\.create<\/code>/);
    assert.doesNotMatch(byAction.html, /<code>dossier\.view<\/code>/);
    const byEntity = await client.get('/office/admin/audit?entity=dossier&entityId=H75.25309-261125-0007');
    assert.equal([...byEntity.html.matchAll(/<code>dossier\.view<\/code>/g)].length, 1);
    const inRange = await client.get(`/office/admin/audit?action=user.create&from=${today}&to=${today}`);
    assertHas(inRange.html, /<code>user\.create<\/code>/);
    const before = await client.get(`/office/admin/audit?action=user.create&to=${addDays(today, -1)}`);
    assertHas(before.html, /Không có mục nào khớp/);
  });

  it('says what is wrong with a date range', async () => {
    const bad = await client.get('/office/admin/audit?from=2026-02-30');
    assert.equal(bad.status, 400);
    assertHas(bad.html, /href="#f-from">Ngày chưa đúng/);
    const reversed = await client.get('/office/admin/audit?from=2026-12-01&to=2026-11-01');
    assert.equal(reversed.status, 400);
    assertHas(reversed.html, /Ngày kết thúc phải sau ngày bắt đầu/);
  });

  it('shows where each entry sits in the hash chain once sealed', async () => {
    const pending = await client.get('/office/admin/audit?action=user.create');
    assertHas(pending.html, /đang chờ niêm phong/);
    await sealAuditChain(env.db);
    const sealed = await client.get('/office/admin/audit?action=user.create');
    assertHas(sealed.html, /<td>#\d+<\/td>/);
  });

  it('records each search in the trail itself', async () => {
    const searches = await env.db.kysely.selectFrom('audit_log').select('detail').where('action', '=', 'audit.search').where('actor_id', '=', admin.id).execute();
    assert.ok(searches.some((s) => (s.detail as { action?: string }).action === 'user.'));
  });

  it('stops', async () => {
    await web.close();
  });
});
