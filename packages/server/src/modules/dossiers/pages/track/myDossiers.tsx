/** /my and /my/:code: the signed-in citizen's dossiers, and one dossier with what to do next. */
import type { FastifyRequest } from 'fastify';
import { toLocalIso } from '@causo/domain';
import type { AppContext } from '../../../../context.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { PortalPage } from '../../../../web/layout.tsx';
import { SummaryList } from '../../../../web/components.tsx';
import { sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import { dossierPayments, feeQuoteForDossier, type PaymentView } from '../../../payments/service.ts';
import { citizenDossierList, citizenViewOf, type CitizenDossierView } from '../../citizenDossiers.ts';
import { listDocuments, type DocumentInfo } from '../../documents.ts';
import { findActionByTransaction, findDossierByCode } from '../../queries.ts';
import type { FeeQuote } from '../../../payments/fees.ts';
import { localDate, localDateTime, money, procedureName } from './format.ts';
import { DueDate, StatusHistory, WhatToDoNow, statusText } from './parts.tsx';
import { notFound } from '../../../../http/problem.ts';

export const citizenOf = (req: FastifyRequest) => {
  if (!req.citizen) throw new Error('citizen page without a citizen: mark the route { citizen: true }');
  return { citizenId: req.citizen.id, ip: req.ip };
};

/** The citizen's own dossier as a row and a view; anyone else's is "not found". */
export async function ownDossier(ctx: AppContext, req: FastifyRequest, code: string) {
  const me = citizenOf(req);
  const d = await findDossierByCode(ctx.db.kysely, code);
  if (!d || d.citizen_id !== me.citizenId) throw notFound('dossier.not_found_for_citizen');
  return { d, view: await citizenViewOf(ctx, d), me };
}

/** Whether this form's transaction id was already applied to this dossier (a repeated submit). */
export async function alreadyDone(ctx: AppContext, transactionId: string, action: string, code: string): Promise<boolean> {
  const prior = await findActionByTransaction(ctx.db.kysely, transactionId);
  return prior !== undefined && prior.action === action && prior.code === code;
}

const DONE_NOTICES = new Set(['supplement', 'withdrawn', 'paid']);

function MyListPage({ p, req, items }: { p: PageRequest; req: FastifyRequest; items: Awaited<ReturnType<typeof citizenDossierList>> }) {
  return (
    <PortalPage p={p} title={p.t('my.title')} citizen={req.citizen}>
      <h1>{p.t('my.title')}</h1>
      {items.length === 0 ? (
        <p>
          {p.t('my.empty')} <a href="/">{p.t('my.find_service')}</a>
        </p>
      ) : (
        <ul class="cards">
          {items.map((d) => (
            <li key={d.code}>
              <a href={`/my/${encodeURIComponent(d.code)}`}>{procedureName(p, d.procedure)}</a>
              <br />
              {p.t('my.code', { code: d.code })} · <span class="tag">{statusText(p, d.status)}</span>
              {d.dueAt && d.status !== 10 && d.status !== 3 && d.status !== 8 ? <> · {p.t('my.due', { date: localDate(d.dueAt) })}</> : null}
              {d.status === 5 || d.status === 6 ? (
                <>
                  <br />
                  <strong>{p.t(`my.needs_you.${d.status}`)}</strong>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/track">{p.t('my.track_other')}</a>
      </p>
    </PortalPage>
  );
}

function PaymentsList({ p, payments }: { p: PageRequest; payments: PaymentView[] }) {
  if (!payments.length) return null;
  return (
    <>
      <h2>{p.t('my.payments.heading')}</h2>
      <ul>
        {payments.map((x) => (
          <li key={x.reference}>
            {money(p, x.amount)} · {p.t(`payments.status.${x.status}`)} · {p.t(`payments.method.${x.method}`)} · {localDateTime(p, x.paidAt ?? x.createdAt)}
            {x.receiptNo ? <> · {p.t('my.payments.receipt', { no: x.receiptNo })}</> : null}
          </li>
        ))}
      </ul>
    </>
  );
}

function MyDossierPage(props: { p: PageRequest; req: FastifyRequest; v: CitizenDossierView; documents: DocumentInfo[]; payments: PaymentView[]; fees: FeeQuote | null; done: string | null }) {
  const { p, req, v, documents, payments, fees, done } = props;
  const base = `/my/${encodeURIComponent(v.code)}`;
  return (
    <PortalPage p={p} title={procedureName(p, v.procedure)} citizen={req.citizen}>
      <p>
        <a href="/my">← {p.t('my.back_to_list')}</a>
      </p>
      {done ? (
        <div class="notice" role="status">
          <strong>{p.t(`my.done.${done}`)}</strong>
        </div>
      ) : null}
      <h1>{procedureName(p, v.procedure)}</h1>
      <p class="big">{p.t('my.code', { code: v.code })}</p>
      <SummaryList
        rows={[
          { key: p.t('track.field.status'), value: <strong>{statusText(p, v.status)}</strong> },
          { key: p.t('track.field.office'), value: v.unit.name },
          { key: p.t('track.field.submitted'), value: localDateTime(p, v.submittedAt) },
          ...(v.receivedAt ? [{ key: p.t('track.field.received'), value: localDateTime(p, v.receivedAt) }] : []),
          { key: p.t('track.field.due'), value: <DueDate p={p} status={v.status} dueAt={v.dueAt} /> },
          ...(v.finishedAt ? [{ key: p.t('track.field.finished'), value: localDateTime(p, v.finishedAt) }] : []),
        ]}
      />
      <h2>{p.t('track.todo.heading')}</h2>
      <WhatToDoNow p={p} code={v.code} status={v.status} unitName={v.unit.name} dueAt={v.dueAt} missingDocuments={v.missingDocuments} fees={fees} actions={v.citizenActions} />
      {v.reason ? (
        <>
          <h2>{p.t('my.reason.heading')}</h2>
          <p>{v.reason}</p>
        </>
      ) : null}
      <PaymentsList p={p} payments={payments} />
      <h2>{p.t('my.documents.heading')}</h2>
      {documents.length ? (
        <ul>
          {documents.map((d) => (
            <li key={d.id}>
              {d.label ? `${d.label}: ` : ''}
              {d.filename} <span class="muted">({localDate(toLocalIso(d.createdAt))})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p>{p.t('my.documents.none')}</p>
      )}
      <h2>{p.t('track.history.heading')}</h2>
      <StatusHistory p={p} history={v.history} />
      {v.citizenActions.includes('request_withdrawal') ? (
        <>
          <h2>{p.t('my.withdraw.heading')}</h2>
          <p>{p.t('my.withdraw.text')}</p>
          <p>
            <a href={`${base}/withdraw`}>{p.t('track.do.request_withdrawal')}</a>
          </p>
        </>
      ) : null}
    </PortalPage>
  );
}

export function myDossierPages(app: ZodApp, ctx: AppContext): void {
  app.get('/my', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const items = await citizenDossierList(ctx, citizenOf(req).citizenId);
    return sendPage(reply, <MyListPage p={req.page} req={req} items={items} />);
  });

  app.get('/my/:code', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const { code } = req.params as { code: string };
    const { d, view } = await ownDossier(ctx, req, code);
    const [documents, payments, fees] = await Promise.all([listDocuments(ctx.db.kysely, { dossierId: d.id }), dossierPayments(ctx, d.id), view.status === 6 ? feeQuoteForDossier(ctx, d) : null]);
    const doneParam = (req.query as Record<string, unknown>).done;
    const done = typeof doneParam === 'string' && DONE_NOTICES.has(doneParam) ? doneParam : null;
    return sendPage(reply, <MyDossierPage p={req.page} req={req} v={view} documents={documents} payments={payments} fees={fees} done={done} />);
  });
}
