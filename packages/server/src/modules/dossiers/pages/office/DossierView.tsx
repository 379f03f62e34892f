/** The back-office dossier page: where it stands, what the officer may do now, and its record. */
import { CsrfField, ErrorSummary, Select, Submit, SummaryList, TextArea, type FieldErrors } from '../../../../web/components.tsx';
import { OfficePage } from '../../../../web/layout.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { Officer } from '../../../auth/service.ts';
import type { OfficeDossier } from '../../office/dossierPage.ts';
import { COMMENT_MAX_LENGTH } from '../../office/comments.ts';
import { ActionForm } from './ActionForms.tsx';
import { DossierMessagesSection } from '../../../notify/dossierMessages.tsx';
import { ActionLogSection, AnswersSection, ApplicantSection, DocumentsSection } from './DossierSections.tsx';
import { channelName, dateTime, statusName, workingDuration } from './format.ts';

export interface DossierViewProps {
  p: PageRequest;
  officer: Officer;
  d: OfficeDossier;
  errors?: FieldErrors;
  /** Values the officer typed into a form that came back with errors. */
  values?: Record<string, string>;
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  feeDue?: number | null | undefined;
}

function TimeLeft({ p, d }: { p: PageRequest; d: OfficeDossier }) {
  const left = d.view.workingMinutesLeft;
  if (d.view.status === 5) return <span class="tag">{p.t('office.dossier.paused')}</span>;
  if (left === null) return <>—</>;
  if (left < 0) return <span class="tag late">{p.t('office.dossier.overdue_by', { time: workingDuration(p, left, d.minutesPerDay) })}</span>;
  const soon = left <= 2 * d.minutesPerDay;
  return <span class={`tag ${soon ? 'soon' : 'ok'}`}>{p.t('office.dossier.time_left', { time: workingDuration(p, left, d.minutesPerDay) })}</span>;
}

