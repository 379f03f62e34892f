/** The village household list: village picker, diacritic-free search, count, capped list; add and edit a household. */
import { useMemo, useState } from 'preact/hooks';
import { uuidv7 } from '@causo/domain/sync';
import { foldDiacritics, matchesSearch } from '@causo/domain/text';
import { useController } from '../app/controller.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { householdOf, type HouseholdView } from '../lib/records.ts';
import { baseVersionOf } from '../sync/envelopes.ts';
import { ErrorSummary, Page, SelectField, TextField } from '../ui/fields.tsx';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

const PAGE = 100;
const VILLAGE_KEY = 'causo.field.village';

export function HouseholdsScreen() {
  const c = useController();
  const villages = c.bootstrap?.villages ?? [];
  const [village, setVillage] = useState(() => sessionStorage.getItem(VILLAGE_KEY) ?? villages[0]?.code ?? '');
  const current = villages.some((v) => v.code === village) ? village : (villages[0]?.code ?? '');
  const [query, setQuery] = useState('');
  const [shown, setShown] = useState(PAGE);
  const rows = useLive(async () => (c.db ? (current ? c.db.households.where('villageCode').equals(current).toArray() : c.db.households.toArray()) : []), [c.db, current]);
  // Folded once per household, not in every comparison: opening a 500-household village on a slow phone stays quick.
  const all = useMemo(
    () =>
      (rows ?? [])
        .map((r) => {
          const h = householdOf(r);
          return { h, key: foldDiacritics(h.headName) };
        })
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((x) => x.h),
    [rows],
  );
  const matching = useMemo(() => (query.trim() ? all.filter((h) => matchesSearch(`${h.headName} ${h.address}`, query)) : all), [all, query]);
  const pick = (v: string) => {
    sessionStorage.setItem(VILLAGE_KEY, v);
    setVillage(v);
    setShown(PAGE);
  };
  return (
    <Page title={t('households.title')}>
      {villages.length > 1 && <SelectField label={t('households.village')} name="village" value={current} onChange={pick} options={villages.map((v) => ({ value: v.code, label: `${v.name} — ${v.communeName}` }))} />}
      {villages.length === 1 && <p class="lead">{`${villages[0]?.name} — ${villages[0]?.communeName}`}</p>}
      {villages.length === 0 && <p class="notice">{t('households.no_village')}</p>}
      <div class="field search">
        <label for="f-search">{t('households.search')}</label>
        <input id="f-search" type="search" value={query} autoComplete="off" onInput={(e) => {
          setQuery((e.currentTarget as HTMLInputElement).value);
          setShown(PAGE);
        }} />
      </div>
      <p class="count" aria-live="polite">
        {query.trim() ? t('households.count_of', { n: formatNumber(matching.length), total: formatNumber(all.length) }) : t('households.count', { n: formatNumber(all.length) })}
      </p>
      {current && (
        <a class="button primary" href={`#/household-new/${encodeURIComponent(current)}`}>
          + {t('households.add')}
        </a>
      )}
      {rows && !all.length && <p>{t('households.empty')}</p>}
      {rows && all.length > 0 && !matching.length && <p>{t('households.no_match')}</p>}
      <ul class="cards households">
        {matching.slice(0, shown).map((h) => (
          <li key={h.id}>
            <a href={`#/household/${h.id}`}>
              <strong>{h.headName}</strong>
              <span>{h.address}</span>
              {h.memberCount > 0 && <span class="meta">{t('households.members', { n: h.memberCount })}</span>}
            </a>
          </li>
        ))}
      </ul>
      {matching.length > shown && (
        <button type="button" class="secondary" onClick={() => setShown(shown + PAGE)}>
          {t('households.more', { n: formatNumber(Math.min(PAGE, matching.length - shown)) })}
        </button>
      )}
    </Page>
  );
}

export function HouseholdFormScreen({ id, villageCode }: { id: string | null; villageCode: string | null }) {
  const c = useController();
  const existing = useLive(async () => (id && c.db ? ((await c.db.households.get(id)) ?? null) : null), [c.db, id]);
  if (id && existing === undefined) return <p>{t('app.loading')}</p>;
  const h = existing ? householdOf(existing) : null;
  return <HouseholdForm key={id ?? 'new'} household={h} villageCode={h?.villageCode ?? villageCode ?? ''} />;
}

/** A new household, an edit, or (fix) the correction of a household envelope the server refused. */
export function HouseholdForm({ household, villageCode, fix = null }: { household: HouseholdView | null; villageCode: string; fix?: Fix | null }) {
  const c = useController();
  const sent = (fix?.envelope.payload ?? {}) as Record<string, unknown>;
  const initial = (k: 'headName' | 'address' | 'note'): string => (typeof sent[k] === 'string' ? (sent[k] as string) : (household?.[k] ?? ''));
  const [headName, setHead] = useState(initial('headName'));
  const [address, setAddress] = useState(initial('address'));
  const [note, setNote] = useState(initial('note'));
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const errs = { headName: headName.trim().length < 2 ? t('household.error_head') : null };
    setErrors(errs);
    if (errs.headName) return;
    const fields = { villageCode, headName: headName.trim().normalize('NFC'), address: address.trim().normalize('NFC'), note: note.trim().normalize('NFC') };
    setBusy(true);
    try {
      if (fix) {
        const changed: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(fields)) if (household?.[k as keyof HouseholdView] !== v) changed[k] = v;
        afterFix(await c.save(fixedInput(fix, fields, changed, household?.version ?? 0), [], fix.id), `/household/${fix.envelope.entityId}`);
      } else if (!household) {
        const id = uuidv7();
        await c.save({ entity: 'household', op: 'create', entityId: id, baseVersion: null, payload: fields });
        go(`/household/${id}`);
      } else {
        const changed: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(fields)) if (household[k as keyof HouseholdView] !== v) changed[k] = v;
        if (Object.keys(changed).length) await c.save({ entity: 'household', op: 'update', entityId: household.id, baseVersion: baseVersionOf(household.version), payload: changed });
        go(`/household/${household.id}`);
      }
    } finally {
      setBusy(false);
    }
  }
  return (
    <Page title={fix ? t('fix.title') : household ? t('household.title_edit') : t('household.title_new')} back={fix ? '#/outbox' : household ? `#/household/${household.id}` : '#/'}>
      {fix && <FixBanner fix={fix} />}
      <ErrorSummary title={t('app.fix_errors')} errors={errors} />
      <form onSubmit={submit} novalidate>
        <TextField label={t('household.head')} name="headName" value={headName} onInput={setHead} error={errors.headName} maxLength={100} />
        <TextField label={t('household.address')} name="address" value={address} onInput={setAddress} maxLength={200} />
        <TextField label={t('household.note')} name="note" value={note} onInput={setNote} multiline maxLength={500} />
        <button type="submit" class="primary" disabled={busy}>
          {t('app.save')}
        </button>
      </form>
      {fix && <DiscardButton id={fix.id} then={() => go('/outbox')} />}
    </Page>
  );
}
