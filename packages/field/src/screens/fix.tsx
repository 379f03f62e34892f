/**
 * "Cần sửa" → fix it. A record the server refused (a required answer missing, a malformed value)
 * opens in its own form, filled with what was sent and with the server's message on top. Saving
 * writes a new envelope (a new id; the same entity and entityId: the server stored nothing of the
 * refused one, so a refused create is again a create) and discards the refused one in the same
 * IndexedDB transaction (SyncStore.replaceEnvelope). "Bỏ bản ghi này" discards it, after a question.
 */
import { useEffect, useState } from 'preact/hooks';
import { useController } from '../app/controller.ts';
import { t } from '../i18n/index.ts';
import { go } from '../lib/hooks.ts';
import { householdOf } from '../lib/records.ts';
import type { LocalRecord } from '../sync/localRecords.ts';
import type { LocalFile } from '../sync/types.ts';
import { ErrorSummary, Page, TextField } from '../ui/fields.tsx';
import { NewApplicationScreen } from './apply.tsx';
import { BlockerScreen } from './blockers.tsx';
import { FollowUpScreen } from './followUps.tsx';
import { HouseholdForm } from './households.tsx';
import { ResidentForm } from './resident.tsx';
import { VisitScreen } from './visit.tsx';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

interface Loaded {
  fix: Fix;
  record: LocalRecord | null;
}

export function FixScreen({ id }: { id: string }) {
  const c = useController();
  const [loaded, setLoaded] = useState<Loaded | null | undefined>(undefined);
  // Read once (not live): the entry turns "discarded" the moment the correction is saved.
  useEffect(() => {
    let live = true;
    void (async () => {
      const store = c.store;
      const db = c.db;
      const entry = store ? await store.entry(id) : null;
      if (!store || !db || !entry || entry.state !== 'needs_fixing') return live && setLoaded(null);
      const files: LocalFile[] = [];
      for (const sha of entry.files) {
        const f = await db.files.get(sha);
        if (f) files.push({ sha256: f.sha256, type: f.type, bytes: f.bytes, body: f.body });
      }
      const env = entry.envelope;
      const record = env.entity === 'household' || env.entity === 'resident' ? await store.record(env.entity, env.entityId) : null;
      if (live) setLoaded({ fix: { id, envelope: env, message: entry.message, files }, record });
    })();
    return () => {
      live = false;
    };
  }, [c.store, c.db, id]);
  if (loaded === undefined) return <p aria-live="polite">{t('app.loading')}</p>;
  if (loaded === null)
    return (
      <Page title={t('fix.title')} back="#/outbox">
        <p class="notice">{t('fix.gone')}</p>
      </Page>
    );
  const { fix, record } = loaded;
  const p = fix.envelope.payload as Record<string, unknown>;
  switch (fix.envelope.entity) {
    case 'household': {
      const view = record ? householdOf({ id: record.id, version: record.version, data: record.data, server: record.server, sealed: null }) : null;
      return <HouseholdForm key={fix.id} household={view} villageCode={str(p.villageCode) || (view?.villageCode ?? '')} fix={fix} />;
    }
    case 'resident':
      return <ResidentForm key={fix.id} record={record} householdId={str(p.householdId) || str(record?.data.householdId)} fix={fix} />;
    case 'visit':
      return <VisitScreen key={fix.id} householdId={str(p.householdId)} fix={fix} />;
    case 'blocker':
      return <BlockerScreen key={fix.id} householdId={str(p.householdId)} fix={fix} />;
    case 'follow_up':
      return <FollowUpScreen key={fix.id} householdId={str(p.householdId)} fix={fix} />;
    case 'application':
      return <NewApplicationScreen key={fix.id} fix={fix} />;
    case 'blocker_resolution':
    case 'follow_up_done':
      return <ClosingFix key={fix.id} fix={fix} />;
  }
}

/** A blocker's "resolved, how" or a follow-up's "done" note: one text to correct. */
function ClosingFix({ fix }: { fix: Fix }) {
  const c = useController();
  const resolution = fix.envelope.entity === 'blocker_resolution';
  const field = resolution ? 'how' : 'note';
  const p = fix.envelope.payload as Record<string, unknown>;
  const [text, setText] = useState(str(p[field]));
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    if (resolution && text.trim().length < 2) return setError(t('blocker.error_how'));
    const fields = { ...p, [field]: text.trim() };
    afterFix(await c.save(fixedInput(fix, fields, {}, 0), [], fix.id), '/outbox');
  }
  return (
    <Page title={t('fix.title')} back="#/outbox">
      <FixBanner fix={fix} />
      <ErrorSummary title={t('app.fix_errors')} errors={{ [field]: error }} />
      <form onSubmit={submit} novalidate>
        <TextField label={resolution ? t('blocker.resolve_how') : t('followup.done_note')} name={field} value={text} onInput={setText} error={error} maxLength={500} />
        <button type="submit" class="primary">
          {t('app.save')}
        </button>
      </form>
      <DiscardButton id={fix.id} then={() => go('/outbox')} />
    </Page>
  );
}