/** The printable forms (Mẫu 01–04) that apply to the dossier now. */
function PrintableForms({ p, d }: { p: PageRequest; d: OfficeDossier }) {
  const base = `/office/dossiers/${encodeURIComponent(d.view.code)}/forms`;
  const forms = [
    d.view.receivedAt ? '01' : null,
    d.view.status === 5 ? '02' : null,
    d.view.status === 3 ? '03' : null,
    d.overdue ? '04' : null,
  ].filter((f): f is string => f !== null);
  if (!forms.length) return null;
  return (
    <section aria-labelledby="printable">
      <h2 id="printable">{p.t('office.dossier.printable')}</h2>
      <ul>
        {forms.map((f) => (
          <li key={f}>
            <a href={`${base}/${f}.pdf`}>{p.t(`office.dossier.form_${f}`)}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function AssignmentSection({ p, d, errors }: { p: PageRequest; d: OfficeDossier; errors: FieldErrors }) {
  const current = d.assignments.find((a) => a.endedAt === null);
  return (
    <section aria-labelledby="assignment">
      <h2 id="assignment">{p.t('office.assign.heading')}</h2>
      <p>{current ? p.t('office.assign.current', { name: current.assignee.displayName, by: current.assignedBy.displayName, at: dateTime(current.assignedAt) }) : p.t('office.assign.none')}</p>
      {d.canAssign ? (
        d.specialists.length ? (
          <form method="post" action={`/office/dossiers/${encodeURIComponent(d.view.code)}/assign`} novalidate>
            <CsrfField p={p} />
            <Select
              name="assignee"
              label={p.t('office.assign.choose')}
              emptyLabel={p.t('office.assign.choose_empty')}
              value={current ? String(current.assignee.id) : ''}
              options={d.specialists.map((s) => ({ value: String(s.id), label: s.displayName }))}
              error={errors.assignee}
            />
            <Submit secondary>{p.t('office.assign.submit')}</Submit>
          </form>
        ) : (
          <p class="muted">{p.t('office.assign.no_specialists')}</p>
        )
      ) : null}
      {d.assignments.length > 1 ? (
        <details>
          <summary>{p.t('office.assign.history')}</summary>
          <ul>
            {d.assignments.map((a, i) => (
              <li key={i}>{p.t('office.assign.history_line', { name: a.assignee.displayName, by: a.assignedBy.displayName, at: dateTime(a.assignedAt) })}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

function CommentsSection({ p, d, errors, values }: { p: PageRequest; d: OfficeDossier; errors: FieldErrors; values: Record<string, string> }) {
  return (
    <section aria-labelledby="comments">
      <h2 id="comments">{p.t('office.comments.heading')}</h2>
      <p class="hint">{p.t('office.comments.internal')}</p>
      {d.comments.length ? (
        <ol class="timeline">
          {d.comments.map((c) => (
            <li key={c.id}>
              <b>{c.author}</b> <span class="muted">{dateTime(c.at)}</span>
              <p>{c.body}</p>
            </li>
          ))}
        </ol>
      ) : (
        <p>{p.t('office.comments.none')}</p>
      )}
      <form method="post" action={`/office/dossiers/${encodeURIComponent(d.view.code)}/comments`} novalidate>
        <CsrfField p={p} />
        <TextArea name="comment" label={p.t('office.comments.add')} value={values.comment} error={errors.comment} maxLength={COMMENT_MAX_LENGTH} rows={3} />
        <Submit secondary>{p.t('office.comments.submit')}</Submit>
      </form>
    </section>
  );
}

export function DossierView({ p, officer, d, errors = {}, values = {}, notice, feeDue }: DossierViewProps) {
  const v = d.view;
  const procedureName = p.lang === 'vi' ? d.procedureName.vi : d.procedureName.en;
  const title = p.t('office.dossier.title', { code: v.code });
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={Object.keys(errors).length > 0 || notice?.kind === 'error'}>
      <p>
        <a href="/office">← {p.t('office.dossier.back')}</a>
      </p>
      <ErrorSummary p={p} errors={errors} />
      {notice ? (
        <div class={`notice${notice.kind === 'error' ? ' error' : ''}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <p>{notice.text}</p>
        </div>
      ) : null}
      <h1>{title}</h1>
      <p class="lead">
        {procedureName} · <b>{statusName(p, v.status)}</b>
      </p>
      {d.assisted ? (
        <p>
          <span class="tag assisted">{p.t('office.dossier.assisted', { name: d.assisted.by, mode: p.t(`office.assist_mode.${d.assisted.mode}`) })}</span>
        </p>
      ) : null}
      <SummaryList
        rows={[
          { key: p.t('office.dossier.channel'), value: channelName(p, v.channel) },
          { key: p.t('office.dossier.unit'), value: v.unit.name },
          { key: p.t('office.dossier.submitted'), value: dateTime(v.submittedAt) },
          { key: p.t('office.dossier.received'), value: v.receivedAt ? dateTime(v.receivedAt) : '—' },
          { key: p.t('office.dossier.due'), value: v.dueAt ? dateTime(v.dueAt) : '—' },
          { key: p.t('office.dossier.time'), value: <TimeLeft p={p} d={d} /> },
          ...(v.finishedAt ? [{ key: p.t('office.dossier.finished'), value: dateTime(v.finishedAt) }] : []),
        ]}
      />

      <section aria-labelledby="actions">
        <h2 id="actions">{p.t('office.dossier.actions')}</h2>
        {d.actions.length ? (
          d.actions.map((a) => <ActionForm key={a} p={p} code={v.code} action={a} errors={errors} values={values} feeDue={feeDue} />)
        ) : (
          <p>{p.t('office.dossier.no_actions')}</p>
        )}
      </section>

      <PrintableForms p={p} d={d} />
      <AssignmentSection p={p} d={d} errors={errors} />
      <CommentsSection p={p} d={d} errors={errors} values={values} />
      <ApplicantSection p={p} d={d} />
      <AnswersSection p={p} d={d} />
      <DocumentsSection p={p} d={d} />
      <ActionLogSection p={p} d={d} />
      <DossierMessagesSection p={p} messages={d.messages} />
    </OfficePage>
  );
}
