/** A message's delivery status as a coloured tag, the same on every page that lists messages. */
import type { PageRequest } from '../../web/request.ts';
import type { OutboxStatus } from './outbox.ts';

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
