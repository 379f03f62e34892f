/**
 * Reminders for community teams: each member with follow-ups due tomorrow gets one SMS (and
 * an e-mail when an address is on file) in the evening, at REMINDER_HOUR local time. It comes
 * from the server, so it also reaches a member whose phone has not synced for days (the
 * reminder is the nudge to go online). One message per member and day: the outbox's dedupe
 * key makes a second run, or a second app server, send nothing more.
 */
import { addDays, localDateOf, type LocalDate } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { queueMessage } from './outbox.ts';
import { renderSms } from './templates.ts';
import { translator } from '../../web/i18n.ts';
import './schema.ts';

export interface ReminderRun {
  date: LocalDate;
  members: number;
  sms: number;
  emails: number;
}

interface DueItem {
  user_id: number;
  display_name: string;
  phone_sealed: string | null;
  email: string | null;
  village: string;
}

const vn = (d: LocalDate): string => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

async function dueTomorrow(ctx: AppContext, date: LocalDate): Promise<DueItem[]> {
  return ctx.db.kysely
    .selectFrom('follow_ups as f')
    .innerJoin('users as u', 'u.id', 'f.assignee_id')
    .innerJoin('units as v', 'v.id', 'f.unit_id')
    .select(['u.id as user_id', 'u.display_name', 'u.phone_sealed', 'u.email', 'v.name as village'])
    .where('f.done_at', 'is', null)
    .where('f.due_date', '=', date)
    .where('u.active', '=', true)
    .orderBy('u.id')
    .orderBy('v.name')
    .execute();
}

/** "Ấp Thủy Đông" or "Ấp Thủy Đông +2" when the member's follow-ups span several villages. */
function villagesLabel(items: DueItem[]): string {
  const names = [...new Set(items.map((i) => i.village))];
  return names.length > 1 ? `${names[0]} +${names.length - 1}` : (names[0] ?? '');
}

export async function sendFollowUpReminders(ctx: AppContext, date: LocalDate = addDays(localDateOf(ctx.now()), 1)): Promise<ReminderRun> {
  const byMember = new Map<number, DueItem[]>();
  for (const item of await dueTomorrow(ctx, date)) byMember.set(item.user_id, [...(byMember.get(item.user_id) ?? []), item]);
  const run: ReminderRun = { date, members: byMember.size, sms: 0, emails: 0 };
  for (const [userId, items] of byMember) {
    const first = items[0];
    if (!first) continue;
    const params = { date: vn(date), count: items.length, village: villagesLabel(items) };
    await ctx.db.transaction(async (trx) => {
      if (first.phone_sealed) {
        const { phone } = ctx.vault.open<{ phone: string }>(first.phone_sealed);
        const id = await queueMessage(trx, ctx.vault, {
          to: phone,
          text: renderSms('vi', 'notify.sms.follow_up_reminder', params),
          template: 'notify.sms.follow_up_reminder',
          purpose: 'follow_up_reminder',
          userId,
          dedupeKey: `reminder:sms:${userId}:${date}`,
          at: ctx.now(),
        });
        if (id !== null) run.sms += 1;
      }
      if (first.email) {
        const t = translator('vi');
        // Counts per village only: the notes may name residents, and e-mail leaves our servers.
        const perVillage = new Map<string, number>();
        for (const i of items) perVillage.set(i.village, (perVillage.get(i.village) ?? 0) + 1);
        const list = [...perVillage].map(([village, n]) => `- ${village}: ${n}`).join('\n');
        const id = await queueMessage(trx, ctx.vault, {
          channel: 'email',
          to: first.email,
          subject: t('notify.email.follow_up_reminder.subject', params),
          text: t('notify.email.follow_up_reminder.body', { ...params, name: first.display_name, list }),
          template: 'notify.email.follow_up_reminder',
          purpose: 'follow_up_reminder',
          userId,
          dedupeKey: `reminder:email:${userId}:${date}`,
          at: ctx.now(),
        });
        if (id !== null) run.emails += 1;
      }
    });
  }
  if (run.sms || run.emails) ctx.log.info(run, 'follow-up reminders queued');
  return run;
}

/** Whether the evening's reminders are due: at or after REMINDER_HOUR, local time. */
export function remindersDue(ctx: AppContext): boolean {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', hourCycle: 'h23' }).format(ctx.now()));
  return hour >= ctx.config.REMINDER_HOUR;
}

/** Checks every few minutes and runs once a day per process; the dedupe keys keep other servers from sending again. */
export function startReminderJob(ctx: AppContext, everyMs = 5 * 60_000): { stop: () => void } {
  let doneFor: LocalDate | null = null;
  const tick = (): void => {
    const date = addDays(localDateOf(ctx.now()), 1);
    if (!remindersDue(ctx) || doneFor === date) return;
    sendFollowUpReminders(ctx, date)
      .then(() => {
        doneFor = date;
      })
      .catch((err: unknown) => ctx.log.error({ err }, 'follow-up reminders failed'));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
