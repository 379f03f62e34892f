import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { txid } from '../support/fixtures.ts';
import { createDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { assertHas, officerOn, signedIn, summaryOf, type Client } from './support.ts';

describeEachEngine('administration: holidays and office hours', (env) => {
  let web: WebServer;
  let client: Client;
  let desk: Actor;
  const newDossier = () =>
    createDossier(web.ctx, desk, { transactionId: txid(), procedureCode: '1.001193', unitCode: '25309', channel: 1, applicant: { fullName: 'Điểu Thị Lan' }, formData: { childFullName: 'Điểu Văn Bình' } });
  const dueDate = async (receivedAt: string, value: number, unit: string) => {
    const res = await fetch(`${web.baseUrl}/api/v1/calendar/due-date?receivedAt=${encodeURIComponent(receivedAt)}&value=${value}&unit=${unit}`);
    return ((await res.json()) as { dueAt: string }).dueAt;
  };

  it('starts: the calendar of the year is listed, and cached by a first dossier', async () => {
    web = await startWebServer(env.db);
    const admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin');
    client = await signedIn(web, admin.id);
    const officer = await loadOfficer(env.db.kysely, (await officerOn(env.db, [{ role: 'officer', unitCode: '25309' }])).id);
    assert.ok(officer);
    desk = { officer, ip: '127.0.0.1' };
    const page = await client.get('/office/admin/calendar');
    assert.equal(page.status, 200);
    assertHas(page.html, /Ngày nghỉ và giờ làm việc năm 2026/);
    assertHas(page.html, /02\/09\/2026/); // National Day
    // Received Wednesday 25 Nov 2026 09:00, birth registration takes one working day.
    assert.equal((await newDossier()).dueAt, '2026-11-26T09:00:00+07:00');
  });

  it('adds a holiday: new dossiers skip it at once, dossiers already received keep their date', async () => {
    const res = await client.post('/office/admin/calendar/days', { date: '2026-11-26', kind: 'holiday', nameVi: 'Ngày nghỉ của tỉnh', nameEn: '' });
    assert.equal(res.status, 303, summaryOf(res.html));
    assert.equal(res.location, '/office/admin/calendar?year=2026&done=day_added');
    assert.equal((await newDossier()).dueAt, '2026-11-27T09:00:00+07:00');
    const day = await env.db.kysely.selectFrom('calendar_days').selectAll().where('date', '=', '2026-11-26').executeTakeFirstOrThrow();
    assert.deepEqual(day, { date: '2026-11-26', kind: 'holiday', name_vi: 'Ngày nghỉ của tỉnh', name_en: 'Ngày nghỉ của tỉnh', verified: true });
    const entry = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'calendar.put_day').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(entry.entity_id, '2026-11-26');
    const page = await client.get(res.location ?? '');
    assertHas(page.html, /Đã thêm ngày vào lịch/);
    assertHas(page.html, /Ngày nghỉ của tỉnh/);
  });

  it('adds a make-up Saturday that new dossiers count as a working day', async () => {
    // A dossier received Friday 27 Nov at 09:00 is due Monday 30 Nov; with Saturday 28 worked, on Saturday.
    assert.equal(await dueDate('2026-11-27T09:00:00+07:00', 1, 'working_days'), '2026-11-30T09:00:00+07:00');
    assert.equal((await client.post('/office/admin/calendar/days', { date: '2026-11-28', kind: 'workday', nameVi: 'Làm bù', nameEn: 'Make-up day' })).status, 303);
    assert.equal(await dueDate('2026-11-27T09:00:00+07:00', 1, 'working_days'), '2026-11-28T09:00:00+07:00');
  });

  it('removes a day, audited, and new dossiers are due as before', async () => {
    const res = await client.post('/office/admin/calendar/days/remove', { date: '2026-11-26' });
    assert.equal(res.status, 303);
    assert.equal((await newDossier()).dueAt, '2026-11-26T09:00:00+07:00');
    const entry = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'calendar.delete_day').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(entry.detail, { kind: 'holiday' });
  });

  it('refuses an impossible date, and a make-up day that is already a working day', async () => {
    const bad = await client.post('/office/admin/calendar/days', { date: '2026-02-30', kind: 'holiday', nameVi: 'X' });
    assert.equal(bad.status, 400);
    assertHas(bad.html, /href="#f-date">Ngày chưa đúng/);
    const weekday = await client.post('/office/admin/calendar/days', { date: '2026-12-02', kind: 'workday', nameVi: 'Làm bù' });
    assert.equal(weekday.status, 400);
    assertHas(weekday.html, /phải là thứ Bảy hoặc Chủ nhật/);
    assertHas(weekday.html, /value="Làm bù"/);
    const noName = await client.post('/office/admin/calendar/days', { date: '2026-12-24', kind: 'holiday', nameVi: ' ' });
    assert.equal(noName.status, 400);
    assertHas(noName.html, /href="#f-nameVi">Hãy điền mục này/);
    assert.equal(await env.db.kysely.selectFrom('calendar_days').select('date').where('date', 'in', ['2026-12-02', '2026-12-24']).executeTakeFirst(), undefined);
  });

  it('changes office hours: deadlines in working hours follow at once', async () => {
    assert.equal(await dueDate('2026-11-25T10:00:00+07:00', 2, 'working_hours'), '2026-11-25T14:00:00+07:00');
    const res = await client.post('/office/admin/calendar/office-hours', { officeHours: '08:00-12:00, 14:00-18:00' });
    assert.equal(res.status, 303, summaryOf(res.html));
    assert.equal(await dueDate('2026-11-25T10:00:00+07:00', 2, 'working_hours'), '2026-11-25T12:00:00+07:00');
    const entry = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'calendar.office_hours').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(entry.detail, { from: '07:30-11:30,13:30-17:00', to: '08:00-12:00,14:00-18:00' });
    const bad = await client.post('/office/admin/calendar/office-hours', { officeHours: '17:00-08:00' });
    assert.equal(bad.status, 400);
    assertHas(bad.html, /Giờ làm việc chưa đúng/);
    assertHas(bad.html, /value="17:00-08:00"/);
  });

  it('stops', async () => {
    await web.close();
  });
});
