import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { txid } from '../support/fixtures.ts';
import { actOnDossier, createDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { assignDossier } from '../../src/modules/dossiers/office/assignments.ts';
import { COUNT_CAP, WALK_INDEXES, countQueues, listQueue, listQueueQuery, queueMoment, queuePage, unitsUnder, type QueueFilter, type QueueTab } from '../../src/modules/dossiers/office/queues.ts';
import { CompiledQuery, sql } from 'kysely';
import type { Action } from '@causo/domain';
import { COMMUNE, OTHER_COMMUNE, PageClient, officerAt, onlineDossier, type TestOfficer } from './helpers.ts';

describeEachEngine('work queues', (env) => {
  let web: WebServer;
  let desk: TestOfficer;
  let specialist: TestOfficer;
  let elsewhere: TestOfficer;
  const codes: Record<string, string> = {};

  const at = (iso: string) => web.ctx.clock.set(iso);
  const act = (actor: Actor, code: string, action: Action, extra: Record<string, unknown> = {}) =>
    actOnDossier(web.ctx, actor, code, { action, transactionId: txid(), ...extra } as Parameters<typeof actOnDossier>[3]);
  const counts = async (o: TestOfficer, f: QueueFilter = {}) => countQueues(web.ctx, await unitsUnder(web.ctx, o.officer), f, await queueMoment(web.ctx, o.officer.id));
  const list = async (o: TestOfficer, tab: QueueTab, f: QueueFilter = {}) =>
    (await listQueue(web.ctx, await unitsUnder(web.ctx, o.officer), tab, f, await queueMoment(web.ctx, o.officer.id), {}, 100)).rows.map((r) => r.code);
  const named = (...keys: string[]) => keys.map((k) => codes[k]).sort();

  it('sets up a commune desk with dossiers in every state (a week of work up to Wednesday 25/11/2026 09:00)', async () => {
    web = await startWebServer(env.db);
    desk = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }], 'Nguyễn Thị Lan');
    specialist = await officerAt(web.ctx, [{ role: 'specialist', unitCode: COMMUNE }], 'Phạm Văn Đức');
    elsewhere = await officerAt(web.ctx, [{ role: 'officer', unitCode: OTHER_COMMUNE }]);

    at('2026-11-16T09:00:00+07:00'); // Monday
    codes.overdue = (await onlineDossier(web.ctx)).code;
    await act(desk, codes.overdue, 'receive');
    await act(desk, codes.overdue, 'start_processing');

    at('2026-11-20T09:00:00+07:00'); // Friday
    codes.supplement = (await onlineDossier(web.ctx)).code;
    await act(desk, codes.supplement, 'receive');
    await act(desk, codes.supplement, 'request_supplement', { missingDocuments: ['Giấy chứng sinh'] });

    at('2026-11-23T09:00:00+07:00'); // Monday
    codes.long = (await onlineDossier(web.ctx, { procedureCode: '1.004222' })).code; // 7 working days
    await act(desk, codes.long, 'receive');
    await act(desk, codes.long, 'start_processing');
    codes.returned = (await onlineDossier(web.ctx)).code;
    await act(desk, codes.returned, 'receive');
    await act(desk, codes.returned, 'start_processing');
    at('2026-11-23T10:00:00+07:00');
    codes.dueSoon = (await onlineDossier(web.ctx, { phone: '0987654321' })).code;
    await act(desk, codes.dueSoon, 'receive'); // due Wednesday 10:00: Tuesday 24/11 is a holiday

    at('2026-11-24T09:00:00+07:00'); // Tuesday, Vietnam Culture Day: a day off, yet the desk may act
    codes.doneToday = (await onlineDossier(web.ctx)).code;
    await act(desk, codes.doneToday, 'receive');
    await act(desk, codes.doneToday, 'start_processing');
    await act(desk, codes.returned, 'finish');
    await act(desk, codes.returned, 'return_result');
    at('2026-11-24T14:00:00+07:00');
    codes.newOnline = (await onlineDossier(web.ctx, { fullName: 'Trần Thị Bích Ngọc' })).code;
    at('2026-11-24T16:00:00+07:00');
    codes.fees = (await onlineDossier(web.ctx)).code;
    await act(desk, codes.fees, 'receive');
    await act(desk, codes.fees, 'request_fees');
    codes.elsewhere = (await onlineDossier(web.ctx, { unitCode: OTHER_COMMUNE })).code;

    at('2026-11-25T08:00:00+07:00'); // Wednesday
    codes.counter = (
      await createDossier(web.ctx, desk, {
        transactionId: txid(),
        procedureCode: '1.001193',
        unitCode: COMMUNE,
        channel: 1,
        applicant: { fullName: 'Nguyễn Văn An', phone: '0912345678' },
        formData: {},
      })
    ).code;
    at('2026-11-25T08:30:00+07:00');
    await act(desk, codes.doneToday, 'finish');
    at('2026-11-25T09:00:00+07:00');
    assert.equal(Object.keys(codes).length, 10);
  });

  it('counts every tab for the desk officer in one go', async () => {
    assert.deepEqual(await counts(desk), { new: 1, processing: 4, supplement: 1, fees: 1, due_soon: 3, overdue: 1, to_return: 1, finished_today: 1, mine: 0 });
  });

  it('puts each dossier in the tabs it belongs to', async () => {
    assert.deepEqual(await list(desk, 'new'), named('newOnline'));
    assert.deepEqual((await list(desk, 'processing')).sort(), named('overdue', 'long', 'dueSoon', 'counter'));
    assert.deepEqual(await list(desk, 'supplement'), named('supplement'), 'a paused dossier waits, it is not overdue');
    assert.deepEqual(await list(desk, 'fees'), named('fees'));
    assert.deepEqual((await list(desk, 'due_soon')).sort(), named('dueSoon', 'fees', 'counter'));
    assert.deepEqual(await list(desk, 'overdue'), named('overdue'));
    assert.deepEqual(await list(desk, 'to_return'), named('doneToday'));
    assert.deepEqual(await list(desk, 'finished_today'), named('doneToday'));
    assert.equal((await list(desk, 'all')).length, 9);
    assert.ok(!(await list(desk, 'all')).includes(codes.elsewhere ?? ''));
  });

  it('orders work by deadline, nearest first, and new dossiers oldest first', async () => {
    assert.deepEqual(await list(desk, 'due_soon'), [codes.dueSoon, codes.fees, codes.counter]);
  });

  it('moves a dossier into overdue as the working clock passes its due time', async () => {
    at('2026-11-25T10:30:00+07:00');
    try {
      assert.deepEqual((await list(desk, 'overdue')).sort(), named('overdue', 'dueSoon'));
      assert.equal((await counts(desk)).overdue, 2);
    } finally {
      at('2026-11-25T09:00:00+07:00');
    }
  });

  it('shows an officer of another commune nothing of this one', async () => {
    const c = await counts(elsewhere);
    assert.equal(c.new, 1);
    assert.equal(c.processing + c.supplement + c.fees + c.overdue + c.to_return, 0);
    assert.deepEqual(await list(elsewhere, 'new'), [codes.elsewhere]);
  });

  it('filters by procedure, channel, status and submission date', async () => {
    const procedure = await env.db.kysely.selectFrom('procedures').select('id').where('code', '=', '1.004222').executeTakeFirstOrThrow();
    assert.deepEqual(await list(desk, 'processing', { procedureId: procedure.id }), named('long'));
    assert.equal((await counts(desk, { procedureId: procedure.id })).processing, 1);
    assert.deepEqual(await list(desk, 'processing', { channel: 1 }), named('counter'));
    assert.deepEqual((await list(desk, 'all', { status: 10 })), named('returned'));
    assert.deepEqual((await list(desk, 'all', { from: '2026-11-24', to: '2026-11-24' })).sort(), named('doneToday', 'newOnline', 'fees'));
    const onDay = await counts(desk, { from: '2026-11-24', to: '2026-11-24' });
    assert.equal(onDay.new + onDay.processing + onDay.fees + onDay.to_return, 3);
  });

  it('finds a dossier by its code, by the applicant name without diacritics, or by phone number', async () => {
    assert.deepEqual(await list(desk, 'all', { q: codes.supplement?.toLowerCase() }), named('supplement'));
    assert.deepEqual(await list(desk, 'all', { q: 'bich ngoc' }), named('newOnline'));
    assert.deepEqual(await list(desk, 'all', { q: 'NGỌC trần' }), named('newOnline'));
    assert.deepEqual(await list(desk, 'all', { q: 'nguyen van an' }), named('counter'));
    assert.deepEqual(await list(desk, 'all', { q: '0987 654 321' }), named('dueSoon'));
    assert.deepEqual(await list(desk, 'all', { q: '+84987654321' }), named('dueSoon'));
    assert.deepEqual(await list(desk, 'all', { q: '50%' }), [], 'LIKE wildcards are plain text');
    assert.equal((await counts(desk, { q: 'bich ngoc' })).new, 1);
    assert.equal((await counts(desk, { q: 'bich ngoc' })).processing, 0);
  });

  it('pages through a tab by keyset, forwards and back, without losing or repeating a dossier', async () => {
    const units = await unitsUnder(web.ctx, desk.officer);
    const m = await queueMoment(web.ctx, desk.officer.id);
    const all = (await listQueue(web.ctx, units, 'all', {}, m, {}, 100)).rows.map((r) => r.id);
    const seen: number[][] = [];
    let page = await listQueue(web.ctx, units, 'all', {}, m, {}, 2);
    assert.equal(page.prevBefore, null);
    seen.push(page.rows.map((r) => r.id));
    while (page.nextAfter !== null) {
      page = await listQueue(web.ctx, units, 'all', {}, m, { after: page.nextAfter }, 2);
      seen.push(page.rows.map((r) => r.id));
    }
    assert.deepEqual(seen.flat(), all);
    assert.equal(seen.length, 5);
    const back = await listQueue(web.ctx, units, 'all', {}, m, { before: page.prevBefore ?? 0 }, 2);
    assert.deepEqual(back.rows.map((r) => r.id), seen[3]);
    assert.equal(back.nextAfter, seen[3]?.[1]);
  });

  it("reads each tab's page as a walk along the tab's own index, no bitmap scan of the queue, no JIT", async () => {
    const units = await unitsUnder(web.ctx, desk.officer);
    const m = await queueMoment(web.ctx, desk.officer.id);
    const plan = async (tab: QueueTab, index: string) => {
      const q = listQueueQuery(env.db.kysely, web.ctx, units, tab, {}, m, {}, 26).compile();
      const text = await env.db.transaction(async (trx) => {
        await sql`SELECT ${WALK_INDEXES}`.execute(trx);
        const res = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`EXPLAIN ${q.sql}`, [...q.parameters]));
        return res.rows.map((r) => Object.values(r)[0]).join('\n');
      });
      assert.match(text, new RegExp(`Index Scan( Backward)? using ${index}`), `${tab}:\n${text}`);
      assert.doesNotMatch(text, /Bitmap Heap Scan on dossiers|JIT/, `${tab}:\n${text}`);
    };
    await plan('processing', 'dossiers_q_due');
    await plan('overdue', 'dossiers_q_due');
    await plan('new', 'dossiers_q_submitted');
    await plan('all', 'dossiers_q_submitted');
    await plan('to_return', 'dossiers_q_finished');
  });

  it('keeps a "mine" tab for a specialist with the dossiers handed to them', async () => {
    await assignDossier(web.ctx, desk, codes.long ?? '', specialist.officer.id);
    assert.equal((await counts(specialist)).mine, 1);
    assert.deepEqual(await list(specialist, 'mine'), named('long'));
    assert.equal((await counts(desk)).mine, 0);
  });

  it('renders the queue page with a count on every tab, the filters kept in the links, and the dossier rows', async () => {
    const c = new PageClient(web.baseUrl, desk.cookie);
    const page = await c.get('/office?tab=processing&procedure=&q=');
    assert.equal(page.status, 200);
    assert.match(page.html, /<b>1<\/b>Mới nộp trực tuyến/);
    assert.match(page.html, /aria-current="page"[^>]*><b>4<\/b>Đang xử lý/);
    assert.match(page.html, /<b>3<\/b>Sắp đến hạn/);
    for (const k of ['overdue', 'long', 'dueSoon', 'counter']) assert.ok(page.html.includes(`/office/dossiers/${codes[k]}`), k);
    assert.ok(!page.html.includes(codes.newOnline ?? '-'));
    assert.match(page.html, /Phạm Văn Đức/, 'the assignee is shown');
    assert.match(page.html, /class="tag late">Quá hạn/);
    const searched = await c.get('/office?tab=new&q=bich+ngoc');
    assert.match(searched.html, /Trần Thị Bích Ngọc/);
    assert.match(searched.html, /href="\/office\?q=bich\+ngoc&amp;tab=processing"/);
    const odd = await c.get('/office?tab=nonsense&channel=9&from=yesterday');
    assert.equal(odd.status, 200, 'a mangled address still shows the queues');
  });

  it('starts a specialist on their own dossiers', async () => {
    const page = await new PageClient(web.baseUrl, specialist.cookie).get('/office');
    assert.match(page.html, /aria-current="page"[^>]*><b>1<\/b>Giao cho tôi/);
  });

  it('stops counting at 500 and says "500+", without losing the list', async () => {
    const template = codes.long ?? '';
    await sql`INSERT INTO dossiers (code, province_code, procedure_id, sector_code, unit_id, channel, status, applicant_name, applicant_search, form_data,
                submitted_at, received_at, due_at, phases, sla_value, sla_unit)
              SELECT code || '-' || g, province_code, procedure_id, sector_code, unit_id, channel, status, applicant_name, applicant_search, form_data,
                submitted_at, received_at, due_at, phases, sla_value, sla_unit
              FROM dossiers, generate_series(1, ${COUNT_CAP}) AS g WHERE code = ${template}`.execute(env.db.kysely);
    assert.equal((await counts(desk)).processing, COUNT_CAP + 1);
    at('2026-11-25T09:00:10+07:00'); // past the few seconds a page reuses its counts
    try {
      const page = await new PageClient(web.baseUrl, desk.cookie).get('/office?tab=processing');
      assert.match(page.html, /<b>500\+<\/b>Đang xử lý/);
      assert.match(page.html, /Đang xử lý: 500\+ hồ sơ/);
      assert.equal([...page.html.matchAll(/href="\/office\/dossiers\//g)].length, 25, 'one page of 25');
      assert.match(page.html, /rel="next"/);
    } finally {
      at('2026-11-25T09:00:00+07:00');
    }
  });

  it('shares a page of a tab between the officers of the commune for a few seconds, and drops it as soon as a dossier moves', async () => {
    const colleague = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }], 'Lê Thị Hoa');
    const shown = async (o: TestOfficer) => queuePage(web.ctx, await unitsUnder(web.ctx, o.officer), 'new', {}, await queueMoment(web.ctx, o.officer.id));
    const code = codes.newOnline ?? '';
    const nameOf = async (o: TestOfficer) => (await shown(o)).page.rows.find((r) => r.code === code)?.applicantName;
    try {
      assert.equal(await nameOf(desk), 'Trần Thị Bích Ngọc');
      // A change this process cannot see (another process, a bulk load): the shared page stands for a few seconds.
      await sql`UPDATE dossiers SET applicant_name = 'Trần Thị Ngọc Ánh' WHERE code = ${code}`.execute(env.db.kysely);
      assert.equal(await nameOf(colleague), 'Trần Thị Bích Ngọc', 'the colleague is served the page just read');
      at('2026-11-25T09:00:06+07:00');
      assert.equal(await nameOf(colleague), 'Trần Thị Ngọc Ánh', 'a few seconds later the page is read again');
      // A dossier that moves in this process drops the shared pages and counts at once.
      await act(desk, code, 'receive');
      assert.equal(await nameOf(colleague), undefined);
      assert.equal((await shown(colleague)).counts.new, 0);
    } finally {
      at('2026-11-25T09:00:00+07:00');
    }
  });

  it('stops', async () => {
    await web.close();
  });

});
