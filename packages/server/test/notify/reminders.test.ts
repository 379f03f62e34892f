import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext, unitId } from '../support/fixtures.ts';
import { officerOn, TODAY } from '../admin/support.ts';
import type { AppContext } from '../../src/context.ts';
import { householdInsert } from '../../src/modules/teams/records.ts';
import { remindersDue, sendFollowUpReminders } from '../../src/modules/notify/reminders.ts';
import { recipientOf } from '../../src/modules/notify/outbox.ts';

const VILLAGE = '25309-01'; // Ấp Phước Tiến
const OTHER_VILLAGE = '25309-02'; // Ấp Bù Tam

describeEachEngine('evening reminders for community team members', (env) => {
  // Wednesday evening, after REMINDER_HOUR (17): follow-ups due on Thursday 26/11 are reminded.
  const clock = new TestClock(new Date('2026-11-25T18:00:00+07:00'));
  let ctx: AppContext;
  let villageId: number;
  let otherVillageId: number;
  let householdId: string;
  let otherHouseholdId: string;
  let creatorId: number;

  /** A team member on the village, with the contact details given. */
  const member = async (contact: { phone?: string; email?: string; name?: string }) => {
    const m = await officerOn(ctx.db, [{ role: 'member', unitCode: VILLAGE }], 'thanhvien');
    await ctx.db.kysely
      .updateTable('users')
      .set({
        display_name: contact.name ?? 'Điểu Thị Hoa',
        phone_sealed: contact.phone ? ctx.vault.seal({ phone: contact.phone }) : null,
        phone_hash: contact.phone ? ctx.vault.lookupHash('phone', contact.phone) : null,
        email: contact.email ?? null,
      })
      .where('id', '=', m.id)
      .execute();
    return m.id;
  };
  const followUp = (assignee: number, due: string, opts: { done?: boolean; note?: string; other?: boolean } = {}) =>
    ctx.db.kysely
      .insertInto('follow_ups')
      .values({
        id: randomUUID(),
        unit_id: opts.other ? otherVillageId : villageId,
        household_id: opts.other ? otherHouseholdId : householdId,
        resident_id: null,
        blocker_id: null,
        assignee_id: assignee,
        created_by: creatorId,
        due_date: due,
        note: opts.note ?? '',
        created_at: clock.current,
        ...(opts.done ? { done_at: clock.current, done_by: assignee } : {}),
      })
      .execute();
  const messagesTo = (userId: number) => ctx.db.kysely.selectFrom('notify_outbox').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  const outboxSize = async () => Number((await ctx.db.kysely.selectFrom('notify_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('starts', async () => {
    ctx = testContext(env.db, clock);
    villageId = await unitId(ctx.db, VILLAGE, TODAY);
    otherVillageId = await unitId(ctx.db, OTHER_VILLAGE, TODAY);
    creatorId = (await officerOn(ctx.db, [{ role: 'leader', unitCode: '25309' }])).id;
    householdId = randomUUID();
    otherHouseholdId = randomUUID();
    const meta = { at: clock.current, receivedAt: clock.current, createdBy: creatorId, envelopeId: null, deviceId: null };
    await ctx.db.kysely
      .insertInto('households')
      .values([
        householdInsert(householdId, villageId, { villageCode: VILLAGE, headName: 'Điểu Văn Lực', address: 'Ấp Phước Tiến', note: '' }, meta),
        householdInsert(otherHouseholdId, otherVillageId, { villageCode: OTHER_VILLAGE, headName: 'Thị Mai', address: 'Ấp Bù Tam', note: '' }, meta),
      ])
      .execute();
  });

  it('is due from REMINDER_HOUR, local time', () => {
    assert.equal(ctx.config.REMINDER_HOUR, 17);
    assert.equal(remindersDue(ctx), true);
    clock.set('2026-11-25T16:59:00+07:00');
    assert.equal(remindersDue(ctx), false);
    clock.set('2026-11-25T18:00:00+07:00');
  });

  it('sends each member one SMS and one e-mail for the follow-ups due tomorrow, once', async () => {
    const hoa = await member({ phone: '0912300101', email: 'hoa.tocnsc@example.vn', name: 'Điểu Thị Hoa' });
    await followUp(hoa, '2026-11-26', { note: 'Hẹn hướng dẫn cài VNeID' });
    await followUp(hoa, '2026-11-26', { note: 'Giúp đăng ký SIM chính chủ' });
    await followUp(hoa, '2026-11-27', { note: 'Ngày kia: không nhắc hôm nay' });
    await followUp(hoa, '2026-11-26', { done: true, note: 'Đã làm sớm' });

    const run = await sendFollowUpReminders(ctx);
    assert.equal(run.date, '2026-11-26');
    assert.ok(run.sms >= 1 && run.emails >= 1);

    const rows = await messagesTo(hoa);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.purpose]),
      [
        ['sms', 'follow_up_reminder'],
        ['email', 'follow_up_reminder'],
      ],
    );
    const [sms, mail] = rows;
    assert.ok(sms && mail);
    assert.equal(recipientOf(ctx.vault, sms.recipient_sealed), '0912300101');
    assert.equal(sms.recipient_hash, ctx.vault.lookupHash('phone', '0912300101'));
    assert.equal(sms.body, 'Cầu Số: ngày mai 26/11/2026 bạn có 2 việc hẹn ở Ấp Phước Tiến. Mở ứng dụng để xem.');
    assert.equal(sms.template, 'notify.sms.follow_up_reminder');
    assert.equal(sms.dedupe_key, `reminder:sms:${hoa}:2026-11-26`);

    assert.equal(recipientOf(ctx.vault, mail.recipient_sealed), 'hoa.tocnsc@example.vn');
    assert.equal(mail.subject, 'Cầu Số: 2 việc hẹn ngày 26/11/2026');
    assert.match(mail.body, /^Chào Điểu Thị Hoa,/);
    assert.match(mail.body, /- Ấp Phước Tiến: 2\n/, 'counted per village, neither the day after nor a done follow-up');
    assert.doesNotMatch(mail.body, /VNeID|SIM|Ngày kia|Đã làm sớm/, 'the notes (they may name residents) stay out of e-mail');

    const size = await outboxSize();
    const again = await sendFollowUpReminders(ctx);
    assert.equal(again.sms, 0);
    assert.equal(again.emails, 0);
    assert.equal(await outboxSize(), size, 'a second run (or a second server) queues nothing');
    // Later the same evening, with the clock moved on: still nothing more.
    clock.set('2026-11-25T21:00:00+07:00');
    assert.deepEqual(await sendFollowUpReminders(ctx), { ...again, date: '2026-11-26' });
    assert.equal(await outboxSize(), size);
    clock.set('2026-11-25T18:00:00+07:00');
  });

  it('reaches a member whose device last synced 5 days ago', async () => {
    const lan = await member({ phone: '0912300102' });
    await ctx.db.kysely
      .insertInto('devices')
      .values({ id: randomUUID(), user_id: lan, label: 'Nokia 105', registered_at: new Date('2026-10-01T08:00:00+07:00'), last_seen_at: new Date('2026-11-20T17:00:00+07:00'), last_sync_at: new Date('2026-11-20T17:00:00+07:00') })
      .execute();
    await followUp(lan, '2026-11-26');
    await sendFollowUpReminders(ctx);
    const rows = await messagesTo(lan);
    assert.equal(rows.length, 1, 'an SMS, no e-mail without an address');
    assert.equal(rows[0]?.channel, 'sms');
    assert.match(rows[0]?.body ?? '', /bạn có 1 việc hẹn ở Ấp Phước Tiến/);
  });

  it('does not count a follow-up already done, and says "+1" for a second village', async () => {
    const tuan = await member({ phone: '0912300103' });
    await followUp(tuan, '2026-11-26');
    await followUp(tuan, '2026-11-26', { other: true });
    await followUp(tuan, '2026-11-26', { done: true });
    await followUp(tuan, '2026-11-26', { done: true, other: true });
    await sendFollowUpReminders(ctx);
    const [sms] = await messagesTo(tuan);
    assert.ok(sms);
    assert.match(sms.body, /bạn có 2 việc hẹn ở (Ấp Bù Tam|Ấp Phước Tiến) \+1\./);
  });

  it('a member with only done follow-ups gets nothing', async () => {
    const nam = await member({ phone: '0912300104', email: 'nam@example.vn' });
    await followUp(nam, '2026-11-26', { done: true });
    await sendFollowUpReminders(ctx);
    assert.equal((await messagesTo(nam)).length, 0);
  });

  it('a member without phone or e-mail gets nothing and nothing fails; an inactive member gets nothing', async () => {
    const silent = await member({});
    await followUp(silent, '2026-11-26');
    const gone = await member({ phone: '0912300105', email: 'gone@example.vn' });
    await followUp(gone, '2026-11-26');
    await ctx.db.kysely.updateTable('users').set({ active: false }).where('id', '=', gone).execute();
    const run = await sendFollowUpReminders(ctx);
    assert.equal(run.sms, 0);
    assert.equal(run.emails, 0);
    assert.equal((await messagesTo(silent)).length, 0);
    assert.equal((await messagesTo(gone)).length, 0);
  });

  it('a date can be given (the CLI), with its own dedupe keys', async () => {
    const hoa2 = await member({ phone: '0912300106' });
    await followUp(hoa2, '2026-11-27');
    const run = await sendFollowUpReminders(ctx, '2026-11-27');
    assert.equal(run.date, '2026-11-27');
    const [sms] = await messagesTo(hoa2);
    assert.ok(sms);
    assert.match(sms.body, /ngày mai 27\/11\/2026 bạn có 1 việc/);
    assert.equal(sms.dedupe_key, `reminder:sms:${hoa2}:2026-11-27`);
  });
});
