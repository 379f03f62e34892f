import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { smsLength, toGsm7Text } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { handleInboundSms, parseCommand } from '../../src/modules/notify/inbound.ts';
import { act, awaitingFees, awaitingSupplement, fileOnline, officerOf, FEE_PROCEDURE, MISSING } from '../track/helpers.ts';
import type { Actor } from '../../src/modules/dossiers/service.ts';

const PROVINCE_NUMBER = '8079';

describe('reading a text as a command', () => {
  it('takes HS with a code, in any case, with or without a colon, and the last 4 digits', () => {
    assert.deepEqual(parseCommand('hs 123'), { kind: 'lookup', code: '123', last4: null });
    assert.deepEqual(parseCommand('HS: ABC'), { kind: 'lookup', code: 'ABC', last4: null });
    assert.deepEqual(parseCommand('Hs ABC 1234'), { kind: 'lookup', code: 'ABC', last4: '1234' });
    assert.deepEqual(parseCommand('  hs   h10.22-261125-0001   5678 '), { kind: 'lookup', code: 'H10.22-261125-0001', last4: '5678' });
    assert.deepEqual(parseCommand('H S abc'), { kind: 'lookup', code: 'ABC', last4: null });
  });

  it('takes HS alone as "my newest dossier"', () => {
    assert.deepEqual(parseCommand('hS'), { kind: 'lookup', code: null, last4: null });
    assert.deepEqual(parseCommand('HS '), { kind: 'lookup', code: null, last4: null });
  });

  it('knows SIM and VNEID however they are typed, marks included', () => {
    assert.deepEqual(parseCommand('sim'), { kind: 'help', topic: 'sim' });
    assert.deepEqual(parseCommand('Sím chính chủ'), { kind: 'help', topic: 'sim' });
    assert.deepEqual(parseCommand('TTTB'), { kind: 'help', topic: 'sim' });
    assert.deepEqual(parseCommand('VNeID'), { kind: 'help', topic: 'vneid' });
    assert.deepEqual(parseCommand('vnéid'), { kind: 'help', topic: 'vneid' });
  });

  it('answers anything else with the list of commands', () => {
    assert.deepEqual(parseCommand('Tra cứu'), { kind: 'help', topic: null });
    assert.deepEqual(parseCommand('Hồ sơ của tôi đâu?'), { kind: 'help', topic: null });
    assert.deepEqual(parseCommand('HSBC'), { kind: 'help', topic: null });
    assert.deepEqual(parseCommand(''), { kind: 'help', topic: null });
  });
});

