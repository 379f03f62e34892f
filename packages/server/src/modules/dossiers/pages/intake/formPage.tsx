/**
 * GET/POST /office/intake/new?unit=&procedure=: the whole dossier on one page (applicant, the
 * procedure's questions, papers received, scans, where the result goes). Each rendering carries
 * a fresh transactionId, so a double click or a resent form creates one dossier, not two; a form
 * shown again after an error keeps its id, since nothing was created yet.
 */
import { randomUUID } from 'node:crypto';
import { isPersonalField, localDateOf, problemMessage, type Language } from '@causo/domain';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../../../context.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { requireActor } from '../../../../http/auth.ts';
import { Problem, forbidden, notFound } from '../../../../http/problem.ts';
import { OfficePage } from '../../../../web/layout.tsx';
import { redirectAfterPost, sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { FormBody, UploadedFile } from '../../../../web/plugin.ts';
import { BackLink, Choices, CsrfField, ErrorSummary, Submit, SummaryList, TextField, type FieldErrors } from '../../../../web/components.tsx';
import type { Officer } from '../../../auth/service.ts';
import { FeeSchema, RequiredDocumentSchema, type FormField } from '../../../procedures/catalogueFile.ts';
import { findProcedureByCode, type ProcedureRecord } from '../../../procedures/queries.ts';
import { prepareUpload } from '../../documents.ts';
import { RESULT_DELIVERIES, receiveAtCounter, type IntakeUnit, type ResultDelivery, type ScannedPaper } from '../../counterIntake.ts';
import { TransactionId } from '../../schema.ts';
import { FileField, ID_NUMBER, PHONE, Question, compactNumber, documentFieldsOf, optionalLabel, formDefinition, questionsOf, readAnswers, scanName, type Values } from './answers.tsx';
import { unitsOrForbidden } from './startPage.tsx';

/** Papers the desk may scan besides the form's own document questions. */
const EXTRA_SCANS = ['extra1', 'extra2'] as const;

type RequiredDocument = z.infer<typeof RequiredDocumentSchema>;
type Fee = z.infer<typeof FeeSchema>;

interface Desk {
  officer: Officer;
  unit: IntakeUnit;
  procedure: ProcedureRecord;
  form: FormField[];
  papers: RequiredDocument[];
  fees: Fee[];
}

async function deskFor(ctx: AppContext, req: FastifyRequest, unitCode: unknown, procedureCode: unknown): Promise<Desk> {
  const { officer } = requireActor(req);
  const units = await unitsOrForbidden(ctx, officer);
  const unit = units.find((u) => u.code === unitCode);
  if (!unit) throw forbidden(`no intake role on unit ${String(unitCode)}`);
  const procedure = typeof procedureCode === 'string' ? await findProcedureByCode(ctx.db.kysely, procedureCode) : undefined;
  if (!procedure || !procedure.active) throw notFound('procedure.not_found', `no procedure ${String(procedureCode)}`);
  return {
    officer,
    unit,
    procedure,
    form: formDefinition(procedure.form),
    papers: z.array(RequiredDocumentSchema).parse(procedure.required_documents),
    fees: z.array(FeeSchema).parse(procedure.fees),
  };
}

interface FormState {
  transactionId: string;
  values: Values;
  errors: FieldErrors;
  /** Files chosen before an error are not kept: the officer has to choose them again. */
  filesLost: boolean;
}

const name = (p: PageRequest, x: { nameVi: string; nameEn: string }) => (p.lang === 'vi' ? x.nameVi : x.nameEn);

function IntakeForm({ p, desk, state, maxMb }: { p: PageRequest; desk: Desk; state: FormState; maxMb: number }) {
  const t = p.t;
  const { values, errors } = state;
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const procedureName = p.lang === 'vi' ? desk.procedure.name_vi : desk.procedure.name_en;
  const sla = t(desk.procedure.sla_unit === 'working_hours' ? 'common.working_hours' : 'common.working_days', { n: desk.procedure.sla_value });
  const fees = desk.fees.length ? desk.fees.map((f) => `${name(p, f)}: ${t('common.dong', { amount: f.amount })}`).join('; ') : t('common.free');
  const title = t('intake.form.title', { procedure: procedureName });
  return (
    <OfficePage p={p} title={title} officer={desk.officer} hasErrors={Object.keys(errors).length > 0}>
      <BackLink href={`/office/intake?unit=${encodeURIComponent(desk.unit.code)}`} label={t('intake.form.back')} />
      <ErrorSummary p={p} errors={errors} />
      <h1>{title}</h1>
      <SummaryList
        rows={[
          { key: t('intake.field.unit'), value: desk.unit.name },
          { key: t('intake.field.procedure'), value: `${procedureName} (${desk.procedure.code})` },
          { key: t('intake.field.sla'), value: sla },
          { key: t('intake.field.fees'), value: fees },
        ]}
      />
      <form method="post" action="/office/intake/new" enctype="multipart/form-data" novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="transactionId" value={state.transactionId} />
        <input type="hidden" name="unit" value={desk.unit.code} />
        <input type="hidden" name="procedure" value={desk.procedure.code} />

        <h2>{t('intake.form.applicant')}</h2>
        <TextField name="applicant.fullName" label={t('intake.applicant.full_name')} hint={t('intake.applicant.full_name_hint')} value={v('applicant.fullName')} error={errors['applicant.fullName']} maxLength={200} autocomplete="off" />
        <TextField name="applicant.idNumber" label={`${t('intake.applicant.id_number')} ${t('intake.optional')}`} hint={t('intake.id_number_hint')} value={v('applicant.idNumber')} error={errors['applicant.idNumber']} inputMode="numeric" maxLength={14} autocomplete="off" short />
        <TextField name="applicant.phone" type="tel" label={`${t('intake.applicant.phone')} ${t('intake.optional')}`} hint={t('intake.applicant.phone_hint')} value={v('applicant.phone')} error={errors['applicant.phone']} autocomplete="off" short />
        <TextField name="applicant.address" label={`${t('intake.applicant.address')} ${t('intake.optional')}`} hint={t('intake.address_hint')} value={v('applicant.address')} error={errors['applicant.address']} maxLength={300} autocomplete="off" />

        <h2>{t('intake.form.answers')}</h2>
        {questionsOf(desk.form).map((f) => (
          <Question key={f.key} p={p} field={f} values={values} errors={errors} />
        ))}

        <h2>{t('intake.form.papers')}</h2>
        <Choices
          name="papers"
          multiple
          legend={t('intake.papers.legend')}
          hint={t('intake.papers.hint')}
          error={errors.papers}
          value={values.papers}
          options={desk.papers.map((d, i) => ({ value: String(i), label: name(p, d), hint: t(d.original ? 'intake.papers.original' : 'intake.papers.copy', { n: d.copies }) }))}
        />

        <h2>{t('intake.form.scans')}</h2>
        <p class="hint">{t('intake.scans.hint', { mb: maxMb })}</p>
        {state.filesLost ? <p class="notice warn">{t('intake.scans.choose_again')}</p> : null}
        {documentFieldsOf(desk.form).map((f) => (
          <FileField key={f.key} name={scanName(f.key)} label={optionalLabel(p, p.lang === 'vi' ? f.labelVi : f.labelEn)} error={errors[scanName(f.key)]} />
        ))}
        {EXTRA_SCANS.map((k, i) => (
          <FileField key={k} name={scanName(k)} label={t('intake.scans.other', { n: i + 1 })} error={errors[scanName(k)]} />
        ))}

        <h2>{t('intake.form.result')}</h2>
        <Choices
          name="resultDelivery"
          legend={t('intake.result.legend')}
          error={errors.resultDelivery}
          value={v('resultDelivery') || 'desk'}
          options={RESULT_DELIVERIES.map((d) => ({ value: d, label: t(`intake.result.${d}`) }))}
        />

        <Submit>{t('intake.form.submit')}</Submit>
      </form>
    </OfficePage>
  );
}

const one = (v: FormBody[string] | undefined): string => (typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '');
const isFile = (v: FormBody[string] | undefined): v is UploadedFile => typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'file';

function readApplicant(p: PageRequest, body: FormBody) {
  const t = p.t;
  const values: Values = {};
  const errors: FieldErrors = {};
  const field = (k: string) => {
    const raw = one(body[`applicant.${k}`]).normalize('NFC').trim().replace(/\s+/g, ' ');
    values[`applicant.${k}`] = raw;
    return raw;
  };
  const fullName = field('fullName');
  const idNumber = compactNumber(field('idNumber'));
  const phone = compactNumber(field('phone'));
  const address = field('address');
  if (!fullName) errors['applicant.fullName'] = t('intake.error.full_name');
  else if (fullName.length > 200) errors['applicant.fullName'] = t('intake.error.too_long', { max: 200 });
  if (idNumber && !ID_NUMBER.test(idNumber)) errors['applicant.idNumber'] = t('intake.error.id_number');
  if (phone && !PHONE.test(phone)) errors['applicant.phone'] = t('intake.error.phone');
  if (address.length > 300) errors['applicant.address'] = t('intake.error.too_long', { max: 300 });
  const applicant = { fullName, ...(idNumber ? { idNumber } : {}), ...(phone ? { phone } : {}), ...(address ? { address } : {}) };
  return { applicant, values, errors };
}

/** Checks each scan by its content (not its name); a bad file is an error next to its field. */
async function readScans(ctx: AppContext, p: PageRequest, desk: Desk, body: FormBody) {
  const scans: ScannedPaper[] = [];
  const errors: FieldErrors = {};
  const slots = [
    ...documentFieldsOf(desk.form).map((f) => ({ kind: f.key, label: f.labelVi })),
    ...EXTRA_SCANS.map((k) => ({ kind: k, label: 'Giấy tờ khác (bản quét tại quầy)' })),
  ];
  for (const slot of slots) {
    const file = body[scanName(slot.kind)];
    if (!isFile(file)) continue;
    try {
      const prepared = await prepareUpload(file, ctx.config.UPLOAD_MAX_BYTES);
      scans.push({ kind: slot.kind.startsWith('extra') ? 'scan' : slot.kind, label: slot.label, file: prepared });
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      errors[scanName(slot.kind)] = problemMessage(e.code)[(p.lang as Language) === 'en' ? 'en' : 'vi'];
    }
  }
  const attached = slots.some((s) => isFile(body[scanName(s.kind)]));
  return { scans, errors, attached };
}

export function intakeFormPages(app: ZodApp, ctx: AppContext): void {
  const maxMb = Math.floor(ctx.config.UPLOAD_MAX_BYTES / 1_000_000);

  app.get('/office/intake/new', { schema: { hide: true } }, async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const desk = await deskFor(ctx, req, query.unit, query.procedure);
    const state: FormState = { transactionId: randomUUID(), values: {}, errors: {}, filesLost: false };
    return sendPage(reply, <IntakeForm p={req.page} desk={desk} state={state} maxMb={maxMb} />);
  });

  app.post('/office/intake/new', { schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as FormBody;
    const desk = await deskFor(ctx, req, one(body.unit), one(body.procedure));
    const transactionId = TransactionId.safeParse(one(body.transactionId));
    if (!transactionId.success) throw new Problem(400, 'request.invalid', 'the form has no valid transactionId: reload the page');
    const p = req.page;

    const applicant = readApplicant(p, body);
    const answers = readAnswers(p, desk.form, body, localDateOf(ctx.now()));
    const ticked = Array.isArray(body.papers) ? body.papers : typeof body.papers === 'string' ? [body.papers] : [];
    const picked = [...new Set(ticked)].filter((i) => /^\d+$/.test(i) && desk.papers[Number(i)] !== undefined);
    const delivery = one(body.resultDelivery) || 'desk';
    const scans = await readScans(ctx, p, desk, body);

    const errors: FieldErrors = { ...applicant.errors, ...answers.errors, ...scans.errors };
    if (!picked.length) errors.papers = p.t('intake.error.papers');
    if (!(RESULT_DELIVERIES as readonly string[]).includes(delivery)) errors.resultDelivery = p.t('intake.error.choose');
    else if (delivery === 'post' && !applicant.applicant.address && !errors['applicant.address']) errors['applicant.address'] = p.t('intake.error.address_for_post');

    if (Object.keys(errors).length) {
      const values: Values = { ...applicant.values, ...answers.values, papers: picked, resultDelivery: delivery };
      const state: FormState = { transactionId: transactionId.data, values, errors, filesLost: scans.attached };
      return sendPage(reply, <IntakeForm p={p} desk={desk} state={state} maxMb={maxMb} />, 400);
    }

    const created = await receiveAtCounter(ctx, requireActor(req), {
      transactionId: transactionId.data,
      unitCode: desk.unit.code,
      procedureCode: desk.procedure.code,
      applicant: applicant.applicant,
      answers: answers.answers,
      personalKeys: questionsOf(desk.form).filter(isPersonalField).map((f) => f.key),
      papersReceived: picked.map((i) => (desk.papers[Number(i)] as RequiredDocument).nameVi),
      resultDelivery: delivery as ResultDelivery,
      scans: scans.scans,
    });
    return redirectAfterPost(reply, `/office/intake/received/${encodeURIComponent(created.code)}`);
  });
}
