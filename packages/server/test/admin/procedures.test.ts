import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { txid } from '../support/fixtures.ts';
import { createDossier } from '../../src/modules/dossiers/service.ts';
import { listProcedures } from '../../src/modules/procedures/queries.ts';
import { allProcedures } from '../../src/modules/dossiers/office/lookups.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { assertHas, officerOn, signedIn, summaryOf, type Client } from './support.ts';

describeEachEngine('administration: procedures', (env) => {
  let web: WebServer;
  let client: Client;
  let adminId: number;

  /** The edit form as the page fills it in, with some fields changed. */
  async function formFor(code: string, change: Record<string, string> = {}): Promise<Record<string, string>> {
    const page = await client.get(`/office/admin/procedures/${code}`);
    assert.equal(page.status, 200);
    const values: Record<string, string> = {};
    for (const m of page.html.matchAll(/<input id="[^"]*" name="([^"]+)" type="text" value="([^"]*)"/g)) values[m[1] ?? ''] = decode(m[2] ?? '');
    for (const m of page.html.matchAll(/<input id="[^"]*" type="radio" name="([^"]+)" value="([^"]+)" checked/g)) values[m[1] ?? ''] = m[2] ?? '';
    for (const m of page.html.matchAll(/<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)<\/select>/gs)) values[m[1] ?? ''] = /<option value="([^"]*)" selected/.exec(m[2] ?? '')?.[1] ?? '';
    values.formJson = decode(/<textarea id="f-formJson" name="formJson"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.html)?.[1] ?? '');
    return { ...values, ...change };
  }
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

  it('starts with a province administrator signed in', async () => {
    web = await startWebServer(env.db);
    const admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin');
    adminId = admin.id;
    client = await signedIn(web, admin.id);
    const list = await client.get('/office/admin/procedures?q=khai+sinh');
    assertHas(list.html, /1\.001193/);
  });

  it('changes the SLA: audited, and used for dossiers received from then on', async () => {
    const before = await env.db.kysely.selectFrom('procedures').select(['sla_value', 'sla_unit']).where('code', '=', '1.001193').executeTakeFirstOrThrow();
    assert.deepEqual(before, { sla_value: 1, sla_unit: 'working_days' });
    const res = await client.post('/office/admin/procedures/1.001193', await formFor('1.001193', { slaValue: '3' }));
    assert.equal(res.status, 303, summaryOf(res.html));
    assert.equal(res.location, '/office/admin/procedures/1.001193?done=saved');
    const after = await env.db.kysely.selectFrom('procedures').select(['sla_value', 'sla_unit']).where('code', '=', '1.001193').executeTakeFirstOrThrow();
    assert.deepEqual(after, { sla_value: 3, sla_unit: 'working_days' });
    const entry = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'procedure.update').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(entry.actor_id, adminId);
    assert.equal(entry.entity_id, '1.001193');
    assert.deepEqual(entry.detail, { sla: { from: { value: 1, unit: 'working_days' }, to: { value: 3, unit: 'working_days' } } });

    const desk = await officerOn(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const officer = await loadOfficer(env.db.kysely, desk.id);
    assert.ok(officer);
    const d = await createDossier(web.ctx, { officer, ip: '127.0.0.1' }, { transactionId: txid(), procedureCode: '1.001193', unitCode: '25309', channel: 1, applicant: { fullName: 'Điểu Thị Lan' }, formData: { childFullName: 'Điểu Văn Bình' } });
    // Received Wednesday 25 Nov 2026 09:00; three working days later is Monday 30 Nov 09:00.
    assert.equal(d.dueAt, '2026-11-30T09:00:00+07:00');
  });

  it('changes names (and the search follows), fees, the online level and pauses a procedure', async () => {
    const form = await formFor('1.004873', { nameVi: 'Cấp giấy xác nhận tình trạng hôn nhân (mẫu mới)', onlineLevel: 'partial', active: 'no', 'fee.0.amount': '5.000', 'fee.1.nameVi': 'Phí sao y', 'fee.1.nameEn': 'Copy fee', 'fee.1.amount': '2000', 'fee.1.per': 'page' });
    const cachedBefore = (await allProcedures(web.ctx)).find((p) => p.code === '1.004873'); // the office queue's filter keeps names for a minute
    assert.notEqual(cachedBefore?.nameVi, form.nameVi);
    const res = await client.post('/office/admin/procedures/1.004873', form);
    assert.equal(res.status, 303, summaryOf(res.html));
    assert.equal((await allProcedures(web.ctx)).find((p) => p.code === '1.004873')?.nameVi, form.nameVi, 'the queue sees the new name at once');
    const row = await env.db.kysely.selectFrom('procedures').selectAll().where('code', '=', '1.004873').executeTakeFirstOrThrow();
    assert.equal(row.online_level, 'partial');
    assert.equal(row.active, false);
    assert.deepEqual(row.fees, [
      { nameVi: 'Lệ phí cấp Giấy xác nhận tình trạng hôn nhân', nameEn: 'Fee for the certificate', amount: 5000, per: 'copy' },
      { nameVi: 'Phí sao y', nameEn: 'Copy fee', amount: 2000, per: 'page' },
    ]);
    assert.match(row.search_text, /mau moi/);
    const publicList = await listProcedures(env.db.kysely, { searchTokens: ['mau', 'moi'], limit: 10, offset: 0 });
    assert.deepEqual(publicList, [], 'a paused procedure is not offered to citizens');
    const adminList = await client.get('/office/admin/procedures?q=mau+moi');
    assertHas(adminList.html, /1\.004873/);
    assertHas(adminList.html, /Tạm ngừng/);
    // A fee row left blank removes that fee.
    const again = await formFor('1.004873', { 'fee.1.nameVi': '', 'fee.1.nameEn': '', 'fee.1.amount': '', active: 'yes' });
    assert.equal((await client.post('/office/admin/procedures/1.004873', again)).status, 303);
    const fees = await env.db.kysely.selectFrom('procedures').select('fees').where('code', '=', '1.004873').executeTakeFirstOrThrow();
    assert.equal((fees.fees as unknown[]).length, 1);
  });

  it('shows what is wrong in a form definition, with the path, and saves nothing', async () => {
    const original = await env.db.kysely.selectFrom('procedures').select(['form', 'sla_value']).where('code', '=', '1.000656').executeTakeFirstOrThrow();
    const notJson = await client.post('/office/admin/procedures/1.000656', await formFor('1.000656', { formJson: '[{"key": "a",', slaValue: '7' }));
    assert.equal(notJson.status, 400);
    assertHas(notJson.html, /không phải JSON hợp lệ/);
    assertHas(notJson.html, /href="#f-formJson"/);
    assertHas(notJson.html, /\[\{&quot;key&quot;: &quot;a&quot;,/); // the text typed is kept

    const bad = JSON.stringify([
      { key: 'fullName', type: 'text', labelVi: 'Họ tên', labelEn: 'Name', required: true },
      { key: 'Bad Key', type: 'date', labelVi: 'Ngày', labelEn: 'Date', required: true },
      { key: 'fullName', type: 'phone', labelVi: 'Số điện thoại', labelEn: 'Phone', required: false },
      { key: 'level', type: 'choice', labelVi: 'Mức', labelEn: 'Level', required: true, options: [{ value: 'one', labelVi: 'Một', labelEn: 'One' }] },
    ]);
    const res = await client.post('/office/admin/procedures/1.000656', await formFor('1.000656', { formJson: bad, slaValue: '7' }));
    assert.equal(res.status, 400);
    assertHas(res.html, /Biểu mẫu, mục form\[0\]\.maxLength/);
    assertHas(res.html, /mục form\[1\]\.key: must be camelCase letters and digits/);
    assertHas(res.html, /mục form\[2\]\.key: duplicate form key &quot;fullName&quot;/);
    assertHas(res.html, /mục form\[3\]\.options/);
    const after = await env.db.kysely.selectFrom('procedures').select(['form', 'sla_value']).where('code', '=', '1.000656').executeTakeFirstOrThrow();
    assert.deepEqual(after, original);
  });

  it('explains a bad SLA or fee amount', async () => {
    const res = await client.post('/office/admin/procedures/1.000656', await formFor('1.000656', { slaValue: '0', 'fee.0.nameVi': 'Phí', 'fee.0.nameEn': 'Fee', 'fee.0.amount': 'năm nghìn' }));
    assert.equal(res.status, 400);
    assertHas(res.html, /href="#f-slaValue">Thời hạn phải là số nguyên/);
    assertHas(res.html, /href="#f-fee-0-amount">Số tiền phải là số đồng/);
  });

  it('saves a valid new form definition', async () => {
    const form = [
      { key: 'fullName', type: 'text', labelVi: 'Họ và tên', labelEn: 'Full name', required: true, maxLength: 100 },
      { key: 'birthDate', type: 'date', labelVi: 'Ngày sinh', labelEn: 'Date of birth', required: true, notInFuture: true },
    ];
    const res = await client.post('/office/admin/procedures/1.000656', await formFor('1.000656', { formJson: JSON.stringify(form) }));
    assert.equal(res.status, 303, summaryOf(res.html));
    const row = await env.db.kysely.selectFrom('procedures').select('form').where('code', '=', '1.000656').executeTakeFirstOrThrow();
    assert.deepEqual(row.form, form);
    const entry = await env.db.kysely.selectFrom('audit_log').select('detail').where('action', '=', 'procedure.update').where('entity_id', '=', '1.000656').executeTakeFirstOrThrow();
    assert.deepEqual(entry.detail, { form: { fields: 2 } });
  });

  it('stops', async () => {
    await web.close();
  });
});
