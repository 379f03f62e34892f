/**
 * The messages sent about one dossier, on its back-office page: what went to the applicant,
 * when, and whether the network says it arrived. An officer answering "did you text me?" at
 * the counter sees it here. The text is shown; the number is not (it is on the dossier).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../../web/request.ts';
import type { Channel, OutboxStatus } from './outbox.ts';
import { SECRET_PURPOSES, StatusTag } from './statusTag.tsx';

export interface DossierMessage {
  id: number;
  channel: Channel;
  purpose: string;
  body: string;
  status: OutboxStatus;
  createdAt: Date;
  deliveredAt: Date | null;
  problem: string | null;
}

export async function messagesOfDossier(db: Kysely<DB>, dossierId: number): Promise<DossierMessage[]> {
  const rows = await db
    .selectFrom('notify_outbox')
    .select(['id', 'channel', 'purpose', 'body', 'status', 'created_at', 'delivered_at', 'last_error', 'receipt_detail'])
    .where('dossier_id', '=', dossierId)
    .orderBy('id')
    .limit(100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    purpose: r.purpose,
    body: SECRET_PURPOSES.has(r.purpose) ? '' : r.body,
    status: r.status,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    problem: r.status === 'failed_permanent' || r.status === 'failed_temporary' ? (r.receipt_detail ?? r.last_error) : null,
  }));
}

const fmt = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' });

export function DossierMessagesSection({ p, messages }: { p: PageRequest; messages: DossierMessage[] }) {
  return (
    <section aria-labelledby="messages">
      <h2 id="messages">{p.t('notify.dossier.title')}</h2>
      {messages.length === 0 ? (
        <p>{p.t('notify.dossier.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{p.t('notify.dev.col.time')}</th>
              <th scope="col">{p.t('notify.dev.col.purpose')}</th>
              <th scope="col">{p.t('notify.dev.col.text')}</th>
              <th scope="col">{p.t('notify.dev.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message-status={m.status}>
                <td>{fmt.format(m.createdAt)}</td>
                <td>
                  {p.t(`notify.channel.${m.channel}`)}: {p.t(`notify.purpose.${m.purpose}`)}
                </td>
                <td class="sms-text">{m.body || p.t('notify.dev.hidden_code')}</td>
                <td>
                  <StatusTag p={p} status={m.status} />
                  {m.deliveredAt ? <div class="muted">{fmt.format(m.deliveredAt)}</div> : null}
                  {m.problem ? <div class="muted">{m.problem}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
