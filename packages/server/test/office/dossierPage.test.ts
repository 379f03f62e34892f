import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { txid } from '../support/fixtures.ts';
import { allKeys } from '../../src/web/i18n.ts';
import { QUEUE_TABS } from '../../src/modules/dossiers/office/queues.ts';
import { actOnDossier } from '../../src/modules/dossiers/service.ts';
import { citizenDossier } from '../../src/modules/dossiers/citizenDossiers.ts';
import { prepareUpload, storeDocument } from '../../src/modules/dossiers/documents.ts';
import { findDossierByCode } from '../../src/modules/dossiers/queries.ts';
import { COMMUNE, OTHER_COMMUNE, PageClient, officerAt, onlineDossier, scanPng, txidOfForm, type TestOfficer } from './helpers.ts';

it('has words for every action, queue tab and role in both languages', () => {
  for (const lang of ['vi', 'en']) {
    const keys = new Set(allKeys(lang));
    const need = [
      ...ACTIONS.flatMap((a) => [`office.action.${a}.title`, `office.action.${a}.hint`, `office.action.${a}.button`, `office.log.action.${a}`, `office.done.${a}`]),
      ...['refuse', 'stop'].flatMap((a) => [`office.action.${a}.reason_hint`, `office.action.${a}.reason_missing`]),
      ...QUEUE_TABS.map((t) => `office.queue.tab.${t}`),
      ...['admin', 'leader', 'officer', 'specialist', 'citizen'].map((r) => `office.role.${r}`),
      ...['success', 'bad_password', 'bad_code', 'locked'].map((o) => `office.account.sign_ins.${o}`),
      'office.log.action.create',
    ];
    assert.deepEqual(need.filter((k) => !keys.has(k)), [], lang);
  }
});

