import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, csrfFrom, type WebServer } from '../support/webServer.ts';
import { txid } from '../support/fixtures.ts';
import { receiveAtCounter, RECEIVED_PAPERS_KEY, RESULT_DELIVERY_KEY } from '../../src/modules/dossiers/counterIntake.ts';
import { prepareUpload } from '../../src/modules/dossiers/documents.ts';
import { openFormData } from '../../src/modules/dossiers/formData.ts';
import { birthRegistrationFields, deskOfficer, documentCount, dossierCount, hiddenValue, multipart, scanPng, type DeskOfficer } from './helpers.ts';

describeEachEngine('counter intake', (env) => {
  let web: WebServer;
  let desk: DeskOfficer;

  /** Opens the form (as the officer), then posts it with the page's own CSRF token and transactionId. */
  async function openForm(who: DeskOfficer, unit = '25309', procedure = '1.001193') {
    const res = await fetch(`${web.baseUrl}/office/intake/new?unit=${unit}&procedure=${procedure}`, { headers: { cookie: who.cookie } });
    const html = await res.text();
    return { res, html };
  }
  async function submit(who: DeskOfficer, html: string, fields: Record<string, string | string[]>, files = {}) {
    const body = multipart({ _csrf: csrfFrom(html), transactionId: hiddenValue(html, 'transactionId'), ...fields }, files);
    return fetch(`${web.baseUrl}/office/intake/new`, { method: 'POST', body, headers: { cookie: who.cookie }, redirect: 'manual' });
  }
  const codeFrom = (res: Response) => decodeURIComponent(/\/office\/intake\/received\/(.+)$/.exec(res.headers.get('location') ?? '')?.[1] ?? '');

  it('starts', async () => {
    web = await startWebServer(env.db);
    desk = await deskOfficer(web.ctx, [{ role: 'officer', unitCode: '25309' }]);
  });

  it('finds procedures whether or not the officer types the accents', async () => {
    for (const q of ['khai sinh', 'KHAI SINH', 'khai sinh', 'tinh trang hon nhan']) {
      const html = await (await fetch(`${web.baseUrl}/office/intake?q=${encodeURIComponent(q)}`, { headers: { cookie: desk.cookie } })).text();
      assert.match(html, q.includes('hon') ? /Cấp Giấy xác nhận tình trạng hôn nhân/ : /Đăng ký khai sinh/, q);
      assert.match(html, /href="\/office\/intake\/new\?unit=25309&amp;procedure=/);
    }
    const none = await (await fetch(`${web.baseUrl}/office/intake?q=xyzzy`, { headers: { cookie: desk.cookie } })).text();
    assert.match(none, /Không tìm thấy thủ tục nào/);
    const english = await (await fetch(`${web.baseUrl}/office/intake?q=khai+sinh&lang=en`, { headers: { cookie: desk.cookie } })).text();
    assert.match(english, /<h1>Counter intake<\/h1>/);
    assert.match(english, />Birth registration</, 'procedure names in the page language');
    const form = await (await fetch(`${web.baseUrl}/office/intake/new?unit=25309&procedure=1.001193&lang=en`, { headers: { cookie: desk.cookie } })).text();
    assert.match(form, /Child&#39;s full name|Child's full name/);
    assert.match(form, /Receive the dossier/);
  });

  it('receives a walk-in dossier at once, with its due date, the papers ticked and the scan stored with it', async () => {
    const { html } = await openForm(desk);
    assert.match(html, /Họ, chữ đệm và tên của trẻ/, 'labels come from the procedure form definition');
    assert.match(html, /Tờ khai đăng ký khai sinh/, 'required documents are offered as checkboxes');
    const res = await submit(desk, html, birthRegistrationFields(), { 'scan.birthCertificate': { name: 'giay-chung-sinh.png', data: await scanPng(), type: 'image/png' } });
    assert.equal(res.status, 303);
    const code = codeFrom(res);
    assert.match(code, /^H75\.25309-261125-\d{4}$/);

    const d = await env.db.kysely.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    assert.equal(d.channel, 1);
    assert.equal(d.status, 2, 'received at the counter at once');
    assert.equal(d.received_at?.toISOString(), web.ctx.now().toISOString());
    const calendar = await web.ctx.calendar.calendar();
    assert.equal(d.due_at?.toISOString(), calendar.dueAt(web.ctx.now(), { value: 1, unit: 'working_days' }).toISOString());
    assert.equal(d.applicant_name, 'Điểu Thị Hoa');
    assert.equal(d.applicant_phone_hash, web.ctx.vault.lookupHash('phone', '0912345678'), 'phone typed with spaces is stored as digits');
    const form = d.form_data as Record<string, unknown>;
    assert.equal(form.childFullName, 'Điểu Văn Nam');
    assert.deepEqual(form[RECEIVED_PAPERS_KEY], ['Tờ khai đăng ký khai sinh', 'Giấy chứng sinh do bệnh viện hoặc trạm y tế cấp', 'Giấy tờ tùy thân của người đi đăng ký (căn cước công dân)']);
    assert.equal(form[RESULT_DELIVERY_KEY], 'desk');
    assert.equal(d.applicant_sealed?.includes('070301234567'), false, 'the ID number is sealed');
    assert.equal(JSON.stringify(form).includes('070301234567'), false, "the mother's ID number in the answers is sealed too");
    const opened = openFormData(web.ctx, form);
    assert.equal(opened.motherIdNumber, '070301234567');
    assert.equal(opened.applicantPhone, '0912345678');

    const docs = await env.db.kysely.selectFrom('documents').select(['kind', 'label', 'content_type', 'uploaded_by_user']).where('dossier_id', '=', d.id).execute();
    assert.deepEqual(docs, [{ kind: 'birthCertificate', label: 'Ảnh chụp giấy chứng sinh', content_type: 'image/jpeg', uploaded_by_user: desk.officer.id }]);

    const page = await (await fetch(`${web.baseUrl}/office/intake/received/${encodeURIComponent(code)}`, { headers: { cookie: desk.cookie } })).text();
    assert.ok(page.includes(code));
    assert.match(page, new RegExp(`href="/office/dossiers/${code}/forms/01.pdf"`));
  });

  it('creates one dossier when the same form is sent twice (double click, resend)', async () => {
    const { html } = await openForm(desk);
    const before = await dossierCount(env.db);
    const docsBefore = await documentCount(env.db);
    const files = { 'scan.extra1': { name: 'to-khai.png', data: await scanPng(), type: 'image/png' } };
    const [a, b] = await Promise.all([submit(desk, html, birthRegistrationFields(), files), submit(desk, html, birthRegistrationFields(), files)]);
    const c = await submit(desk, html, birthRegistrationFields(), files);
    assert.deepEqual([a.status, b.status, c.status], [303, 303, 303]);
    assert.equal(codeFrom(a), codeFrom(b));
    assert.equal(codeFrom(a), codeFrom(c));
    assert.equal(await dossierCount(env.db), before + 1);
    assert.equal(await documentCount(env.db), docsBefore + 1);
  });

  it('a new form gets a new transaction id, so the next citizen gets a new dossier', async () => {
    const first = hiddenValue((await openForm(desk)).html, 'transactionId');
    const second = hiddenValue((await openForm(desk)).html, 'transactionId');
    assert.notEqual(first, second);
  });

  it('shows what to correct, keeps the answers and the transaction id, and stores nothing', async () => {
    const { html } = await openForm(desk);
    const before = await dossierCount(env.db);
    const res = await submit(
      desk,
      html,
      birthRegistrationFields({ 'applicant.fullName': '', 'applicant.idNumber': '12345', 'answer.childBirthDate': '2027-01-01', papers: [], 'answer.childSex': 'robot' }),
      { 'scan.birthCertificate': { name: 'note.txt', data: Buffer.from('not a photo'), type: 'text/plain' } },
    );
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /<title>Lỗi:/);
    assert.match(page, /Hãy nhập họ và tên người nộp hồ sơ/);
    assert.match(page, /gồm đúng 12 chữ số/);
    assert.match(page, /Ngày này chưa tới/);
    assert.match(page, /Hãy đánh dấu các giấy tờ đã nhận/);
    assert.match(page, /Hãy chọn một câu trả lời cho mục “Giới tính”/);
    assert.match(page, /Chỉ nhận ảnh \(JPG, PNG, WEBP\) hoặc tệp PDF/, 'a scan that is not a photo or PDF is refused by its content');
    assert.match(page, /Hãy chọn lại tệp/);
    assert.match(page, /value="Điểu Văn Nam"/, 'answers are kept');
    assert.equal(hiddenValue(page, 'transactionId'), hiddenValue(html, 'transactionId'));
    assert.equal(await dossierCount(env.db), before);
  });

  it('asks for an address when the result is to be posted', async () => {
    const { html } = await openForm(desk);
    const res = await submit(desk, html, birthRegistrationFields({ 'applicant.address': '', resultDelivery: 'post' }));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Hãy ghi địa chỉ để gửi kết quả qua bưu điện/);
  });

  it('stores the dossier and its scans together or not at all', async () => {
    const good = await prepareUpload({ filename: 'a.png', data: await scanPng() }, 10_000_000);
    // The database refuses this file (content type outside its CHECK): the dossier must go too.
    const broken = { ...good, contentType: 'text/html' as 'image/jpeg' };
    const transactionId = txid();
    const before = { dossiers: await dossierCount(env.db), documents: await documentCount(env.db) };
    const intake = (scans: { kind: string; label: string; file: typeof good }[], id = transactionId) =>
      receiveAtCounter(web.ctx, desk, {
        transactionId: id,
        unitCode: '25309',
        procedureCode: '1.001193',
        applicant: { fullName: 'Lâm Thị Thu' },
        answers: {},
        papersReceived: ['Tờ khai đăng ký khai sinh'],
        resultDelivery: 'desk',
        scans,
      });
    await assert.rejects(
      intake([
        { kind: 'scan', label: 'Tờ khai', file: good },
        { kind: 'scan', label: 'Giấy chứng sinh', file: broken },
      ]),
      (e: Error) => /content_type|check constraint/i.test(e.message),
    );
    assert.equal(await dossierCount(env.db), before.dossiers);
    assert.equal(await documentCount(env.db), before.documents);
    const logged = await env.db.kysely.selectFrom('dossier_actions').select('id').where('transaction_id', '=', transactionId).execute();
    assert.equal(logged.length, 0);
    // The same intake with only the good scan goes through, scan and all.
    await intake([{ kind: 'scan', label: 'Tờ khai', file: good }], txid());
    assert.equal(await dossierCount(env.db), before.dossiers + 1);
    assert.equal(await documentCount(env.db), before.documents + 1);
  });

  it('refuses an officer of another commune, for the form and for the post', async () => {
    const other = await deskOfficer(web.ctx, [{ role: 'officer', unitCode: '25308' }]);
    assert.equal((await openForm(other)).res.status, 403);
    const { html } = await openForm(desk);
    const before = await dossierCount(env.db);
    const res = await fetch(`${web.baseUrl}/office/intake/new`, {
      method: 'POST',
      body: multipart({ ...birthRegistrationFields(), _csrf: csrfFrom((await openForm(other, '25308')).html), transactionId: hiddenValue(html, 'transactionId') }),
      headers: { cookie: other.cookie },
      redirect: 'manual',
    });
    assert.equal(res.status, 403);
    assert.equal(await dossierCount(env.db), before);
    // Its own commune is offered, and only that one.
    const start = await (await fetch(`${web.baseUrl}/office/intake`, { headers: { cookie: other.cookie } })).text();
    assert.match(start, /name="unit" value="25308"/);
    assert.doesNotMatch(start, /25309/);
  });

  it('does not let a specialist or a leader receive dossiers at the counter', async () => {
    for (const role of ['specialist', 'leader'] as const) {
      const who = await deskOfficer(web.ctx, [{ role, unitCode: '25309' }]);
      const start = await fetch(`${web.baseUrl}/office/intake`, { headers: { cookie: who.cookie } });
      assert.equal(start.status, 403);
      const refusal = await start.text();
      assert.match(refusal, /Bạn không có quyền với đơn vị hoặc việc này/);
      assert.equal((await openForm(who)).res.status, 403);
      const before = await dossierCount(env.db);
      // With the session's own CSRF token (from the sign-out form on the page), so only the role can stop it.
      const res = await fetch(`${web.baseUrl}/office/intake/new`, {
        method: 'POST',
        body: multipart({ ...birthRegistrationFields(), _csrf: csrfFrom(refusal), transactionId: txid() }),
        headers: { cookie: who.cookie },
        redirect: 'manual',
      });
      assert.equal(res.status, 403, role);
      assert.match(await res.text(), /Bạn không có quyền với đơn vị hoặc việc này/);
      assert.equal(await dossierCount(env.db), before);
    }
  });

  it('lets an admin of the whole province choose among its communes', async () => {
    const admin = await deskOfficer(web.ctx, [{ role: 'admin', unitCode: '75' }]);
    const start = await (await fetch(`${web.baseUrl}/office/intake?unit=25308`, { headers: { cookie: admin.cookie } })).text();
    assert.match(start, /<select id="f-unit" name="unit"/);
    assert.match(start, /<option value="25308" selected>/);
    assert.match(start, /<option value="25309">/);
  });

  it('sends visitors who are not signed in to the sign-in page', async () => {
    const res = await fetch(`${web.baseUrl}/office/intake`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/office\/sign-in/);
  });

  it('stops', async () => {
    await web.close();
  });
});
