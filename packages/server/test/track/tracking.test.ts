import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { TRACK_LIMITS, initialsOf, trackByCode } from '../../src/modules/dossiers/pages/track/lookup.ts';
import { PageClient, act, awaitingFees, awaitingSupplement, fileOnline, mainOf, officerOf, FEE_PROCEDURE, MISSING } from './helpers.ts';

describeEachEngine('tracking a dossier by its code and the last 4 digits of the phone', (env) => {
  let web: WebServer;
  let ipSeq = 0;
  /** Every test stands at its own address so the per-IP limit of one test does not touch another. */
  const visitor = () => new PageClient(web.baseUrl, undefined, `203.0.113.${++ipSeq}`);

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  it('shows the status in plain words, the due date, the history and what to do, with initials only', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx, { phone: '0912345678' });
    await act(web.ctx, officer, filed.code, 'receive');
    const v = visitor();
    await v.get('/track');
    const res = await v.post('/track', { code: filed.code.toLowerCase(), last4: '5678' });
    assert.equal(res.status, 200);
    const main = mainOf(res.html);
    assert.match(main, new RegExp(`Hồ sơ ${filed.code}`));
    assert.match(main, /Cơ quan đã nhận hồ sơ/); // plain status
    assert.match(main, /Hẹn trả kết quả/);
    assert.match(main, /\d{2}:\d{2} ngày 26\/11\/2026/); // one working day, Vietnamese date format
    assert.match(main, /Bạn nộp hồ sơ trên mạng\./);
    assert.match(main, /09:00 ngày 25\/11\/2026/);
    assert.match(main, /Bạn chưa cần làm gì/);
    assert.match(main, /Đ\. T\. H\./);
    assert.doesNotMatch(main, /Điểu Thị Hoa|0912345678|345678/, 'no name, no phone');
  });

  it('gives the same answer, with the same status, for a wrong code and for wrong digits', async () => {
    const filed = await fileOnline(web.ctx, { phone: '0987654321' });
    const wrongDigits = visitor();
    await wrongDigits.get('/track');
    const a = await wrongDigits.post('/track', { code: filed.code, last4: '0000' });
    const wrongCode = visitor();
    await wrongCode.get('/track');
    const unknown = filed.code.replace(/\d{4}$/, '9999');
    const b = await wrongCode.post('/track', { code: unknown, last4: '4321' });
    assert.equal(a.status, 404);
    assert.equal(b.status, a.status);
    assert.equal(mainOf(a.html).replace(unknown, filed.code), mainOf(b.html).replace(unknown, filed.code));
    assert.match(a.html, /Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại này/);
    const right = visitor();
    await right.get('/track');
    assert.equal((await right.post('/track', { code: filed.code, last4: '4321' })).status, 200);
  });

  it('explains a badly typed code or digits next to the field', async () => {
    const v = visitor();
    await v.get('/track');
    const res = await v.post('/track', { code: 'abc', last4: '12' });
    assert.equal(res.status, 400);
    assert.match(res.html, /class="error-summary"/);
    assert.match(res.html, /href="#f-code"/);
    assert.match(res.html, /href="#f-last4"/);
    assert.match(res.html, /<title>Lỗi:/);
  });

  it(`limits look-ups from one address to ${TRACK_LIMITS.perIp.max} in ${TRACK_LIMITS.perIp.windowMinutes} minutes`, async () => {
    const filed = await fileOnline(web.ctx, { phone: '0911111234' });
    const v = visitor();
    await v.get('/track');
    for (let i = 0; i < TRACK_LIMITS.perIp.max; i++) {
      const res = await v.post('/track', { code: filed.code, last4: '1234' });
      assert.equal(res.status, 200, `look-up ${i + 1}`);
    }
    const over = await v.post('/track', { code: filed.code, last4: '1234' });
    assert.equal(over.status, 429);
    assert.match(over.html, /Hãy đợi 15 phút/);
    // Another address is not affected, and the next window opens again.
    const other = visitor();
    await other.get('/track');
    assert.equal((await other.post('/track', { code: filed.code, last4: '1234' })).status, 200);
    web.ctx.clock.set('2026-11-25T09:16:00+07:00');
    assert.equal((await v.post('/track', { code: filed.code, last4: '1234' })).status, 200);
    web.ctx.clock.set('2026-11-25T09:00:00+07:00');
  });

  it(`rests a code after ${TRACK_LIMITS.perCode.max} wrong guesses, from any address, even for the right digits`, async () => {
    const filed = await fileOnline(web.ctx, { phone: '0933335555' });
    for (let i = 0; i < TRACK_LIMITS.perCode.max; i++) {
      const v = visitor();
      await v.get('/track');
      assert.equal((await v.post('/track', { code: filed.code, last4: String(1000 + i) })).status, 404);
    }
    const owner = visitor();
    await owner.get('/track');
    assert.equal((await owner.post('/track', { code: filed.code, last4: '5555' })).status, 429);
    // A code that does not exist rests the same way: the limit tells nothing about existence.
    const ghost = filed.code.replace(/\d{4}$/, '8888');
    for (let i = 0; i < TRACK_LIMITS.perCode.max; i++) assert.equal((await trackByCode(web.ctx, { code: ghost, last4: '0000', ip: `192.0.2.${i}` })).kind, 'not_found');
    assert.equal((await trackByCode(web.ctx, { code: ghost, last4: '0000', ip: '192.0.2.99' })).kind, 'limited');
  });

  it('tells what to do now when papers are missing or fees are due', async () => {
    const officer = await officerOf(web.ctx);
    const a = await fileOnline(web.ctx, { phone: '0944440001' });
    await awaitingSupplement(web.ctx, officer, a.code);
    const r1 = await trackByCode(web.ctx, { code: a.code, last4: '0001', ip: '192.0.2.200' });
    assert.equal(r1.kind, 'found');
    if (r1.kind === 'found') assert.deepEqual(r1.view.missingDocuments, MISSING);
    const b = await fileOnline(web.ctx, { phone: '0944440002', procedureCode: FEE_PROCEDURE, formData: { copies: 2 } });
    await awaitingFees(web.ctx, officer, b.code);
    const v = visitor();
    await v.get('/track');
    const res = await v.post('/track', { code: b.code, last4: '0002' });
    assert.match(mainOf(res.html), /Bạn cần nộp 16\.000 đồng tiền phí/);
    assert.match(mainOf(res.html), /Cần nộp phí/);
  });

  it('writes initials the way Vietnamese names are written', () => {
    assert.equal(initialsOf('Điểu Thị Hoa'), 'Đ. T. H.');
    assert.equal(initialsOf('  ấn  văn  '), 'Ấ. V.');
  });

  it('stops', async () => {
    await web.close();
  });
});