describeEachEngine('looking a dossier up by SMS', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let ctx: AppContext;
  let officer: Actor;

  const text = (from: string, body: string) => handleInboundSms(ctx, { from, to: PROVINCE_NUMBER, text: body, receivedAt: ctx.now() });
  /** The newest inbound row and the reply it queued (if any). */
  const lastExchange = async () => {
    const inbound = await ctx.db.kysely.selectFrom('sms_inbound').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    const reply = inbound.reply_id === null ? undefined : await ctx.db.kysely.selectFrom('notify_outbox').selectAll().where('id', '=', Number(inbound.reply_id)).executeTakeFirstOrThrow();
    return { inbound, reply };
  };
  /** Sends a text and returns the reply's body (asserting one was queued to the sender). */
  const ask = async (from: string, body: string): Promise<string> => {
    assert.equal(await text(from, body), 'answered');
    const { reply } = await lastExchange();
    assert.ok(reply, `a reply to "${body}" is queued`);
    assert.equal(reply.purpose, 'lookup_reply');
    assert.equal(reply.channel, 'sms');
    assert.equal(reply.status, 'queued');
    assert.equal(reply.recipient_hash, ctx.vault.lookupHash('phone', from));
    assert.deepEqual(ctx.vault.open(reply.recipient_sealed), { phone: from.replace(/^\+?84/, '0') });
    return reply.body;
  };
  const onePart = (body: string) => assert.equal(smsLength(body).parts, 1, `one SMS part: ${body}`);

  it('starts', async () => {
    ctx = testContext(env.db, clock);
    officer = await officerOf(ctx);
  });

  it('answers HS <code> from the phone on the dossier with its status and due date', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000101' });
    await act(ctx, officer, filed.code, 'receive');
    const body = await ask('0912000101', `HS ${filed.code}`);
    assert.ok(body.includes(filed.code), body);
    assert.match(body, /tiếp nhận|tiep nhan/);
    assert.ok(body.includes('26/11/2026'), `the due date: ${body}`);
    onePart(body);
    // The network's forms of the same number are the same sender.
    assert.equal(await ask('84912000101', `hs ${filed.code.toLowerCase()}`), body);
    assert.equal(await ask('+84912000101', `HS: ${filed.code}`), body);
  });

  it('answers HS alone with the newest dossier of the sending phone', async () => {
    const first = await fileOnline(ctx, { phone: '0912000102' });
    clock.set('2026-11-25T10:00:00+07:00');
    const newest = await fileOnline(ctx, { citizen: first.citizen });
    const body = await ask('0912000102', 'HS');
    assert.ok(body.includes(newest.code), body);
    assert.ok(!body.includes(first.code), body);
    assert.match(body, /chờ xã tiếp nhận|cho xa tiep nhan/);
    onePart(body);
  });

  it('from another phone: asks for the last 4 digits, answers with the right ones, and says the same "not found" for wrong digits and for a code that does not exist', async () => {
    const filed = await fileOnline(ctx, { phone: '0912005678' });
    await act(ctx, officer, filed.code, 'receive');
    // A number the platform does not know gets 3 answers an hour: each question from its own phone.
    let n = 200;
    const stranger = () => `0987000${++n}`;

    const need = await ask(stranger(), `HS ${filed.code}`);
    assert.ok(need.includes(filed.code), need);
    assert.match(toGsm7Text(need), /4 so cuoi/);
    assert.ok(!need.includes('5678'), 'the digits are not given away');

    const right = await ask(stranger(), `HS ${filed.code} 5678`);
    assert.ok(right.includes(filed.code));
    assert.ok(right.includes('26/11/2026'), right);
    onePart(right);

    const wrongDigits = await ask(stranger(), `HS ${filed.code} 0000`);
    const unknown = filed.code.replace(/\d{4}$/, '9999');
    const wrongCode = await ask(stranger(), `HS ${unknown} 5678`);
    assert.equal(wrongDigits.replace(filed.code, '<code>'), wrongCode.replace(unknown, '<code>'), 'a wrong code and wrong digits read the same');
    assert.match(toGsm7Text(wrongDigits), /Khong thay ho so/);
    assert.ok(!wrongDigits.includes('26/11/2026'));

    // Without digits, a code that does not exist gets the same "send the digits" answer.
    const needUnknown = await ask(stranger(), `HS ${unknown}`);
    assert.equal(needUnknown.replace(unknown, '<code>'), need.replace(filed.code, '<code>'));
  });

  it('lists the missing papers for a dossier waiting for a supplement', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000301' });
    await awaitingSupplement(ctx, officer, filed.code);
    const body = await ask('0912000301', `HS ${filed.code}`);
    assert.ok(body.includes(filed.code));
    // Too long for one part with its marks: it goes without them, in one part.
    onePart(body);
    assert.match(body, /Ban sao Giay chung sinh, Can cuoc cua me/, body);
    assert.equal(MISSING.length, 2);
  });

  it('cuts a long list of missing papers so the reply still fits one part', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000302' });
    await act(ctx, officer, filed.code, 'receive');
    const papers = ['Giấy xác nhận tình trạng hôn nhân', 'Bản sao Giấy chứng sinh', 'Căn cước của mẹ', 'Sổ hộ khẩu cũ', 'Giấy ủy quyền có chứng thực'];
    await act(ctx, officer, filed.code, 'request_supplement', { missingDocuments: papers });
    const body = await ask('0912000302', `HS ${filed.code}`);
    assert.ok(body.includes(filed.code));
    assert.match(body, /can bo sung Giay xac nhan tinh trang hon nhan, .*\.\.\./, body);
    assert.doesNotMatch(body, /uy quyen/);
    onePart(body);
  });

  it('gives the amount for a dossier waiting for its fees', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000401', procedureCode: FEE_PROCEDURE, formData: { copies: 2 } });
    await awaitingFees(ctx, officer, filed.code);
    const body = await ask('0912000401', `HS ${filed.code}`);
    assert.ok(body.includes(filed.code));
    assert.ok(body.includes('16.000'), `2 copies at 8.000 đ: ${body}`);
    onePart(body);
  });

  it('answers SIM, VNEID and anything else with short help, and HS alone from an unknown phone', async () => {
    const stranger = '0987000501';
    assert.match(await ask(stranger, 'sim'), /1414/);
    assert.match(await ask(stranger, 'VNeID'), /công an xã|cong an xa/);
    assert.match(await ask(stranger, 'Tra cứu'), /HS/);
    assert.match(await ask('0987000502', 'HS'), /chưa có hồ sơ|chua co ho so/);
  });

  it('records each text with the sender sealed, the command and the reply', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000601' });
    await text('84912000601', `Hs ${filed.code}`);
    const { inbound, reply } = await lastExchange();
    assert.deepEqual(ctx.vault.open(inbound.sender_sealed), { phone: '0912000601' });
    assert.equal(inbound.sender_hash, ctx.vault.lookupHash('phone', '0912000601'));
    assert.ok(!inbound.sender_sealed.includes('0912000601') && !inbound.sender_sealed.includes('912000601'), 'the number is not in the clear');
    assert.equal(inbound.to_number, PROVINCE_NUMBER);
    assert.equal(inbound.body, `Hs ${filed.code}`);
    assert.equal(inbound.command, 'HS code');
    assert.equal(inbound.outcome, 'answered');
    assert.equal(inbound.received_at.getTime(), clock.current.getTime());
    assert.ok(reply);
    assert.equal(reply.dossier_id, null, 'the reply is not filed as a message about the dossier');
    const audit = await ctx.db.kysely.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'dossier.track_sms').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(audit.entity_id, filed.code);
  });

  it('stops answering an unknown number after 3 texts an hour, and a known one after its allowance; every text is recorded', async () => {
    const saved = ctx.config.SMS_INBOUND_PER_SENDER_PER_HOUR;
    ctx.config.SMS_INBOUND_PER_SENDER_PER_HOUR = 5;
    try {
      clock.set('2026-11-26T08:00:00+07:00');
      const unknown = '0987000701';
      for (let i = 0; i < 3; i++) assert.equal(await text(unknown, 'HS'), 'answered', `text ${i + 1}`);
      const before = await ctx.db.kysely.selectFrom('notify_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      assert.equal(await text(unknown, 'HS'), 'limited');
      const { inbound, reply } = await lastExchange();
      assert.equal(inbound.outcome, 'limited');
      assert.equal(inbound.reply_id, null);
      assert.equal(reply, undefined);
      assert.equal(inbound.sender_hash, ctx.vault.lookupHash('phone', unknown));
      const after = await ctx.db.kysely.selectFrom('notify_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      assert.equal(after.n, before.n, 'no reply queued');

      // A number the platform knows (on a dossier) gets the configured allowance.
      const filed = await fileOnline(ctx, { phone: '0912000702' });
      for (let i = 0; i < 5; i++) assert.equal(await text('0912000702', `HS ${filed.code}`), 'answered', `text ${i + 1}`);
      assert.equal(await text('0912000702', `HS ${filed.code}`), 'limited');

      // An hour later both are answered again.
      clock.set('2026-11-26T09:00:01+07:00');
      assert.equal(await text(unknown, 'HS'), 'answered');
      assert.equal(await text('0912000702', 'HS'), 'answered');
    } finally {
      ctx.config.SMS_INBOUND_PER_SENDER_PER_HOUR = saved;
    }
  });

  it('answers in English to a citizen who chose English', async () => {
    const filed = await fileOnline(ctx, { phone: '0912000801' });
    await ctx.db.kysely.updateTable('citizens').set({ preferred_lang: 'en' }).where('id', '=', filed.citizen.id).execute();
    const body = await ask('0912000801', `HS ${filed.code}`);
    assert.ok(body.includes(filed.code));
    assert.match(body, /waiting for the commune/);
  });
});
