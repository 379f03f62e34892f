/**
 * The II.06a table on screen with the official column groups of Biểu số II.06a/VPCP/KSTT:
 * received (total; of which online, in person/post, carried over), resolved (total, before,
 * on, after the deadline), withdrawn/stopped, in progress (total, within, overdue). The three
 * header rows use `scope` so a screen reader announces each figure with its headings; each
 * row ends with its own balance check.
 */
import { checkReport, NUMBER_FIELDS, type Ii06aReport, type Ii06aRow } from '@causo/domain';
import { formatInt } from './format.ts';
import type { PageRequest } from '../../../web/request.ts';

/** The form's invariants for one row, by the domain's own check. */
export function rowBalanced(r: Ii06aRow): boolean {
  return checkReport([r], r).every((c) => c.ok);
}

function CheckTag({ p, ok }: { p: PageRequest; ok: boolean }) {
  return <span class={`tag ${ok ? 'ok' : 'late'}`}>{p.t(ok ? 'report.check.ok' : 'report.check.failed')}</span>;
}

function Figures({ p, row }: { p: PageRequest; row: Ii06aRow }) {
  return (
    <>
      {NUMBER_FIELDS.map((f) => (
        <td class="num" key={f}>
          {formatInt(p.lang, row[f])}
        </td>
      ))}
    </>
  );
}

export function Ii06aTable({ p, report, captionId, linkFor }: { p: PageRequest; report: Ii06aReport; captionId: string; linkFor: (row: Ii06aRow) => string | null }) {
  const t = p.t;
  const col = (key: string) => (
    <th scope="col" class="num">
      {t(key)}
    </th>
  );
  return (
    <div class="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table class="report">
        <caption id={captionId}>
          {t(report.by === 'unit' ? 'report.table.caption_unit' : 'report.table.caption_sector', { unit: report.unit?.name ?? '' })}
        </caption>
        <colgroup>
          <col />
          <col />
        </colgroup>
        <colgroup span={4} />
        <colgroup span={4} />
        <colgroup span={1} />
        <colgroup span={3} />
        <colgroup span={1} />
        <thead>
          <tr>
            <th scope="col" rowSpan={3}>
              {t('report.col.no')}
            </th>
            <th scope="col" rowSpan={3}>
              {t(report.by === 'unit' ? 'report.col.unit' : 'report.col.sector')}
            </th>
            <th scope="colgroup" colSpan={4} class="group">
              {t('report.col.received')}
            </th>
            <th scope="colgroup" colSpan={8} class="group">
              {t('report.col.result')}
            </th>
            <th scope="col" rowSpan={3}>
              {t('report.col.check')}
            </th>
          </tr>
          <tr>
            <th scope="col" rowSpan={2} class="num">
              {t('report.col.total')}
            </th>
            <th scope="colgroup" colSpan={3} class="group">
              {t('report.col.of_which')}
            </th>
            <th scope="colgroup" colSpan={4} class="group">
              {t('report.col.resolved')}
            </th>
            <th scope="col" rowSpan={2} class="num">
              {t('report.col.withdrawn')}
            </th>
            <th scope="colgroup" colSpan={3} class="group">
              {t('report.col.in_progress')}
            </th>
          </tr>
          <tr>
            {col('report.col.online')}
            {col('report.col.direct')}
            {col('report.col.carried_over')}
            {col('report.col.total')}
            {col('report.col.before')}
            {col('report.col.on_time')}
            {col('report.col.late')}
            {col('report.col.total')}
            {col('report.col.within')}
            {col('report.col.overdue')}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row, i) => {
            const href = linkFor(row);
            return (
              <tr key={`${row.code}-${i}`}>
                <td class="num">{formatInt(p.lang, i + 1)}</td>
                <th scope="row">{href ? <a href={href}>{row.name}</a> : row.name}</th>
                <Figures p={p} row={row} />
                <td>
                  <CheckTag p={p} ok={rowBalanced(row)} />
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr class="total">
            <td />
            <th scope="row">{t('report.table.total')}</th>
            <Figures p={p} row={report.total} />
            <td>
              <CheckTag p={p} ok={report.checks.every((c) => c.ok)} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