describeEachEngine('the back-office dossier page', (env) => {
  let web: WebServer;
  let desk: TestOfficer;
  let specialist: TestOfficer;
  let outsider: TestOfficer;

  const auditCount = async (action: string, entityId: string) =>
    Number((await env.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', action).where('entity_id', '=', entityId).executeTakeFirstOrThrow()).n);

  it('starts', async () => {
    web = await startWebServer(env.db);
    desk = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }], 'Nguyễn Thị Lan');
    specialist = await officerAt(web.ctx, [{ role: 'specialist', unitCode: COMMUNE }], 'Phạm Văn Đức');
    outsider = await officerAt(web.ctx, [{ role: 'officer', unitCode: OTHER_COMMUNE }, { role: 'specialist', unitCode: OTHER_COMMUNE }], 'Lò Văn Sáng');
  });

  it('shows the applicant in full, the form answers by their labels, the papers and the log, and audits the read', async () => {
    const { code, citizen } = await onlineDossier(web.ctx, { fullName: 'Điểu Thị Hoa' });
    const before = await auditCount('dossier.read', code);
    const page = await new PageClient(web.baseUrl, desk.cookie).get(`/office/dossiers/${code}`);
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`<h1>Hồ sơ ${code.replace(/\./g, '\\.')}</h1>`));
    assert.match(page.html, /Đăng ký khai sinh/);
    assert.ok(page.html.includes(citizen.phone) && page.html.includes(citizen.idNumber), 'full personal data');
    assert.match(page.html, /Họ, chữ đệm và tên của trẻ/);
    assert.match(page.html, /Điểu Văn Nam/);
    assert.match(page.html, /<dt>Giới tính<\/dt><dd>Nam<\/dd>/);
    assert.match(page.html, /20\/11\/2026/);
    assert.match(page.html, /Nộp hồ sơ/);
    assert.equal(await auditCount('dossier.read', code), before + 1);
  });

  it('refuses the page and the papers to an officer of another commune', async () => {
    const { code } = await onlineDossier(web.ctx);
    const d = await findDossierByCode(env.db.kysely, code);
    const docId = await env.db.transaction(async (trx) => storeDocument(trx, { dossierId: d?.id ?? 0 }, await prepareUpload({ filename: 'giay-chung-sinh.png', data: await scanPng() }, 10_000_000), { kind: 'paper' }));
    const c = new PageClient(web.baseUrl, outsider.cookie);
    assert.equal((await c.get(`/office/dossiers/${code}`)).status, 403);
    assert.equal((await c.get(`/office/documents/${docId}`)).status, 403);
    assert.equal((await c.get('/office/dossiers/H75.25309-261125-9999')).status, 404);
    const csrfPage = (await c.get('/office')).html;
    assert.equal((await c.post(`/office/dossiers/${code}/comments`, { comment: 'xin chào' }, { from: csrfPage })).status, 403);
    assert.equal((await c.post(`/office/dossiers/${code}/actions/receive`, { transactionId: txid() }, { from: csrfPage })).status, 403);
    assert.equal((await findDossierByCode(env.db.kysely, code))?.status, 1);
  });

  it('shows a paper inline with its real type, nosniff, only to officers of the unit, and audits the view', async () => {
    const { code } = await onlineDossier(web.ctx);
    const d = await findDossierByCode(env.db.kysely, code);
    const png = await scanPng();
    const docId = await env.db.transaction(async (trx) => storeDocument(trx, { dossierId: d?.id ?? 0 }, await prepareUpload({ filename: 'Giấy chứng sinh.png', data: png }, 10_000_000), { kind: 'paper', label: 'Giấy chứng sinh' }));
    const page = await new PageClient(web.baseUrl, desk.cookie).get(`/office/dossiers/${code}`);
    assert.ok(page.html.includes(`href="/office/documents/${docId}"`));
    const res = await fetch(`${web.baseUrl}/office/documents/${docId}`, { headers: { cookie: desk.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg', 'photos are stored re-encoded as JPEG');
    assert.match(res.headers.get('content-disposition') ?? '', /^inline; filename="giay_chung_sinh\.jpg"; filename\*=UTF-8''Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh\.jpg$/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const body = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...body.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.equal(await auditCount('document.read', code), 1);
    assert.equal((await fetch(`${web.baseUrl}/office/documents/${docId}`, { redirect: 'manual' })).status, 303, 'signed out: to the sign-in page');
    assert.equal((await fetch(`${web.baseUrl}/office/documents/99999999`, { headers: { cookie: desk.cookie } })).status, 404);
  });

  it('offers only the actions the state machine allows and the role may take', async () => {
    const { code } = await onlineDossier(web.ctx);
    const d = new PageClient(web.baseUrl, desk.cookie);
    const s = new PageClient(web.baseUrl, specialist.cookie);
    const forms = (html: string) => [...html.matchAll(/\/actions\/([a-z_]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(forms((await d.get(`/office/dossiers/${code}`)).html), ['receive', 'refuse']);
    assert.deepEqual(forms((await s.get(`/office/dossiers/${code}`)).html), [], 'a specialist does not receive dossiers');
    assert.match(s.lastHtml, /Bạn không có việc gì cần làm/);
    assert.equal((await s.post(`/office/dossiers/${code}/actions/receive`, { transactionId: txid() })).status, 403);

    await actOnDossier(web.ctx, desk, code, { action: 'receive', transactionId: txid() });
    assert.deepEqual(forms((await d.get(`/office/dossiers/${code}`)).html), ['request_fees', 'request_supplement', 'request_withdrawal', 'start_processing', 'stop']);
    assert.deepEqual(forms((await s.get(`/office/dossiers/${code}`)).html), ['request_fees', 'request_supplement', 'start_processing']);
    assert.match(d.lastHtml, /\/office\/dossiers\/[^"]+\/forms\/01\.pdf/, 'the receipt (Mẫu 01) once received');
  });

  it('asks for the reason of a refusal and applies a form sent twice only once', async () => {
    const { code } = await onlineDossier(web.ctx);
    const c = new PageClient(web.baseUrl, desk.cookie);
    const page = await c.get(`/office/dossiers/${code}`);
    const empty = await c.post(`/office/dossiers/${code}/actions/refuse`, { transactionId: txidOfForm(page.html, 'refuse'), refuse_reason: '  ' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /<a href="#f-refuse_reason">Hãy ghi lý do không tiếp nhận\.<\/a>/);
    const tx = txidOfForm(page.html, 'receive');
    const first = await c.post(`/office/dossiers/${code}/actions/receive`, { transactionId: tx }, { from: page.html });
    const second = await c.post(`/office/dossiers/${code}/actions/receive`, { transactionId: tx }, { from: page.html });
    assert.equal(first.status, 303);
    assert.equal(first.location, `/office/dossiers/${code}?done=receive`);
    assert.equal(second.status, 303, 'the repeat is answered like the first');
    const log = await env.db.kysely.selectFrom('dossier_actions').select('action').where('transaction_id', '=', tx).execute();
    assert.equal(log.length, 1);
    const shown = await c.get(first.location ?? '');
    assert.match(shown.html, /Đã tiếp nhận hồ sơ\./);
    assert.match(shown.html, /Được tiếp nhận/);
  });

  it('answers a stale form with 409 and the dossier as it is now', async () => {
    const { code } = await onlineDossier(web.ctx);
    const c = new PageClient(web.baseUrl, desk.cookie);
    const stale = (await c.get(`/office/dossiers/${code}`)).html;
    await actOnDossier(web.ctx, desk, code, { action: 'receive', transactionId: txid() }); // a colleague was quicker
    const res = await c.post(`/office/dossiers/${code}/actions/refuse`, { transactionId: txidOfForm(stale, 'refuse'), refuse_reason: 'Sai thẩm quyền' }, { from: stale });
    assert.equal(res.status, 409);
    assert.match(res.html, /Chưa làm được: hồ sơ đã chuyển sang trạng thái «Được tiếp nhận»/);
    assert.match(res.html, /\/actions\/start_processing"/, 'the actions allowed now are offered');
  });

  it('asks for missing papers one per line, and takes the result paper on finish', async () => {
    const { code, citizen } = await onlineDossier(web.ctx);
    const c = new PageClient(web.baseUrl, desk.cookie);
    for (const a of ['receive', 'start_processing'] as const) {
      const page = await c.get(`/office/dossiers/${code}`);
      assert.equal((await c.post(`/office/dossiers/${code}/actions/${a}`, { transactionId: txidOfForm(page.html, a) })).status, 303);
    }
    let page = await c.get(`/office/dossiers/${code}`);
    const none = await c.post(`/office/dossiers/${code}/actions/request_supplement`, { transactionId: txidOfForm(page.html, 'request_supplement'), request_supplement_missing: '\n \n' });
    assert.equal(none.status, 400);
    const asked = await c.post(`/office/dossiers/${code}/actions/request_supplement`, {
      transactionId: txidOfForm(page.html, 'request_supplement'),
      request_supplement_missing: 'Giấy chứng sinh bản chính\r\n\r\n  Căn cước của mẹ  \n',
    }, { from: page.html });
    assert.equal(asked.status, 303);
    const view = await citizenDossier(web.ctx, { citizenId: citizen.id, ip: null }, code);
    assert.deepEqual(view.missingDocuments, ['Giấy chứng sinh bản chính', 'Căn cước của mẹ']);
    page = await c.get(`/office/dossiers/${code}`);
    assert.match(page.html, /Tạm dừng, chờ người dân bổ sung/);
    assert.match(page.html, /forms\/02\.pdf/);
    assert.equal((await c.post(`/office/dossiers/${code}/actions/supplement_received`, { transactionId: txidOfForm(page.html, 'supplement_received') })).status, 303);

    page = await c.get(`/office/dossiers/${code}`);
    const noFile = await c.post(`/office/dossiers/${code}/actions/finish`, { transactionId: txidOfForm(page.html, 'finish') }, { files: {} });
    assert.equal(noFile.status, 400);
    assert.match(noFile.html, /Hãy chọn tệp kết quả giải quyết/);
    const notAPaper = await c.post(`/office/dossiers/${code}/actions/finish`, { transactionId: txidOfForm(page.html, 'finish') }, { from: page.html, files: { finish_result: { name: 'ket-qua.exe', data: Buffer.from('MZ not a paper'), type: 'application/octet-stream' } } });
    assert.equal(notAPaper.status, 400);
    assert.match(notAPaper.html, /Chỉ nhận ảnh/);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const tx = txidOfForm(page.html, 'finish');
    const done = await c.post(`/office/dossiers/${code}/actions/finish`, { transactionId: tx }, { from: page.html, files: { finish_result: { name: 'Trích lục khai sinh.pdf', data: pdf, type: 'application/pdf' } } });
    assert.equal(done.status, 303);
    const again = await c.post(`/office/dossiers/${code}/actions/finish`, { transactionId: tx }, { from: page.html, files: { finish_result: { name: 'Trích lục khai sinh.pdf', data: pdf, type: 'application/pdf' } } });
    assert.equal(again.status, 303);
    const d = await findDossierByCode(env.db.kysely, code);
    const results = await env.db.kysely.selectFrom('documents').select(['filename', 'content_type']).where('dossier_id', '=', d?.id ?? 0).where('kind', '=', 'result').execute();
    assert.deepEqual(results, [{ filename: 'Trích lục khai sinh.pdf', content_type: 'application/pdf' }], 'stored once, in the same transaction as the action');
    const finish = await env.db.kysely.selectFrom('dossier_actions').select('payload').where('transaction_id', '=', tx).executeTakeFirstOrThrow();
    assert.equal((finish.payload as { resultDocument?: string }).resultDocument, 'Trích lục khai sinh.pdf');
    page = await c.get(`/office/dossiers/${code}`);
    assert.match(page.html, /Kết quả giải quyết/);
    assert.match(page.html, /Tệp kết quả: Trích lục khai sinh\.pdf/);
  });

  it('records fees paid at the counter with the amount and receipt', async () => {
    const { code } = await onlineDossier(web.ctx, { procedureCode: '1.004873' }); // has a fee
    for (const action of ['receive', 'request_fees'] as const) await actOnDossier(web.ctx, desk, code, { action, transactionId: txid() });
    const c = new PageClient(web.baseUrl, desk.cookie);
    const page = await c.get(`/office/dossiers/${code}`);
    assert.match(page.html, /name="fees_paid_amount"[^>]*value="\d+"|value="\d+"[^>]*name="fees_paid_amount"/, 'the fee is offered');
    const missing = await c.post(`/office/dossiers/${code}/actions/fees_paid`, { transactionId: txidOfForm(page.html, 'fees_paid'), fees_paid_amount: '', fees_paid_receipt: '' });
    assert.equal(missing.status, 400);
    const paid = await c.post(`/office/dossiers/${code}/actions/fees_paid`, { transactionId: txidOfForm(page.html, 'fees_paid'), fees_paid_amount: '15.000', fees_paid_receipt: 'BL-0042' }, { from: page.html });
    assert.equal(paid.status, 303);
    assert.equal((await findDossierByCode(env.db.kysely, code))?.status, 4);
  });

  it('hands a dossier to a specialist of the unit, and only to one', async () => {
    const { code } = await onlineDossier(web.ctx);
    await actOnDossier(web.ctx, desk, code, { action: 'receive', transactionId: txid() });
    const other = await officerAt(web.ctx, [{ role: 'specialist', unitCode: COMMUNE }], 'Hoàng Thị Yến');
    const c = new PageClient(web.baseUrl, desk.cookie);
    let page = await c.get(`/office/dossiers/${code}`);
    assert.match(page.html, /<option value="\d+">Phạm Văn Đức<\/option>/);
    assert.doesNotMatch(page.html, /Lò Văn Sáng/, 'a specialist of another commune is not offered');
    const bad = await c.post(`/office/dossiers/${code}/assign`, { assignee: String(outsider.officer.id) });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /không phải chuyên viên/);
    assert.equal((await c.post(`/office/dossiers/${code}/assign`, { assignee: String(specialist.officer.id) }, { from: page.html })).status, 303);
    assert.equal((await c.post(`/office/dossiers/${code}/assign`, { assignee: String(other.officer.id) }, { from: page.html })).status, 303);
    page = await c.get(`/office/dossiers/${code}`);
    assert.match(page.html, /Đang giao cho Hoàng Thị Yến \(do Nguyễn Thị Lan giao lúc 25\/11\/2026 09:00\)/);
    assert.match(page.html, /Phạm Văn Đức, do Nguyễn Thị Lan giao lúc/);
    assert.equal(await auditCount('dossier.assign', code), 2);
    const s = new PageClient(web.baseUrl, specialist.cookie);
    const sp = await s.get(`/office/dossiers/${code}`);
    assert.doesNotMatch(sp.html, /action="[^"]+\/assign"/, 'a specialist does not hand out work');
    assert.equal((await s.post(`/office/dossiers/${code}/assign`, { assignee: String(specialist.officer.id) })).status, 403);
  });

  it('keeps an internal comment thread that officers of the unit share and the citizen never sees', async () => {
    const { code, citizen } = await onlineDossier(web.ctx);
    const c = new PageClient(web.baseUrl, desk.cookie);
    await c.get(`/office/dossiers/${code}`);
    const empty = await c.post(`/office/dossiers/${code}/comments`, { comment: '   ' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /Hãy viết nội dung ý kiến/);
    const res = await c.post(`/office/dossiers/${code}/comments`, { comment: 'Giấy chứng sinh bị mờ, cần gọi <b>chị Hoa</b>.' });
    assert.equal(res.status, 303);
    const seen = await new PageClient(web.baseUrl, specialist.cookie).get(`/office/dossiers/${code}`);
    assert.match(seen.html, /Giấy chứng sinh bị mờ, cần gọi &lt;b>chị Hoa&lt;\/b>\./, 'shown as text, escaped');
    assert.match(seen.html, /<b>Nguyễn Thị Lan<\/b>/);
    const citizenView = JSON.stringify(await citizenDossier(web.ctx, { citizenId: citizen.id, ip: null }, code));
    assert.doesNotMatch(citizenView, /bị mờ/);
    assert.equal(await auditCount('dossier.comment', code), 1);
  });

  it('stops', async () => {
    await web.close();
  });
});
