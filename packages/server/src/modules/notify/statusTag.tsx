/** What every page listing messages shares: the status tag, which texts stay hidden, the time format. */
import type { PageRequest } from '../../web/request.ts';
import type { OutboxStatus } from './outbox.ts';

/** Sign-up and sign-in codes: they reach the phone; nobody in the office needs to read them. */
export const SECRET_PURPOSES: ReadonlySet<string> = new Set(['otp', 'sign_in_code']);

/** Times on the message lists, in Vietnam time whatever the server's zone. */
export const outboxTimeFormat = (lang: string): Intl.DateTimeFormat =>
  new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : lang, { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'medium' });

/** Statuses after which nothing more will be tried. */
export const DONE: ReadonlySet<OutboxStatus> = new Set(['sent', 'delivered', 'failed_permanent']);

const TONE: Record<OutboxStatus, string> = {
  queued: '',
  sending: '',
  sent: ' ok',
  delivered: ' ok',
  failed_temporary: ' warn',
  failed_permanent: ' late',
};

export function StatusTag({ p, status }: { p: PageRequest; status: OutboxStatus }) {
  return <span class={`tag${TONE[status]}`}>{p.t(`notify.status.${status}`)}</span>;
}
