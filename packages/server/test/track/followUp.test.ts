import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { cookiesFrom, startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen } from '../support/citizens.ts';
import { PageClient, act, awaitingFees, awaitingSupplement, fileOnline, hiddenValue, mainOf, officerOf, scanPng, sessionCookie, MISSING } from './helpers.ts';

describeEachEngine("a citizen's dossiers: my list, answering a supplement request, withdrawing", (env) => {
  let web: WebServer;
  const dossierRow = (code: string) => env.db.kysely.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirstOrThrow();

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  it('lists only the signed-in citizen’s dossiers, and asks for sign-in first', async () => {
    const mine = await fileOnline(web.ctx);
    const theirs = await fileOnline(web.ctx);
    const me = new PageClient(web.baseUrl, mine.citizen.cookie);
    const list = await me.get('/my');
    assert.equal(list.status, 200);
    assert.match(list.html, new RegExp(mine.code));
    assert.doesNotMatch(list.html, new RegExp(theirs.code));
    assert.match(list.html, /Đã gửi, chờ cơ quan nhận/);
    const anonymous = await new PageClient(web.baseUrl).get('/my');
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.location ?? '', /^\/sign-in\?next=/);
  });

  it('answers "not found" for someone else’s dossier, on every page and post', async () => {
    const theirs = await fileOnline(web.ctx);
    const officer = await officerOf(web.ctx);
    await awaitingSupplement(web.ctx, officer, theirs.code);
    const stranger = await makeCitizen(web.ctx);
    const c = new PageClient(web.baseUrl, stranger.cookie);
    for (const path of ['', '/supplement', '/withdraw', '/pay']) assert.equal((await c.get(`/my/${theirs.code}${path}`)).status, 404, path);
    await c.get('/my');
    const post = await c.post(`/my/${theirs.code}/supplement`, { transactionId: 'tx-stranger-0001' }, { file_0: { name: 'a.png', data: await scanPng(), type: 'image/png' } });
    assert.equal(post.status, 404);
    assert.equal((await c.post(`/my/${theirs.code}/withdraw`, { transactionId: 'tx-stranger-0002' })).status, 404);
    assert.equal((await dossierRow(theirs.code)).status, 5);
  });

  it('shows exactly which papers are missing, stores the uploads and restarts the clock, moving the due date by the paused working time', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx);
    web.ctx.clock.set('2026-11-25T10:00:00+07:00');
    await awaitingSupplement(web.ctx, officer, filed.code);
    const before = await dossierRow(filed.code);
    assert.ok(before.due_at && before.paused_at);

    const c = new PageClient(web.baseUrl, filed.citizen.cookie);
    const page = await c.get(`/my/${filed.code}`);
    assert.match(page.html, /Cần bổ sung giấy tờ/);
    assert.match(page.html, new RegExp(`href="/my/${filed.code}/supplement"`));
    const form = await c.get(`/my/${filed.code}/supplement`);
    assert.equal(form.status, 200);
    for (const doc of MISSING) assert.match(form.html, new RegExp(`<label for="f-file_\\d">${doc}</label>`));
    assert.match(form.html, /enctype="multipart\/form-data"/);

    // Two working days later (Friday 10:00) the citizen sends one of the papers.
    web.ctx.clock.set('2026-11-27T10:00:00+07:00');
    cookiesFrom(await sessionCookie(web.ctx, filed.citizen.id), c.jar);
    await c.get(`/my/${filed.code}/supplement`); // the new session's form token
    const sent = await c.post(`/my/${filed.code}/supplement`, { transactionId: hiddenValue(form.html, 'transactionId'), note: 'Căn cước tôi mang đến sau.' }, { file_0: { name: 'giay-chung-sinh.png', data: await scanPng(), type: 'image/png' } });
    assert.equal(sent.status, 303, sent.html.slice(0, 400));
    assert.equal(sent.location, `/my/${filed.code}?done=supplement`);

    const after = await dossierRow(filed.code);
    assert.equal(after.status, 4);
    assert.equal(after.paused_at, null);
    const calendar = await web.ctx.calendar.calendar();
    const paused = calendar.workingMinutesBetween(before.paused_at!, new Date('2026-11-27T10:00:00+07:00'));
    assert.ok(paused >= 2 * 8 * 60 - 60, `paused ${paused} working minutes`);
    assert.equal(calendar.workingMinutesBetween(before.due_at!, after.due_at!), paused, 'due date moved by exactly the paused working time');
    const docs = await env.db.kysely.selectFrom('documents').select(['kind', 'label', 'uploaded_by_citizen', 'content_type']).where('dossier_id', '=', after.id).execute();
    assert.deepEqual(docs, [{ kind: 'supplement', label: MISSING[0], uploaded_by_citizen: filed.citizen.id, content_type: 'image/jpeg' }]);
    const log = await env.db.kysely.selectFrom('dossier_actions').select(['action', 'actor_role', 'citizen_id']).where('dossier_id', '=', after.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(log, { action: 'supplement_received', actor_role: 'citizen', citizen_id: filed.citizen.id });

    const done = await c.get(sent.location!);
    assert.match(done.html, /Đã gửi giấy tờ bổ sung/);
    assert.match(done.html, /Bạn gửi giấy tờ bổ sung\./);
    // Sending the same form again changes nothing; asking again is a clear "not now".
    const again = await c.post(`/my/${filed.code}/supplement`, { transactionId: hiddenValue(form.html, 'transactionId') }, { file_0: { name: 'x.png', data: await scanPng(), type: 'image/png' } });
    assert.equal(again.status, 303);
    assert.equal((await c.get(`/my/${filed.code}/supplement`)).status, 409);
    const count = await env.db.kysely.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n')).where('dossier_id', '=', after.id).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
    web.ctx.clock.set('2026-11-25T09:00:00+07:00');
  });

  it('requires at least one paper, and refuses a file that is not a photo or PDF, saying what to do', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx);
    await awaitingSupplement(web.ctx, officer, filed.code);
    const c = new PageClient(web.baseUrl, filed.citizen.cookie);
    const form = await c.get(`/my/${filed.code}/supplement`);
    const none = await c.post(`/my/${filed.code}/supplement`, { transactionId: hiddenValue(form.html, 'transactionId') }, {});
    assert.equal(none.status, 400);
    assert.match(none.html, /href="#f-file_0"/);
    assert.match(none.html, /Hãy chọn ảnh hoặc tệp của ít nhất một giấy tờ/);
    const text = await c.post(`/my/${filed.code}/supplement`, { transactionId: hiddenValue(form.html, 'transactionId') }, { file_1: { name: 'cccd.jpg', data: Buffer.from('không phải ảnh'), type: 'image/jpeg' } });
    assert.equal(text.status, 400);
    assert.match(text.html, /href="#f-file_1"/);
    assert.match(text.html, /Chỉ nhận ảnh/);
    assert.equal((await dossierRow(filed.code)).status, 5);
  });

  it('withdraws after a confirmation page, with an optional reason', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx);
    await awaitingFees(web.ctx, officer, filed.code);
    const c = new PageClient(web.baseUrl, filed.citizen.cookie);
    const page = await c.get(`/my/${filed.code}`);
    assert.match(page.html, new RegExp(`href="/my/${filed.code}/withdraw"`));
    const confirm = await c.get(`/my/${filed.code}/withdraw`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Bạn muốn rút hồ sơ này\?/);
    const res = await c.post(`/my/${filed.code}/withdraw`, { transactionId: hiddenValue(confirm.html, 'transactionId'), reason: 'Tôi nộp nhầm thủ tục.' });
    assert.equal(res.status, 303);
    assert.equal(res.location, `/my/${filed.code}?done=withdrawn`);
    const d = await dossierRow(filed.code);
    assert.equal(d.status, 7);
    const last = await env.db.kysely.selectFrom('dossier_actions').select(['action', 'payload']).where('dossier_id', '=', d.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    assert.equal(last.action, 'request_withdrawal');
    assert.equal((last.payload as { reason?: string }).reason, 'Tôi nộp nhầm thủ tục.');
    assert.match(mainOf((await c.get(res.location!)).html), /Đã gửi yêu cầu rút hồ sơ/);
  });

  it('answers 409 with a clear page when the dossier can no longer be withdrawn', async () => {
    const officer = await officerOf(web.ctx);
    const fresh = await fileOnline(web.ctx); // status 1: not received yet
    const c = new PageClient(web.baseUrl, fresh.citizen.cookie);
    const res = await c.get(`/my/${fresh.code}/withdraw`);
    assert.equal(res.status, 409);
    assert.match(res.html, /Không rút được hồ sơ này/);
    assert.match(res.html, /Đã gửi, chờ cơ quan nhận/);
    const done = await fileOnline(web.ctx);
    await act(web.ctx, officer, done.code, 'receive');
    await act(web.ctx, officer, done.code, 'start_processing');
    const d = new PageClient(web.baseUrl, done.citizen.cookie);
    const confirm = await d.get(`/my/${done.code}/withdraw`);
    assert.equal(confirm.status, 200);
    // The office finishes while the confirmation page is open.
    await act(web.ctx, officer, done.code, 'finish');
    const late = await d.post(`/my/${done.code}/withdraw`, { transactionId: hiddenValue(confirm.html, 'transactionId') });
    assert.equal(late.status, 409);
    assert.equal((await dossierRow(done.code)).status, 9);
  });

  it('stops', async () => {
    await web.close();
  });
});
