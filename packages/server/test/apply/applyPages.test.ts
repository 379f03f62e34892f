import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, csrfFrom, type WebServer } from '../support/webServer.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import { addDraftDocument, startDraft } from '../../src/modules/dossiers/drafts.ts';
import { PDF, fillDraft } from './helpers.ts';

describeEachEngine('apply pages over HTTP', (env) => {
  let web: WebServer;
  let owner: TestCitizen;
  let stranger: TestCitizen;
  let draftId = 0;
  let documentId = 0;

  const get = (path: string, who?: TestCitizen) => fetch(`${web.baseUrl}${path}`, { redirect: 'manual', headers: who ? { cookie: who.cookie } : {} });
  async function post(path: string, who: TestCitizen, fields: Record<string, string> = {}) {
    const csrf = csrfFrom(await (await get('/apply', who)).text());
    return fetch(`${web.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  }

  it('starts', async () => {
    web = await startWebServer(env.db);
    owner = await makeCitizen(web.ctx, { fullName: 'Điểu Thị Hoa' });
    stranger = await makeCitizen(web.ctx, { fullName: 'Lò Văn Lạ' });
    const actor = { citizenId: owner.id, ip: null };
    draftId = (await startDraft(web.ctx, actor, '1.001193')).id;
    documentId = await addDraftDocument(web.ctx, actor, draftId, 'birthCertificate', { filename: 'giay.pdf', data: PDF });
  });

  it('sends a visitor who is not signed in to the sign-in page, and back here afterwards', async () => {
    const res = await get('/apply/1.001193');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/sign-in?next=${encodeURIComponent('/apply/1.001193')}`);
  });

  it("answers 404 for every page of another citizen's draft, the same as for a draft that does not exist", async () => {
    for (const path of [`/apply/d/${draftId}`, `/apply/d/${draftId}/q/childFullName`, `/apply/d/${draftId}/check`, `/apply/d/${draftId}/file/${documentId}`, '/apply/d/99999999/q/childFullName'])
      assert.equal((await get(path, stranger)).status, 404, path);
    assert.equal((await post(`/apply/d/${draftId}/q/childFullName`, stranger, { childFullName: 'Kẻ lạ' })).status, 404);
    assert.equal((await post(`/apply/d/${draftId}/submit`, stranger)).status, 404);
    assert.equal((await post(`/apply/d/${draftId}/delete`, stranger)).status, 404);
    assert.equal((await post(`/apply/d/${draftId}/q/birthCertificate/remove/${documentId}`, stranger)).status, 404);
    // The owner sees them.
    assert.equal((await get(`/apply/d/${draftId}/q/childFullName`, owner)).status, 200);
    const file = await get(`/apply/d/${draftId}/file/${documentId}`, owner);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    assert.match(file.headers.get('content-disposition') ?? '', /^attachment;/);
  });

  it('refuses a form post without the CSRF token', async () => {
    const res = await fetch(`${web.baseUrl}/apply/d/${draftId}/q/childFullName`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'childFullName=X',
    });
    assert.equal(res.status, 403);
  });

  it('saves an answer and moves to the next question with a 303', async () => {
    const res = await post(`/apply/d/${draftId}/q/childFullName`, owner, { childFullName: 'Điểu Thị Mai', then: 'next' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/apply/d/${draftId}/q/childSex`);
    const again = await post(`/apply/d/${draftId}/q/childSex`, owner, { childSex: 'dragon' });
    assert.equal(again.status, 400);
    const html = await again.text();
    assert.match(html, /class="error-summary"/);
    assert.match(html, /href="#f-childSex"/);
  });

  it('creates one dossier when "send" is pressed twice at once', async () => {
    const actor = { citizenId: owner.id, ip: null };
    const id = (await startDraft(web.ctx, actor, '1.004873')).id;
    await fillDraft(web.ctx, actor, id);
    const [a, b] = await Promise.all([post(`/apply/d/${id}/submit`, owner), post(`/apply/d/${id}/submit`, owner)]);
    assert.equal(a.status, 303);
    assert.equal(b.status, 303);
    assert.equal(a.headers.get('location'), b.headers.get('location'));
    const code = decodeURIComponent((a.headers.get('location') ?? '').replace('/apply/done/', ''));
    const rows = await env.db.kysely.selectFrom('dossiers').select('code').where('citizen_id', '=', owner.id).execute();
    assert.deepEqual(rows.map((r) => r.code), [code]);
    // The confirmation is the owner's only.
    assert.equal((await get(`/apply/done/${encodeURIComponent(code)}`, owner)).status, 200);
    assert.equal((await get(`/apply/done/${encodeURIComponent(code)}`, stranger)).status, 404);
    // The sent draft's pages lead to its confirmation.
    assert.equal((await get(`/apply/d/${id}/q/fullName`, owner)).headers.get('location'), `/apply/done/${encodeURIComponent(code)}`);
  });

  it('stops', async () => {
    await web.close();
  });
});
