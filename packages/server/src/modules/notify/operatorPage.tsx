/**
 * `/office/notifications`: the operator's view of the notification service (province
 * admins): what waits and how old the oldest is, counts by status over the last 7 days, the
 * latest messages with their delivery status and the latest texts residents sent. Numbers and
 * addresses are shown by their last digits only, and codes sent for sign-in never.
 */
import { z } from 'zod';
import { localDateOf } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { OfficePage } from '../../web/layout.tsx';
import { sendPage } from '../../web/render.tsx';
import { formatNumber } from '../../web/i18n.ts';
import { requireProvinceAdmin } from '../auth/service.ts';
import { audit } from '../audit/service.ts';
import { OUTBOX_STATUSES, recipientOf } from './outbox.ts';
import { StatusTag, SECRET_PURPOSES, outboxTimeFormat } from './statusTag.tsx';
import './schema.ts';

const SHOWN = 100;
const Query = z.object({ status: z.enum(OUTBOX_STATUSES).optional().catch(undefined), channel: z.enum(['sms', 'email']).optional().catch(undefined) });

/** "…4567" for a phone, "n…@example.vn" for an address: enough to tell messages apart. */
export function maskRecipient(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}…${value.slice(at)}`;
  return `…${value.slice(-4)}`;
}


async function loadView(ctx: AppContext, q: z.infer<typeof Query>) {
  const db = ctx.db.kysely;
  const weekAgo = new Date(ctx.now().getTime() - 7 * 86_400_000);
  const [counts, waiting, messages, inbound] = await Promise.all([
    db.selectFrom('notify_outbox').select(['channel', 'status', (eb) => eb.fn.countAll<number>().as('n')]).where('created_at', '>=', weekAgo).groupBy(['channel', 'status']).execute(),
    db
      .selectFrom('notify_outbox')
      .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('created_at').as('oldest')])
      .where('status', 'in', ['queued', 'sending', 'failed_temporary'])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('notify_outbox as o')
      .leftJoin('dossiers as d', 'd.id', 'o.dossier_id')
      .select(['o.id', 'o.channel', 'o.recipient_sealed', 'o.subject', 'o.body', 'o.purpose', 'o.status', 'o.attempts', 'o.provider', 'o.last_error', 'o.receipt_detail', 'o.duplicate_suspected', 'o.created_at', 'd.code'])
      .$if(q.status !== undefined, (qb) => qb.where('o.status', '=', q.status ?? 'queued'))
      .$if(q.channel !== undefined, (qb) => qb.where('o.channel', '=', q.channel ?? 'sms'))
      .orderBy('o.id', 'desc')
      .limit(SHOWN)
      .execute(),
    db.selectFrom('sms_inbound').select(['id', 'sender_sealed', 'command', 'outcome', 'received_at']).orderBy('id', 'desc').limit(30).execute(),
  ]);
  return { counts, waiting, messages, inbound };
}

export function notifyOperatorPage(app: ZodApp, ctx: AppContext): void {
  app.get('/office/notifications', { schema: { hide: true, querystring: Query } }, async (req, reply) => {
    const { officer } = await requireProvinceAdmin(ctx.db.kysely, req.officer, localDateOf(ctx.now()));
    const p = req.page;
    const v = await loadView(ctx, req.query);
    await audit(ctx.db.kysely, { actorId: officer.id, action: 'notify.outbox_read', entity: 'notify_outbox', detail: { rows: v.messages.length }, ip: req.ip });
    const fmt = outboxTimeFormat(p.lang);
    const count = (channel: string, status: string) => Number(v.counts.find((c) => c.channel === channel && c.status === status)?.n ?? 0);
    const oldest = v.waiting.oldest ? new Date(v.waiting.oldest) : null;
    const ageMinutes = oldest ? Math.max(0, Math.round((ctx.now().getTime() - oldest.getTime()) / 60_000)) : 0;
    return sendPage(
      reply,
      <OfficePage p={p} title={p.t('notify.ops.title')} officer={officer}>
        <h1>{p.t('notify.ops.title')}</h1>
        <p>{p.t('notify.ops.gateways', { sms: ctx.adapters.sms.name, email: ctx.adapters.email.name })}</p>
        <p class={Number(v.waiting.n) > 0 && ageMinutes > 10 ? 'notice warn' : ''}>
          {Number(v.waiting.n) === 0 ? p.t('notify.ops.none_waiting') : p.t('notify.ops.waiting', { n: formatNumber(p.lang, Number(v.waiting.n)), minutes: formatNumber(p.lang, ageMinutes) })}
        </p>
        <h2>{p.t('notify.ops.week')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{p.t('notify.ops.col.channel')}</th>
              {OUTBOX_STATUSES.map((s) => (
                <th scope="col" key={s}>
                  <StatusTag p={p} status={s} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(['sms', 'email'] as const).map((ch) => (
              <tr key={ch}>
                <th scope="row">{p.t(`notify.channel.${ch}`)}</th>
                {OUTBOX_STATUSES.map((s) => (
                  <td key={s} class="num">
                    <a href={`/office/notifications?channel=${ch}&status=${s}`}>{formatNumber(p.lang, count(ch, s))}</a>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <h2>{p.t('notify.ops.latest')}</h2>
        {req.query.status || req.query.channel ? (
          <p>
            <a href="/office/notifications">{p.t('notify.ops.all')}</a>
          </p>
        ) : null}
        {v.messages.length === 0 ? (
          <p>{p.t('notify.dev.empty')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{p.t('notify.dev.col.time')}</th>
                <th scope="col">{p.t('notify.ops.col.to')}</th>
                <th scope="col">{p.t('notify.dev.col.purpose')}</th>
                <th scope="col">{p.t('notify.dev.col.text')}</th>
                <th scope="col">{p.t('notify.dev.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {v.messages.map((m) => (
                <tr key={m.id} data-outbox-id={m.id}>
                  <td>{fmt.format(m.created_at)}</td>
                  <td>
                    {p.t(`notify.channel.${m.channel}`)} {maskRecipient(recipientOf(ctx.vault, m.recipient_sealed))}
                  </td>
                  <td>
                    {p.t(`notify.purpose.${m.purpose}`)}
                    {m.code ? (
                      <div>
                        <a href={`/office/dossiers/${encodeURIComponent(m.code)}`}>{m.code}</a>
                      </div>
                    ) : null}
                  </td>
                  <td class="sms-text">{SECRET_PURPOSES.has(m.purpose) ? p.t('notify.dev.hidden_code') : (m.subject ?? m.body)}</td>
                  <td>
                    <StatusTag p={p} status={m.status} />
                    {m.provider ? <div class="muted">{p.t('notify.dev.via', { provider: m.provider })}</div> : null}
                    {m.attempts > 1 ? <div class="muted">{p.t('notify.dev.attempts', { n: m.attempts })}</div> : null}
                    {m.receipt_detail ? <div class="muted">{m.receipt_detail}</div> : m.last_error && m.status !== 'delivered' && m.status !== 'sent' ? <div class="muted">{m.last_error}</div> : null}
                    {m.duplicate_suspected ? <div class="muted">{p.t('notify.ops.duplicate')}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>{p.t('notify.ops.inbound')}</h2>
        {v.inbound.length === 0 ? (
          <p>{p.t('notify.ops.inbound_empty')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{p.t('notify.dev.col.time')}</th>
                <th scope="col">{p.t('notify.ops.col.from')}</th>
                <th scope="col">{p.t('notify.ops.col.command')}</th>
                <th scope="col">{p.t('notify.dev.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {v.inbound.map((m) => (
                <tr key={m.id}>
                  <td>{fmt.format(m.received_at)}</td>
                  <td>{maskRecipient(recipientOf(ctx.vault, m.sender_sealed))}</td>
                  <td>{m.command}</td>
                  <td>{p.t(`notify.inbound.${m.outcome}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <a href="/office/dev/sms">{p.t('notify.ops.dev_link')}</a>
        </p>
      </OfficePage>,
    );
  });
}
