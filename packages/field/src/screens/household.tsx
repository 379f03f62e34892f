/** One household: its people with their readiness, visits, blockers and follow-ups, and what to do next. */
import { useController } from '../app/controller.ts';
import { formatDate, formatDateTime, t, type MessageKey } from '../i18n/index.ts';
import { useLive } from '../lib/hooks.ts';
import { householdOf, residentOf } from '../lib/records.ts';
import { Page } from '../ui/fields.tsx';
import { BlockerItem } from './blockers.tsx';
import { FollowUpItem } from './followUps.tsx';

export function HouseholdScreen({ id }: { id: string }) {
  const c = useController();
  const data = useLive(async () => {
    if (!c.db) return null;
    const [h, residents, visits, blockers, followUps] = await Promise.all([
      c.db.households.get(id),
      c.db.residents.where('householdId').equals(id).toArray(),
      c.db.visits.where('householdId').equals(id).toArray(),
      c.db.blockers.where('householdId').equals(id).toArray(),
      c.db.followUps.where('householdId').equals(id).toArray(),
    ]);
    return { h, residents, visits, blockers, followUps };
  }, [c.db, id]);
  if (data === undefined) return <p>{t('app.loading')}</p>;
  if (!data?.h) return <Page title={t('household.not_found')} back="#/">{null}</Page>;
  const h = householdOf(data.h);
  const residents = data.residents.map(residentOf);
  const names = new Map(residents.map((r) => [r.id, r.fullName]));
  const visits = data.visits.sort((a, b) => String(b.data.occurredAt).localeCompare(String(a.data.occurredAt)));
  return (
    <Page title={h.headName} back="#/">
      <p class="lead">{h.address}</p>
      {h.note && <p>{h.note}</p>}
      <div class="actions">
        <a class="button primary" href={`#/visit/${h.id}`}>
          {t('household.record_visit')}
        </a>
        <a class="button secondary" href={`#/resident-new/${h.id}`}>
          + {t('household.add_resident')}
        </a>
        <a class="button secondary" href={`#/blocker/${h.id}`}>
          {t('household.add_blocker')}
        </a>
        <a class="button secondary" href={`#/follow-up/${h.id}`}>
          {t('household.add_follow_up')}
        </a>
        <a class="button secondary" href={`#/household-edit/${h.id}`}>
          {t('household.edit')}
        </a>
      </div>
      <h2>{t('household.residents')}</h2>
      {!residents.length && <p>{t('household.no_residents')}</p>}
      <ul class="cards">
        {residents.map((r) => (
          <li key={r.id}>
            <a href={`#/resident/${r.id}`}>
              <strong>{r.fullName}</strong>
              <span>{[r.relation, r.birthYear ? t('resident.born', { year: r.birthYear }) : '', r.ethnicity].filter(Boolean).join(' · ')}</span>
              <span class="meta">
                {t('resident.ready_summary', {
                  vneid: r.vneidLevel === null ? t('app.unknown') : t(`resident.vneid_${r.vneidLevel}` as MessageKey),
                  account: r.publicServiceAccount === null ? t('app.unknown') : r.publicServiceAccount ? t('app.yes') : t('app.no'),
                })}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {data.blockers.length > 0 && (
        <>
          <h2>{t('household.blockers')}</h2>
          <ul class="cards">
            {data.blockers.map((b) => (
              <BlockerItem key={b.id} row={b} who={names.get(String(b.data.residentId)) ?? null} />
            ))}
          </ul>
        </>
      )}
      {data.followUps.length > 0 && (
        <>
          <h2>{t('household.follow_ups')}</h2>
          <ul class="cards">
            {data.followUps.map((f) => (
              <FollowUpItem key={f.id} row={f} />
            ))}
          </ul>
        </>
      )}
      <h2>{t('household.visits')}</h2>
      {!visits.length && <p>{t('household.no_visits')}</p>}
      <ul class="cards">
        {visits.map((v) => (
          <li key={v.id} class="item">
            <strong>{formatDateTime(String(v.data.occurredAt))}</strong>
            <span>{(Array.isArray(v.data.actions) ? (v.data.actions as string[]) : []).map((a) => t(`action.${a}` as MessageKey)).join(', ')}</span>
            {typeof v.data.residentId === 'string' && <span class="meta">{names.get(v.data.residentId) ?? ''}</span>}
            {typeof v.data.notes === 'string' && v.data.notes && <span>{v.data.notes}</span>}
          </li>
        ))}
      </ul>
    </Page>
  );
}

export { formatDate };
