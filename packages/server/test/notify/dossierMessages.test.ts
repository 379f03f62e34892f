import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext, txid } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { createDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { act, fileOnline, officerOf, COMMUNE, FEE_PROCEDURE, MISSING } from '../track/helpers.ts';

describeEachEngine('SMS to the applicant when the dossier moves', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let ctx: AppContext;
  let officer: Actor;

  /** The messages queued about a dossier, oldest first. */
  const messagesOf = async (code: string) => {
    const d = await ctx.db.kysely.selectFrom('dossiers').select('id').where('code', '=', code).executeTakeFirstOrThrow();
    return ctx.db.kysely.selectFrom('notify_outbox').selectAll().where('dossier_id', '=', d.id).orderBy('id').execute();
  };
  const onlyMessage = async (code: string) => {
    const rows = await messagesOf(code);
    assert.equal(rows.length, 1, `one message: ${rows.map((r) => r.purpose).join(', ')}`);
    const [row] = rows;
    assert.ok(row);
    return row;
  };
  const to = (row: { recipient_sealed: string }) => ctx.vault.open<{ phone: string }>(row.recipient_sealed).phone;

  it('starts', async () => {
    ctx = testContext(env.db, clock);
    officer = await officerOf(ctx);
  });

  it('receiving a dossier tells the applicant, with the due date in dd/mm/yyyy', async () => {
    clock.set('2026-11-25T09:00:00+07:00');
    const filed = await fileOnline(ctx, { phone: '0912000001' });
    assert.equal((await messagesOf(filed.code)).length, 0);
    await act(ctx, officer, filed.code, 'receive');
    const row = await onlyMessage(filed.code);
    assert.equal(row.purpose, 'dossier_received');
    assert.equal(row.template, 'notify.sms.dossier_received');
    assert.equal(row.channel, 'sms');
    assert.equal(row.status, 'queued');
    assert.equal(row.citizen_id, filed.citizen.id);
    assert.equal(to(row), '0912000001');
    assert.equal(row.recipient_hash, ctx.vault.lookupHash('phone', '0912000001'));
    assert.equal(row.created_at.getTime(), clock.current.getTime(), 'written on the application clock');
    assert.equal(row.body, `Cầu Số: hồ sơ ${filed.code} đã được tiếp nhận. Hẹn trả kết quả ngày 26/11/2026.`);
  });

  it('asking for papers gives how many', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000002' });
    await act(ctx, officer, filed.code, 'receive');
    await act(ctx, officer, filed.code, 'start_processing');
    await act(ctx, officer, filed.code, 'request_supplement', { missingDocuments: MISSING });
    const rows = await messagesOf(filed.code);
    assert.deepEqual(
      rows.map((r) => r.purpose),
      ['dossier_received', 'supplement_requested'],
      'starting to process sends nothing',
    );
    const row = rows[1];
    assert.ok(row);
    assert.equal(row.template, 'notify.sms.supplement_requested');
    assert.ok(row.body.includes(filed.code));
    assert.match(row.body, /cần bổ sung 2 giấy tờ/);
  });

  it('asking for fees gives the amount', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000003', procedureCode: FEE_PROCEDURE, formData: { copies: 2 } });
    await act(ctx, officer, filed.code, 'receive');
    await act(ctx, officer, filed.code, 'request_fees');
    const row = (await messagesOf(filed.code)).at(-1);
    assert.ok(row);
    assert.equal(row.purpose, 'fees_due');
    assert.ok(row.body.includes(filed.code));
    assert.match(row.body, /cần nộp phí 16\.000đ/, row.body);
  });

  it('a finished dossier tells the applicant the result is ready', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000004' });
    await act(ctx, officer, filed.code, 'receive');
    await act(ctx, officer, filed.code, 'start_processing');
    await act(ctx, officer, filed.code, 'finish', { resultDocument: 'Giấy khai sinh số 12/2026' });
    const rows = await messagesOf(filed.code);
    assert.deepEqual(
      rows.map((r) => r.purpose),
      ['dossier_received', 'result_ready'],
    );
    assert.match(rows[1]?.body ?? '', /đã có kết quả/);
    await act(ctx, officer, filed.code, 'return_result');
    assert.equal((await messagesOf(filed.code)).length, 2, 'handing the result over sends nothing');
  });

  it('a refused dossier tells the applicant to ask why', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000005' });
    await act(ctx, officer, filed.code, 'refuse', { reason: 'Sai thủ tục' });
    const row = await onlyMessage(filed.code);
    assert.equal(row.purpose, 'dossier_refused');
    assert.ok(row.body.includes(filed.code));
    assert.ok(!row.body.includes('Sai thủ tục'), 'the reason is not sent by SMS');
  });

  it('an action back-dated by 2 days queues nothing; one a few hours old does', async () => {
    clock.set('2026-11-20T09:00:00+07:00');
    const old = await fileOnline(ctx, { phone: '0912000006' });
    const recent = await fileOnline(ctx, { phone: '0912000007' });
    clock.set('2026-11-25T09:00:00+07:00');
    await act(ctx, officer, old.code, 'receive', { occurredAt: '2026-11-23T09:00:00+07:00' });
    assert.equal((await messagesOf(old.code)).length, 0);
    await act(ctx, officer, recent.code, 'receive', { occurredAt: '2026-11-25T07:00:00+07:00' });
    assert.equal((await onlyMessage(recent.code)).purpose, 'dossier_received');
  });

  it('a dossier without any phone queues nothing', async () => {
    const d = await createDossier(ctx, officer, { transactionId: txid(), procedureCode: '1.001193', unitCode: COMMUNE, channel: 2, applicant: { fullName: 'Điểu Thị Lan' }, formData: {} });
    await act(ctx, officer, d.code, 'receive');
    await act(ctx, officer, d.code, 'request_supplement', { missingDocuments: MISSING });
    assert.equal((await messagesOf(d.code)).length, 0);
    const counter = await createDossier(ctx, officer, { transactionId: txid(), procedureCode: '1.001193', unitCode: COMMUNE, channel: 1, applicant: { fullName: 'Điểu Văn Bình' }, formData: {} });
    await act(ctx, officer, counter.code, 'start_processing');
    await act(ctx, officer, counter.code, 'finish');
    assert.equal((await messagesOf(counter.code)).length, 0);
  });

  it('uses the phone written on the dossier at the counter', async () => {
    const d = await createDossier(ctx, officer, { transactionId: txid(), procedureCode: '1.001193', unitCode: COMMUNE, channel: 2, applicant: { fullName: 'Điểu Thị Lan', phone: '+84912000008' }, formData: {} });
    await act(ctx, officer, d.code, 'receive');
    const row = await onlyMessage(d.code);
    assert.equal(to(row), '0912000008');
    assert.equal(row.citizen_id, null);
  });

  it("writes in the applicant's language", async () => {
    const filed = await fileOnline(ctx, { phone: '0912000009' });
    await ctx.db.kysely.updateTable('citizens').set({ preferred_lang: 'en' }).where('id', '=', filed.citizen.id).execute();
    await act(ctx, officer, filed.code, 'receive');
    await act(ctx, officer, filed.code, 'request_supplement', { missingDocuments: MISSING });
    const rows = await messagesOf(filed.code);
    assert.deepEqual(
      rows.map((r) => r.body),
      [`Cau So: dossier ${filed.code} was received. Result due 26/11/2026.`, `Cau So: dossier ${filed.code} needs 2 more papers. Text HS ${filed.code} to see them, or ask the commune.`],
    );
  });

  it('a repeated action (same transaction id) sends once', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000010' });
    const transactionId = txid();
    await act(ctx, officer, filed.code, 'receive', { transactionId });
    const again = await act(ctx, officer, filed.code, 'receive', { transactionId });
    assert.equal(again.replayed, true);
    assert.equal((await messagesOf(filed.code)).length, 1);
  });
});
