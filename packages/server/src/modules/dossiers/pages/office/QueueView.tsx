/** The work-queue page: a tab per queue with its count, filters and search, one page of dossiers. */
import { STATUSES } from '@causo/domain';
import { Select, TextField } from '../../../../web/components.tsx';
import { OfficePage } from '../../../../web/layout.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { Officer } from '../../../auth/service.ts';
import { QUEUE_TABS, type QueueCounts, type QueueMoment, type QueuePage, type QueueRow, type QueueTab } from '../../office/queues.ts';
import { channelName, countText, dateTime, statusName, withParams } from './format.ts';

export interface QueueFilterText {
  procedure?: string | undefined;
  channel?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: string | undefined;
  q?: string | undefined;
}

export interface QueueViewProps {
  p: PageRequest;
  officer: Officer;
  tab: QueueTab;
  counts: QueueCounts;
  page: QueuePage;
  filters: QueueFilterText;
  procedures: { id: number; code: string; name: string; active: boolean }[];
  /** Every unit the rows may belong to, for their names. */
  units: { id: number; name: string }[];
  unitNames: string[];
  moment: QueueMoment;
}

function DueTag({ p, row, moment }: { p: PageRequest; row: QueueRow; moment: QueueMoment }) {
  if (!row.dueAt) return <span class="muted">{p.t('office.queue.no_due')}</span>;
  const running = row.status === 2 || row.status === 4 || row.status === 6;
  const late = running && row.dueAt < moment.now;
  const soon = running && !late && row.dueAt <= moment.soonUntil;
  return (
    <>
      {dateTime(row.dueAt)}{' '}
      {late ? <span class="tag late">{p.t('office.queue.tag.overdue')}</span> : soon ? <span class="tag soon">{p.t('office.queue.tag.due_soon')}</span> : null}
    </>
  );
}

function Tabs({ p, tab, counts, filters }: { p: PageRequest; tab: QueueTab; counts: QueueCounts; filters: QueueFilterText }) {
  return (
    <nav aria-label={p.t('office.queue.tabs_label')}>
      <ul class="counts">
        {QUEUE_TABS.map((t) => (
          <li key={t}>
            <a href={`/office${withParams({ ...filters }, { tab: t })}`} aria-current={t === tab ? 'page' : undefined}>
              {t === 'all' ? <b aria-hidden="true">…</b> : <b>{countText(p, counts[t])}</b>}
              {p.t(`office.queue.tab.${t}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Filters({ p, tab, filters, procedures }: { p: PageRequest; tab: QueueTab; filters: QueueFilterText; procedures: { code: string; name: string; active: boolean }[] }) {
  return (
    <form method="get" action="/office" role="search" aria-label={p.t('office.queue.filters_label')} class="panel">
      <input type="hidden" name="tab" value={tab} />
      <TextField name="q" type="search" label={p.t('office.queue.search')} hint={p.t('office.queue.search_hint')} value={filters.q ?? ''} maxLength={100} />
      <div class="filters">
        <Select name="procedure" label={p.t('office.queue.procedure')} emptyLabel={p.t('office.queue.any')} value={filters.procedure ?? ''} options={procedures.filter((x) => x.active).map((x) => ({ value: x.code, label: x.name }))} />
        <Select name="channel" label={p.t('office.queue.channel')} emptyLabel={p.t('office.queue.any')} value={filters.channel ?? ''} options={[1, 2, 3].map((c) => ({ value: String(c), label: channelName(p, c) }))} />
        <Select name="status" label={p.t('office.queue.status')} emptyLabel={p.t('office.queue.any')} value={filters.status ?? ''} options={STATUSES.map((s) => ({ value: String(s), label: statusName(p, s) }))} />
        <TextField name="from" type="date" label={p.t('office.queue.from')} value={filters.from ?? ''} />
        <TextField name="to" type="date" label={p.t('office.queue.to')} value={filters.to ?? ''} />
      </div>
      <button type="submit">{p.t('office.queue.apply')}</button>
      <a href={`/office?tab=${tab}`}>{p.t('office.queue.clear')}</a>
    </form>
  );
}

function Rows({ p, rows, moment, caption, procedureName, unitName }: { p: PageRequest; rows: QueueRow[]; moment: QueueMoment; caption: string; procedureName: Map<number, string>; unitName: Map<number, string> }) {
  return (
    <table>
      <caption class="muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{p.t('office.queue.col.code')}</th>
          <th scope="col">{p.t('office.queue.col.applicant')}</th>
          <th scope="col">{p.t('office.queue.col.procedure')}</th>
          <th scope="col">{p.t('office.queue.col.submitted')}</th>
          <th scope="col">{p.t('office.queue.col.due')}</th>
          <th scope="col">{p.t('office.queue.col.status')}</th>
          <th scope="col">{p.t('office.queue.col.assignee')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>
              <a href={`/office/dossiers/${encodeURIComponent(r.code)}`}>{r.code}</a>
            </td>
            <td>
              {r.applicantName}
              {r.assisted ? <span class="hint">{p.t('office.dossier.assisted', { name: r.assisted.by, mode: p.t(`office.assist_mode.${r.assisted.mode}`) })}</span> : null}
            </td>
            <td>
              {procedureName.get(r.procedureId) ?? ''}
              <span class="hint">
                {channelName(p, r.channel)} · {unitName.get(r.unitId) ?? ''}
              </span>
            </td>
            <td>{dateTime(r.submittedAt)}</td>
            <td>
              <DueTag p={p} row={r} moment={moment} />
            </td>
            <td>{statusName(p, r.status)}</td>
            <td>{r.assignee ?? <span class="muted">{p.t('office.queue.unassigned')}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QueueView({ p, officer, tab, counts, page, filters, procedures, units, unitNames, moment }: QueueViewProps) {
  const here = { ...filters, tab };
  const tabName = p.t(`office.queue.tab.${tab}`);
  return (
    <OfficePage p={p} title={`${tabName} – ${p.t('office.queue.title')}`} officer={officer}>
      <h1>{p.t('office.queue.title')}</h1>
      <p class="muted">{unitNames.length ? p.t('office.queue.units', { units: unitNames.join(', ') }) : p.t('office.queue.no_units')}</p>
      <Tabs p={p} tab={tab} counts={counts} filters={filters} />
      <Filters p={p} tab={tab} filters={filters} procedures={procedures} />
      <h2>{tabName}</h2>
      {page.rows.length ? (
        <Rows p={p} rows={page.rows} moment={moment} procedureName={new Map(procedures.map((x) => [x.id, x.name]))} unitName={new Map(units.map((u) => [u.id, u.name]))} caption={tab === 'all' ? tabName : p.t('office.queue.caption', { tab: tabName, n: countText(p, counts[tab]) })} />
      ) : (
        <p>{p.t('office.queue.empty')}</p>
      )}
      {page.prevBefore !== null || page.nextAfter !== null ? (
        <nav aria-label={p.t('office.queue.pages_label')}>
          <ul class="plain">
            {page.prevBefore !== null ? (
              <li>
                <a href={`/office${withParams(here, { before: page.prevBefore })}`} rel="prev">
                  ← {p.t('office.queue.prev')}
                </a>
              </li>
            ) : null}
            {page.nextAfter !== null ? (
              <li>
                <a href={`/office${withParams(here, { after: page.nextAfter })}`} rel="next">
                  {p.t('office.queue.next')} →
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </OfficePage>
  );
}
