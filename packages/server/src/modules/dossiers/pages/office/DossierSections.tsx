/** The parts of the back-office dossier page that only show things: applicant, answers, papers, log. */
import type { FormFieldDef } from '@causo/domain';
import { SummaryList } from '../../../../web/components.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { OfficeDossier } from '../../office/dossierPage.ts';
import { dateOnly, dateTime, statusName } from './format.ts';

const label = (p: PageRequest, f: { labelVi: string; labelEn: string }) => (p.lang === 'vi' ? f.labelVi : f.labelEn || f.labelVi);

/** An answer as text: choices by their label, dates the Vietnamese way, addresses by their text. */
export function answerText(p: PageRequest, field: FormFieldDef | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(value)) return value.map((v) => answerText(p, field, v)).join(', ');
  if (field?.type === 'choice') {
    const o = field.options.find((x) => x.value === value);
    return o ? label(p, o) : String(value);
  }
  if (field?.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return dateOnly(`${value}T00:00:00+07:00`);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if (typeof o.filename === 'string') return o.filename;
    return Object.values(o)
      .filter((v) => typeof v === 'string' || typeof v === 'number')
      .join(', ');
  }
  return String(value);
}

export function ApplicantSection({ p, d }: { p: PageRequest; d: OfficeDossier }) {
  const a = d.view.applicant;
  return (
    <section aria-labelledby="applicant">
      <h2 id="applicant">{p.t('office.dossier.applicant')}</h2>
      <SummaryList
        rows={[
          { key: p.t('office.dossier.applicant_name'), value: a.fullName },
          { key: p.t('office.dossier.applicant_phone'), value: a.phone ?? '—' },
          { key: p.t('office.dossier.applicant_id'), value: a.idNumber ?? '—' },
          { key: p.t('office.dossier.applicant_address'), value: a.address ?? '—' },
        ]}
      />
    </section>
  );
}

export function AnswersSection({ p, d }: { p: PageRequest; d: OfficeDossier }) {
  const known = new Set(d.form.map((f) => f.key));
  const rows = [
    ...d.form.filter((f) => d.answers[f.key] !== undefined && d.answers[f.key] !== null).map((f) => ({ key: label(p, f), value: answerText(p, f, d.answers[f.key]) })),
    // Answers the form no longer asks for (the definition changed) are still shown, by key.
    ...Object.entries(d.answers)
      .filter(([k, v]) => !known.has(k) && !k.startsWith('_') && v !== null && v !== undefined)
      .map(([k, v]) => ({ key: k, value: answerText(p, undefined, v) })),
  ];
  return (
    <section aria-labelledby="answers">
      <h2 id="answers">{p.t('office.dossier.answers')}</h2>
      {rows.length ? <SummaryList rows={rows} /> : <p>{p.t('office.dossier.no_answers')}</p>}
    </section>
  );
}

const kb = (bytes: number) => Math.max(1, Math.round(bytes / 1024));

export function DocumentsSection({ p, d }: { p: PageRequest; d: OfficeDossier }) {
  return (
    <section aria-labelledby="documents">
      <h2 id="documents">{p.t('office.dossier.documents')}</h2>
      {d.documents.length ? (
        <ul>
          {d.documents.map((doc) => (
            <li key={doc.id}>
              <a href={`/office/documents/${doc.id}`}>{doc.label || doc.filename}</a>{' '}
              <span class="muted">
                ({doc.kind === 'result' ? `${p.t('office.dossier.result_document')}, ` : ''}
                {doc.filename}, {p.t('office.dossier.kb', { n: kb(doc.byteSize) })})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p>{p.t('office.dossier.no_documents')}</p>
      )}
    </section>
  );
}

function payloadText(p: PageRequest, payload: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof payload.reason === 'string') out.push(p.t('office.log.reason', { text: payload.reason }));
  if (Array.isArray(payload.missingDocuments)) out.push(p.t('office.log.missing', { text: payload.missingDocuments.join('; ') }));
  if (typeof payload.note === 'string' && payload.note) out.push(p.t('office.log.note', { text: payload.note }));
  if (typeof payload.resultDocument === 'string') out.push(p.t('office.log.result', { text: payload.resultDocument }));
  if (typeof payload.dueAt === 'string') out.push(p.t('office.log.due', { date: dateTime(payload.dueAt) }));
  return out;
}

/** A catalogue text, or the stored word itself for one the catalogue does not know (yet). */
const known = (p: PageRequest, key: string, raw: string) => {
  const text = p.t(key);
  return text === key ? raw : text;
};

export function ActionLogSection({ p, d }: { p: PageRequest; d: OfficeDossier }) {
  const log = d.view.actions ?? [];
  return (
    <section aria-labelledby="log">
      <h2 id="log">{p.t('office.dossier.log')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{p.t('office.log.at')}</th>
            <th scope="col">{p.t('office.log.action')}</th>
            <th scope="col">{p.t('office.log.by')}</th>
            <th scope="col">{p.t('office.log.status')}</th>
            <th scope="col">{p.t('office.log.details')}</th>
          </tr>
        </thead>
        <tbody>
          {log.map((a) => (
            <tr key={a.seq}>
              <td>{dateTime(a.occurredAt)}</td>
              <td>{known(p, `office.log.action.${a.action}`, a.action)}</td>
              <td>{a.actor ? `${a.actor} (${known(p, `office.role.${a.actorRole}`, a.actorRole)})` : known(p, `office.role.${a.actorRole}`, a.actorRole)}</td>
              <td>{statusName(p, a.toStatus)}</td>
              <td>
                {payloadText(p, a.payload).map((line, i) => (
                  <span key={i} class="hint">
                    {line}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
