/**
 * Team activity on a hand-built fixture (the field data of test/teams/support.ts plus visits
 * and follow-ups at known instants; the clock stands at Wednesday 25/11/2026 09:00): visits per
 * member, village and week, with the week boundaries at local midnight on Monday; villages with
 * a team and no recent visit; follow-ups past their day. Then the page, who may open it, and
 * the downloads read back (CSV and, through ExcelJS, XLSX).
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { unitId } from '../support/fixtures.ts';
import { TODAY, officerOn, signedIn, type Client } from '../admin/support.ts';
import { VILLAGE, seedField, type FieldFixture } from '../teams/support.ts';
import { register } from './campaignSupport.ts';
import { loadOfficer, type Officer } from '../../src/modules/auth/service.ts';
import { defaultActivityPeriod, mondayOf, openActivity, readActivityQuery } from '../../src/modules/campaigns/activity.ts';

const at = (iso: string) => new Date(iso);
const FORMULA_NOTE = '=HYPERLINK("http://example.invalid","bấm vào đây")';

describeEachEngine('team activity: visits per member and week, idle villages, overdue follow-ups', (env) => {
  let web: WebServer;
  let field: FieldFixture;
  let officer: Officer;
  let memberB: { id: number; username: string };
  let memberC: { id: number; username: string };
  const clients = {} as Record<'officer' | 'outside' | 'specialist' | 'leader' | 'member', Client>;

  before(async () => {
    web = await startWebServer(env.db);
    field = await seedField(env.db, web.ctx);
    const db = env.db;
    memberB = await officerOn(db, [{ role: 'member', unitCode: VILLAGE }], 'memberb');
    memberC = await officerOn(db, [{ role: 'member', unitCode: '25309' }], 'memberc');
    const v2 = await unitId(db, '25309-02', TODAY);
    const v3 = await unitId(db, '25309-03', TODAY);
    await register(db, '25309-03', 2);
    const h3 = await db.kysely.selectFrom('households').select('id').where('unit_id', '=', v3).executeTakeFirstOrThrow();
    const now = web.ctx.now();
    await db.transaction(async (trx) => {
      await trx
        .insertInto('teams')
        .values([
          { unit_id: v2, name: 'Tổ CNSCĐ ấp 2', created_at: now },
          { unit_id: v3, name: 'Tổ CNSCĐ ấp 3', created_at: now },
        ])
        .execute();
      const visit = (unit: number, household: string, member: number, occurred: string) => ({ id: randomUUID(), unit_id: unit, household_id: household, resident_id: null, member_id: member, actions: ['explained_online_services'], occurred_at: at(occurred), received_at: now });
      const a = field.member.id;
      const v1 = field.villageId;
      const h1 = field.householdId;
      await trx
        .insertInto('visits')
        .values([
          // Member A in 25309-01 (the seed adds 20/11 09:00 and 01/09, the latter before the period).
          visit(v1, h1, a, '2026-11-24T10:00:00+07:00'),
          visit(v1, h1, a, '2026-11-23T00:30:00+07:00'), // Monday just after midnight: this week
          visit(v1, h1, a, '2026-11-22T23:30:00+07:00'), // Sunday night: last week
          visit(v1, h1, a, '2026-10-05T08:00:00+07:00'), // the first day of the 8 weeks
          visit(v1, h1, a, '2026-10-04T23:00:00+07:00'), // the evening before: outside
          // Member A once in 25309-03, on Sunday 01/11.
          visit(v3, h3.id, a, '2026-11-01T16:00:00+07:00'),
          // Member B twice in the week of 09/11.
          visit(v1, h1, memberB.id, '2026-11-10T08:00:00+07:00'),
          visit(v1, h1, memberB.id, '2026-11-12T15:00:00+07:00'),
        ])
        .execute();
      const followUp = (unit: number, household: string, assignee: number, due: string, note: string, done = false) => ({
        id: randomUUID(),
        unit_id: unit,
        household_id: household,
        resident_id: null,
        blocker_id: null,
        assignee_id: assignee,
        created_by: assignee,
        due_date: due,
        note,
        created_at: now,
        done_at: done ? now : null,
        done_by: done ? assignee : null,
      });
      const otherHousehold = await trx.selectFrom('households').select('id').where('unit_id', '=', field.otherVillageId).executeTakeFirstOrThrow();
      await trx
        .insertInto('follow_ups')
        .values([
          followUp(v3, h3.id, memberB.id, '2026-11-01', FORMULA_NOTE),
          followUp(v1, h1, a, '2026-10-01', 'Đã xong', true),
          followUp(v1, h1, a, TODAY, 'Hẹn hôm nay: chưa trễ'),
          followUp(field.otherVillageId, otherHousehold.id, a, '2026-11-10', 'Việc ở xã Thiện Hưng'),
        ])
        .execute();
    });
    const loaded = await loadOfficer(db.kysely, (await officerOn(db, [{ role: 'officer', unitCode: '25309' }])).id);
    assert.ok(loaded);
    officer = loaded;
    clients.officer = await signedIn(web, officer.id);
    clients.outside = await signedIn(web, (await officerOn(db, [{ role: 'officer', unitCode: '25308' }])).id);
    clients.specialist = await signedIn(web, (await officerOn(db, [{ role: 'specialist', unitCode: '25309' }])).id);
    clients.leader = await signedIn(web, (await officerOn(db, [{ role: 'leader', unitCode: '75' }])).id);
    clients.member = await signedIn(web, field.member.id);
  });
  after(async () => {
    await web?.close();
  });

  it('starts on the Monday seven weeks back, so the default shows 8 week columns ending today', () => {
    assert.equal(mondayOf('2026-11-25'), '2026-11-23');
    assert.equal(mondayOf('2026-11-29'), '2026-11-23');
    assert.equal(mondayOf('2026-11-23'), '2026-11-23');
    assert.deepEqual(defaultActivityPeriod('2026-11-25'), { from: '2026-10-05', to: '2026-11-25' });
    const bad = readActivityQuery({ from: '2026-11-20', to: '2026-11-01', idle: '0' }, TODAY);
    assert.deepEqual(bad.errors, { to: 'activity.error.order', idle: 'activity.error.idle' });
    assert.deepEqual(readActivityQuery({ from: '2026-01-01', to: '2026-11-25' }, TODAY).errors, { to: 'activity.error.too_long' });
  });

  it('counts visits per member, village and week, with the weeks cut at local midnight on Monday', async () => {
    const view = await openActivity(web.ctx, officer, readActivityQuery({ unit: '25309' }, TODAY));
    assert.deepEqual(
      view.weeks.map((w) => w.from),
      ['2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'],
    );
    assert.equal(view.weeks[7]?.to, TODAY);
    const rows = view.members.map((r) => ({ member: r.memberId, village: r.villageCode, perWeek: r.perWeek, total: r.total }));
    assert.deepEqual(rows, [
      // The commune-wide member has no visit: listed with zeros, on the commune.
      { member: memberC.id, village: '25309', perWeek: [0, 0, 0, 0, 0, 0, 0, 0], total: 0 },
      // Then by village and member name ("Cán bộ memberb…" before "Cán bộ thanhvien…").
      { member: memberB.id, village: VILLAGE, perWeek: [0, 0, 0, 0, 0, 2, 0, 0], total: 2 },
      { member: field.member.id, village: VILLAGE, perWeek: [1, 0, 0, 0, 0, 0, 2, 2], total: 5 },
      { member: field.member.id, village: '25309-03', perWeek: [0, 0, 0, 1, 0, 0, 0, 0], total: 1 },
    ]);
    assert.deepEqual(view.weekTotals, [1, 0, 0, 1, 0, 2, 2, 2]);
    assert.equal(view.visits, 8);
  });

  it('lists the villages with a team and no visit since today − N days, never-visited first, with their households', async () => {
    const view = await openActivity(web.ctx, officer, readActivityQuery({ unit: '25309' }, TODAY));
    assert.equal(view.idleSince, '2026-11-11');
    assert.deepEqual(
      view.idle.map((v) => ({ code: v.code, last: v.lastVisitAt?.toISOString() ?? null, households: v.households })),
      [
        { code: '25309-02', last: null, households: 0 },
        { code: '25309-03', last: '2026-11-01T09:00:00.000Z', households: 1 },
      ],
    );
    const month = await openActivity(web.ctx, officer, readActivityQuery({ unit: '25309', idle: '30' }, TODAY));
    assert.deepEqual(
      month.idle.map((v) => v.code),
      ['25309-02'],
    );
    // The province sees the other commune's village too (its team has no visit at all).
    const leader = await loadOfficer(env.db.kysely, (await officerOn(env.db, [{ role: 'leader', unitCode: '75' }])).id);
    assert.ok(leader);
    const province = await openActivity(web.ctx, leader, readActivityQuery({}, TODAY));
    assert.equal(province.unit.code, '75');
    assert.deepEqual(province.idle.map((v) => v.code).sort(), ['25308-01', '25309-02', '25309-03']);
  });

  it('lists follow-ups not done and due before today, oldest first, with days overdue and who has them', async () => {
    const view = await openActivity(web.ctx, officer, readActivityQuery({ unit: '25309' }, TODAY));
    assert.deepEqual(
      view.overdue.rows.map((f) => ({ village: f.villageCode, due: f.dueDate, days: f.daysOverdue, assignee: f.assigneeName, note: f.note })),
      [
        { village: '25309-03', due: '2026-11-01', days: 24, assignee: `Cán bộ ${memberB.username}`, note: FORMULA_NOTE },
        { village: VILLAGE, due: '2026-11-20', days: 5, assignee: `Cán bộ ${field.member.username}`, note: 'Quay lại giúp thanh toán tiền điện' },
      ],
    );
    assert.equal(view.overdue.total, 2);
  });

  it('shows the page with the chart, the tables and the links to the teams and the dashboard', async () => {
    const res = await clients.officer.get('/office/activity?unit=25309');
    assert.equal(res.status, 200);
    assert.match(res.html, /<svg[^>]*role="img"[^>]*aria-labelledby="visits-chart-title visits-chart-desc"/);
    assert.ok(res.html.includes(`Cán bộ ${memberB.username}`));
    assert.ok(res.html.includes('href="/office/teams/25309-02"'), 'idle village links to its team');
    assert.ok(res.html.includes('href="/office/teams/25309-03"'));
    assert.ok(res.html.includes('href="/office/dashboard?unit=25309"'));
    assert.ok(res.html.includes('Chưa có lần nào'));
    assert.ok(!res.html.includes('Việc ở xã Thiện Hưng'), 'a follow-up of another commune');
    assert.ok(!res.html.includes('Hẹn hôm nay: chưa trễ'), 'a follow-up due today is not overdue');
    // Without ?unit: the officer's widest unit.
    const own = await clients.officer.get('/office/activity?lang=en');
    assert.equal(own.status, 200);
    assert.match(own.html, /<h1>Team activity: Xã Hưng Phước<\/h1>/);
    // A bad period: the form again with the error, still authorized.
    const bad = await clients.officer.get('/office/activity?unit=25309&from=2026-11-20&to=2026-11-01');
    assert.equal(bad.status, 400);
    assert.match(bad.html, /error-summary/);
    assert.equal((await clients.outside.get('/office/activity?unit=25309&from=2026-11-20&to=2026-11-01')).status, 403);
  });

  it('refuses officers outside the subtree, specialists and team members with 403', async () => {
    assert.equal((await clients.outside.get('/office/activity?unit=25309')).status, 403);
    assert.equal((await clients.outside.get('/office/activity?unit=25309-01')).status, 403);
    assert.equal((await clients.specialist.get('/office/activity?unit=25309')).status, 403);
    assert.equal((await clients.specialist.get('/office/activity')).status, 403);
    assert.equal((await clients.member.get('/office/activity')).status, 403);
    assert.equal((await clients.outside.get('/office/activity/export?unit=25309&table=members&format=csv')).status, 403);
    assert.equal((await clients.leader.get('/office/activity?unit=25309')).status, 200);
    assert.equal((await clients.outside.get('/office/activity?unit=25308')).status, 200);
  });

  it('downloads the visits table as CSV and XLSX with the same figures, audited', async () => {
    const csv = await fetch(`${web.baseUrl}/office/activity/export?unit=25309&table=members&format=csv`, { headers: { cookie: clients.officer.cookie } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads UTF-8');
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'Thành viên,Mã thôn,"Thôn, ấp",' + ['05/10/2026 – 11/10/2026', '12/10/2026 – 18/10/2026', '19/10/2026 – 25/10/2026', '26/10/2026 – 01/11/2026', '02/11/2026 – 08/11/2026', '09/11/2026 – 15/11/2026', '16/11/2026 – 22/11/2026', '23/11/2026 – 25/11/2026'].join(',') + ',Tổng');
    assert.ok(lines.includes(`Cán bộ ${memberB.username},25309-01,Ấp Phước Tiến,0,0,0,0,0,2,0,0,2`), lines.join('\n'));
    assert.equal(lines[lines.length - 1], 'Tổng cộng,,,1,0,0,1,0,2,2,2,8');

    const xlsx = await fetch(`${web.baseUrl}/office/activity/export?unit=25309&table=members&format=xlsx&lang=en`, { headers: { cookie: clients.officer.cookie } });
    assert.equal(xlsx.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.ok(ws);
    const header = 6;
    assert.equal(ws.getRow(header).getCell(1).value, 'Team member');
    const values = (r: number) => (ws.getRow(r).values as unknown[]).slice(1);
    const bRow = [...Array(ws.rowCount).keys()].map((i) => i + 1).find((r) => ws.getRow(r).getCell(1).value === `Cán bộ ${memberB.username}`);
    assert.ok(bRow, 'member B has a row');
    assert.deepEqual(values(bRow), [`Cán bộ ${memberB.username}`, '25309-01', 'Ấp Phước Tiến', 0, 0, 0, 0, 0, 2, 0, 0, 2]);
    const total = values(ws.rowCount);
    assert.equal(total[0], 'Total');
    assert.deepEqual(total.slice(3), [1, 0, 0, 1, 0, 2, 2, 2, 8]);

    const audits = await env.db.kysely.selectFrom('audit_log').select(['action', 'entity_id', 'actor_id']).where('action', '=', 'activity.exported').execute();
    assert.equal(audits.length, 2);
    assert.ok(audits.every((a) => a.entity_id === '25309' && a.actor_id === officer.id));
  });

  it('exports idle villages and overdue follow-ups, neutralising a note that looks like a formula', async () => {
    const idle = await (await fetch(`${web.baseUrl}/office/activity/export?unit=25309&table=idle&format=csv`, { headers: { cookie: clients.officer.cookie } })).text();
    // fetch's text() drops the BOM.
    const idleLines = idle.trimEnd().split('\r\n');
    assert.deepEqual(idleLines.slice(1), ['25309-02,Ấp Bù Tam,Xã Hưng Phước,Chưa có lần nào,0', '25309-03,Ấp Tân Hưng,Xã Hưng Phước,2026-11-01,1']);

    const overdue = await (await fetch(`${web.baseUrl}/office/activity/export?unit=25309&table=overdue&format=csv`, { headers: { cookie: clients.officer.cookie } })).text();
    assert.ok(overdue.includes(`,"'=HYPERLINK(""http://example.invalid"",""bấm vào đây"")"`), overdue);
    assert.ok(overdue.includes(',2026-11-20,5,'));

    const xlsx = await fetch(`${web.baseUrl}/office/activity/export?unit=25309&table=overdue&format=xlsx`, { headers: { cookie: clients.officer.cookie } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.ok(ws);
    const first = ws.getRow(7);
    assert.equal(first.getCell(1).value, '25309-03');
    assert.equal((first.getCell(3).value as Date).toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(first.getCell(4).value, 24);
    assert.equal(first.getCell(6).value, FORMULA_NOTE, 'the note is kept as text');
    assert.equal(first.getCell(6).type, ExcelJS.ValueType.String, 'never a formula');
  });
});
