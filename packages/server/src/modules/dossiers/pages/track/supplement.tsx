/**
 * /my/:code/supplement: the papers the office asked for, one upload field each, sent together.
 * The papers are stored in the same transaction as `supplement_received`, which restarts the
 * clock (the due date moves by the working time the dossier waited, see applyAction).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { problemMessage, type Language } from '@causo/domain';
import type { AppContext } from '../../../../context.ts';
import { Problem } from '../../../../http/problem.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { BackLink, CsrfField, ErrorSummary, Submit, TextArea, type FieldErrors } from '../../../../web/components.tsx';
import { PortalPage } from '../../../../web/layout.tsx';
import type { FormBody, UploadedFile } from '../../../../web/plugin.ts';
import { redirectAfterPost, sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import { citizenAct, type CitizenDossierView } from '../../citizenDossiers.ts';
import { prepareUpload, storeDocument, type PreparedFile } from '../../documents.ts';
import { TransactionId } from '../../schema.ts';
import { alreadyDone, ownDossier } from './myDossiers.tsx';
import { sendNotNow } from './notNow.tsx';
import { FileField } from './parts.tsx';

/** The multipart limit is 10 files: 9 named papers and one "other". */
const MAX_NAMED = 9;

interface Slot {
  name: string;
  label: string;
}

function slotsOf(p: PageRequest, missing: string[]): Slot[] {
  const named = missing.slice(0, MAX_NAMED).map((doc, i) => ({ name: `file_${i}`, label: doc }));
  return [...named, { name: 'file_other', label: named.length ? p.t('supplement.other.label') : p.t('supplement.any.label') }];
}

const isFile = (v: unknown): v is UploadedFile => typeof v === 'object' && v !== null && (v as UploadedFile).kind === 'file';

function SupplementPage(props: { p: PageRequest; req: FastifyRequest; v: CitizenDossierView; transactionId: string; errors: FieldErrors; note: string; maxMb: number }) {
  const { p, req, v, transactionId, errors, note, maxMb } = props;
  const base = `/my/${encodeURIComponent(v.code)}`;
  const slots = slotsOf(p, v.missingDocuments);
  return (
    <PortalPage p={p} title={p.t('supplement.title')} citizen={req.citizen} hasErrors={Object.keys(errors).length > 0}>
      <BackLink href={base} label={p.t('common.back')} />
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('supplement.title')}</h1>
      <p class="lead">{p.t('supplement.intro', { code: v.code })}</p>
      <ul>
        {v.missingDocuments.map((doc) => (
          <li key={doc}>{doc}</li>
        ))}
      </ul>
      <p>{p.t('supplement.how')}</p>
      <form method="post" action={`${base}/supplement`} enctype="multipart/form-data" novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="transactionId" value={transactionId} />
        {slots.map((s) => (
          <FileField key={s.name} name={s.name} label={s.label} hint={p.t('supplement.file.hint', { mb: maxMb })} error={errors[s.name]} />
        ))}
        <TextArea name="note" label={p.t('supplement.note.label')} hint={p.t('supplement.note.hint')} value={note} maxLength={2000} rows={3} error={errors.note} />
        <Submit>{p.t('supplement.submit')}</Submit>
      </form>
    </PortalPage>
  );
}

function problemText(p: PageRequest, e: Problem): string {
  const m = problemMessage(e.code) as Record<string, string>;
  return m[p.lang as Language] ?? m.vi ?? e.code;
}

export function supplementPages(app: ZodApp, ctx: AppContext): void {
  const maxMb = Math.floor(ctx.config.UPLOAD_MAX_BYTES / 1_000_000);

  app.get('/my/:code/supplement', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const { code } = req.params as { code: string };
    const { view } = await ownDossier(ctx, req, code);
    if (!view.citizenActions.includes('supplement_received')) return sendNotNow(req, reply, 'supplement', view.code, view.status);
    return sendPage(reply, <SupplementPage p={req.page} req={req} v={view} transactionId={randomUUID()} errors={{}} note="" maxMb={maxMb} />);
  });

  app.post('/my/:code/supplement', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const p = req.page;
    const { code } = req.params as { code: string };
    const { view, me } = await ownDossier(ctx, req, code);
    const body = (req.body ?? {}) as FormBody;
    const tx = TransactionId.safeParse(body.transactionId);
    const transactionId = tx.success ? tx.data : randomUUID();
    // The same form sent twice (a double tap on a slow line): the first one counted.
    if (await alreadyDone(ctx, transactionId, 'supplement_received', view.code)) return redirectAfterPost(reply, `/my/${encodeURIComponent(view.code)}?done=supplement`);
    if (!view.citizenActions.includes('supplement_received')) return sendNotNow(req, reply, 'supplement', view.code, view.status);
    const note = typeof body.note === 'string' ? body.note.trim().slice(0, 2000) : '';
    const slots = slotsOf(p, view.missingDocuments);
    const chosen = slots.flatMap((s) => (isFile(body[s.name]) ? [{ slot: s, file: body[s.name] as UploadedFile }] : []));
    const errors: FieldErrors = {};
    if (!chosen.length) errors[slots[0]?.name ?? 'file_other'] = p.t('supplement.error.no_file');
    const prepared: { slot: Slot; file: PreparedFile }[] = [];
    for (const c of chosen) {
      try {
        prepared.push({ slot: c.slot, file: await prepareUpload(c.file, ctx.config.UPLOAD_MAX_BYTES) });
      } catch (e) {
        if (!(e instanceof Problem)) throw e;
        errors[c.slot.name] = problemText(p, e);
      }
    }
    if (Object.keys(errors).length)
      return sendPage(reply, <SupplementPage p={p} req={req} v={view} transactionId={transactionId} errors={errors} note={note} maxMb={maxMb} />, 400);
    try {
      await citizenAct(ctx, me, view.code, { action: 'supplement_received', transactionId, ...(note ? { note } : {}) }, async (trx, d) => {
        for (const { slot, file } of prepared)
          await storeDocument(trx, { dossierId: d.id }, file, { kind: 'supplement', label: slot.name === 'file_other' ? '' : slot.label, citizenId: me.citizenId });
      });
    } catch (e) {
      if (e instanceof Problem && e.status === 409) return sendNotNow(req, reply, 'supplement', view.code, view.status);
      throw e;
    }
    return redirectAfterPost(reply, `/my/${encodeURIComponent(view.code)}?done=supplement`);
  });
}
