/**
 * `/office/dev/sms`: the latest SMS of the platform, for operators. With the development sink
 * this is the only place a message can be read (the demo reads its codes here). Province admins only,
 * checked here on the server; phone numbers are shown in full, so every view is audited.
 */
import { localDateOf, smsLength } from '@causo/domain';
import { requireProvinceAdmin } from '../auth/service.ts';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { OfficePage } from '../../web/layout.tsx';
import { sendPage } from '../../web/render.tsx';
import { audit } from '../audit/service.ts';
import { formatNumber } from '../../web/i18n.ts';
import { recipientOf } from './outbox.ts';
import { DONE, StatusTag, SECRET_PURPOSES, outboxTimeFormat } from './statusTag.tsx';

const SHOWN = 100;

export function smsSinkPages(app: ZodApp, ctx: AppContext): void {
  app.get('/office/dev/sms', { schema: { hide: true } }, async (req, reply) => {
    const { officer } = await requireProvinceAdmin(ctx.db.kysely, req.officer, localDateOf(ctx.now()));
    const p = req.page;
    const rows = await ctx.db.kysely
      .selectFrom('notify_outbox')
      .select(['id', 'recipient_sealed', 'body', 'purpose', 'status', 'attempts', 'provider', 'last_error', 'created_at'])
      .where('channel', '=', 'sms')
      .orderBy('id', 'desc')
      .limit(SHOWN)
      .execute();
    await audit(ctx.db.kysely, { actorId: officer.id, action: 'sms.outbox_read', entity: 'notify_outbox', detail: { rows: rows.length, newest: rows[0]?.id ?? null }, ip: req.ip });
    const gateway = ctx.adapters.sms.name;
    const fmt = outboxTimeFormat(p.lang);
    return sendPage(
      reply,
      <OfficePage p={p} title={p.t('notify.dev.title')} officer={officer}>
        <h1>{p.t('notify.dev.title')}</h1>
        <p>
          {p.t('notify.dev.gateway', { name: gateway })} {p.t(gateway === 'sink' ? 'notify.dev.sink_note' : 'notify.dev.real_note')}
        </p>
        <p class="notice warn">{p.t('notify.dev.audited')}</p>
        {rows.length === 0 ? (
          <p>{p.t('notify.dev.empty')}</p>
        ) : (
          <>
            <p>{p.t('notify.dev.lead', { count: rows.length })}</p>
            <table>
              <thead>
                <tr>
                  <th scope="col">{p.t('notify.dev.col.time')}</th>
                  <th scope="col">{p.t('notify.dev.col.phone')}</th>
                  <th scope="col">{p.t('notify.dev.col.text')}</th>
                  <th scope="col">{p.t('notify.dev.col.purpose')}</th>
                  <th scope="col">{p.t('notify.dev.col.status')}</th>
                  <th scope="col">{p.t('notify.dev.col.size')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const size = smsLength(r.body);
                  return (
                    <tr key={r.id} data-outbox-id={r.id}>
                      <td>{fmt.format(r.created_at)}</td>
                      <td class="phone">{recipientOf(ctx.vault, r.recipient_sealed)}</td>
                      <td class="sms-text">{gateway !== 'sink' && SECRET_PURPOSES.has(r.purpose) ? p.t('notify.dev.hidden_code') : r.body}</td>
                      <td>{p.t(`notify.purpose.${r.purpose}`)}</td>
                      <td>
                        <StatusTag p={p} status={r.status} />
                        {r.provider ? <div class="muted">{p.t('notify.dev.via', { provider: r.provider })}</div> : null}
                        {!DONE.has(r.status) && r.attempts > 0 ? <div class="muted">{p.t('notify.dev.attempts', { n: r.attempts })}</div> : null}
                        {r.last_error && !DONE.has(r.status) ? <div class="muted">{r.last_error}</div> : null}
                      </td>
                      <td>{p.t('notify.dev.size', { parts: formatNumber(p.lang, size.parts), encoding: size.encoding })}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </OfficePage>,
    );
  });
}
