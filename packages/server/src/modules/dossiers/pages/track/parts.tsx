/** Pieces the tracking and "my dossiers" pages share: plain-words status, history, what to do now. */
import type { ComponentChildren } from 'preact';
import type { Action, Status } from '@causo/domain';
export { FileField } from '../../../../web/components.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { FeeQuote } from '../../../payments/fees.ts';
import { localDate, localDateTime, money } from './format.ts';

export const statusText = (p: PageRequest, s: Status) => p.t(`track.status.${s}`);

/** A history entry in plain words: "Cơ quan đã nhận hồ sơ." */
export function actionText(p: PageRequest, h: { action: string; toStatus: Status; byCitizen: boolean }): string {
  if (h.action === 'create') return p.t(h.toStatus === 1 ? 'track.action.create_online' : 'track.action.create_counter');
  if (h.action === 'supplement_received' && h.byCitizen) return p.t('track.action.supplement_sent');
  if (h.action === 'fees_paid' && h.byCitizen) return p.t('track.action.fees_paid_online');
  return p.t(`track.action.${h.action}`);
}

export function StatusHistory({ p, history }: { p: PageRequest; history: { action: string; toStatus: Status; at: string; byCitizen: boolean; note?: string | null }[] }) {
  return (
    <ol class="timeline" reversed>
      {[...history].reverse().map((h, i) => (
        <li key={i}>
          <strong>{localDateTime(p, h.at)}</strong>: {actionText(p, h)}
          {h.note ? <span class="hint">{h.note}</span> : null}
        </li>
      ))}
    </ol>
  );
}

export function DueDate({ p, status, dueAt }: { p: PageRequest; status: Status; dueAt: string | null }) {
  if (!dueAt) return <>{p.t('track.due.none')}</>;
  if (status === 5) return <>{p.t('track.due.paused', { date: localDate(dueAt) })}</>;
  return <>{localDateTime(p, dueAt)}</>;
}

export interface TodoProps {
  p: PageRequest;
  code: string;
  status: Status;
  unitName: string;
  dueAt: string | null;
  missingDocuments: string[];
  fees: FeeQuote | null;
  /** Signed in as the dossier's owner: show the buttons; otherwise say how to act. */
  actions: Action[] | null;
}

/** "What you must do now", one status at a time, with the button for it when the citizen can act online. */
export function WhatToDoNow(props: TodoProps) {
  const { p, code, status, unitName, dueAt, missingDocuments, fees, actions } = props;
  const base = `/my/${encodeURIComponent(code)}`;
  const params = { unit: unitName, due: dueAt ? localDate(dueAt) : '', amount: fees ? money(p, fees.total) : '' };
  const button = (action: Action, href: string) =>
    actions?.includes(action) ? (
      <p>
        <a class="button" href={href}>
          {p.t(`track.do.${action}`)}
        </a>
      </p>
    ) : null;
  let extra: ComponentChildren = null;
  if (status === 5) {
    extra = (
      <>
        <ul>
          {missingDocuments.map((doc) => (
            <li key={doc}>{doc}</li>
          ))}
        </ul>
        {actions ? button('supplement_received', `${base}/supplement`) : <p>{p.t('track.todo.5.how_public', params)}</p>}
      </>
    );
  } else if (status === 6) {
    extra = actions ? button('fees_paid', `${base}/pay`) : <p>{p.t('track.todo.6.how_public', params)}</p>;
  }
  const todoKey = status === 6 && (!fees || fees.total === 0) ? 'track.todo.6.counter' : `track.todo.${status}`;
  return (
    <div class={status === 5 || status === 6 || status === 9 ? 'notice warn' : 'notice'}>
      <p>
        <strong>{p.t(todoKey, params)}</strong>
      </p>
      {extra}
    </div>
  );
}

