/**
 * Sync conflicts for a supervisor (leader, administrator or officer of a commune or above):
 * each open conflict with the value kept, the other value, who entered it and when, and a form
 * to keep the current value or use the other one.
 */
import { OfficePage } from '../../../web/layout.tsx';
import { CsrfField, SummaryList } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { DoneNotice, localDateTime } from '../../auth/admin/ui.tsx';
import type { ConflictRow } from '../conflicts.ts';
import { TEAMS_PATH, TeamsNav, teamPath } from './teamsPages.tsx';

export const CONFLICTS_PATH = `${TEAMS_PATH}/conflicts`;

/** A field's name in the page's language (the raw name when the catalogue has none). */
export function fieldName(p: PageRequest, field: string): string {
  const key = `teams.field.${field}`;
  const text = p.t(key);
  return text === key ? field : text;
}

/** A stored value as a person reads it. */
export function valueText(p: PageRequest, field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return p.t('teams.value.empty');
  if (typeof v === 'boolean') return p.t(v ? 'teams.value.yes' : 'teams.value.no');
  if (Array.isArray(v)) return v.length ? v.map((x) => String(x)).join(', ') : p.t('teams.value.empty');
  if (field === 'simOwnership' || field === 'sex') {
    const key = `teams.value.${field}.${String(v)}`;
    const text = p.t(key);
    return text === key ? String(v) : text;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function ConflictCard({ p, c }: { p: PageRequest; c: ConflictRow }) {
  const id = `conflict-${c.id}`;
  const record = c.recordName ?? p.t('teams.conflicts.unnamed');
  return (
    <section aria-labelledby={id} class="panel">
      <h2 id={id}>{p.t('teams.conflicts.card_title', { record, field: fieldName(p, c.field) })}</h2>
      <SummaryList
        rows={[
          { key: p.t('teams.conflicts.village'), value: <a href={teamPath(c.villageCode)}>{c.villageName}</a> },
          {
            key: p.t(`teams.conflicts.entity.${c.entity}`),
            value: c.householdHead ? p.t('teams.blockers.resident_of', { name: record, head: c.householdHead }) : record,
          },
          { key: p.t('teams.conflicts.field'), value: fieldName(p, c.field) },
          { key: p.t('teams.conflicts.kept'), value: p.t('teams.conflicts.kept_value', { value: valueText(p, c.field, c.kept), at: localDateTime(c.keptAt) }) },
          { key: p.t('teams.conflicts.other'), value: p.t('teams.conflicts.other_value', { value: valueText(p, c.field, c.other), at: localDateTime(c.otherAt), member: c.otherMember ?? p.t('teams.conflicts.no_member') }) },
        ]}
      />
      <form method="post" action={`${CONFLICTS_PATH}/${c.id}`}>
        <CsrfField p={p} />
        <input type="hidden" name="version" value={String(c.version)} />
        <button type="submit" name="resolution" value="kept" class="secondary">
          {p.t('teams.conflicts.keep')}
        </button>
        {c.canUseOther ? (
          <button type="submit" name="resolution" value="other">
            {p.t('teams.conflicts.use_other')}
          </button>
        ) : (
          <span class="hint">{p.t('teams.conflicts.keep_only')}</span>
        )}
      </form>
    </section>
  );
}

export function ConflictsPage({ p, officer, rows, capped, notice }: { p: PageRequest; officer: Officer; rows: ConflictRow[]; capped: boolean; notice?: { kind: 'ok' | 'error'; text: string } | undefined }) {
  return (
    <OfficePage p={p} title={p.t('teams.conflicts.title')} officer={officer} hasErrors={notice?.kind === 'error'}>
      <p class="no-print">
        <a href={TEAMS_PATH}>← {p.t('teams.back')}</a>
      </p>
      <DoneNotice p={p} area="teams" />
      {notice ? (
        <div class={`notice${notice.kind === 'error' ? ' error' : ''}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <p>{notice.text}</p>
        </div>
      ) : null}
      <h1>{p.t('teams.conflicts.title')}</h1>
      <p class="lead">{p.t('teams.conflicts.lead')}</p>
      <TeamsNav p={p} conflicts={false} />
      {rows.length === 0 ? <p>{p.t('teams.conflicts.none')}</p> : <p>{p.t('teams.conflicts.count', { n: rows.length })}</p>}
      {rows.map((c) => (
        <ConflictCard key={c.id} p={p} c={c} />
      ))}
      {capped ? <p class="hint">{p.t('teams.conflicts.capped')}</p> : null}
    </OfficePage>
  );
}
