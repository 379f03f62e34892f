/**
 * Dossiers as a citizen meets them through the portal: submitted online (channel 2, status 1
 * until the one-stop desk receives it), followed, withdrawn, supplemented, paid. A citizen sees
 * and acts on their own dossiers only; anyone else's code answers "not found", never
 * "forbidden", so codes cannot be probed.
 */
import { STATUS_NAMES, availableActions, roleMayTake, toLocalIso, type Action, type Status } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import { Problem, notFound } from '../../http/problem.ts';
import { findProcedureByCode, findProcedureById } from '../procedures/queries.ts';
import { findUnitById } from '../units/queries.ts';
import { actionsOf, findDossierByCode, lockDossierByCode, type DossierRecord } from './queries.ts';
import type { ActionInput, CreateDossierInput } from './schema.ts';
import { applyAction, insertNewDossier, occurredAtOf, once, requireFields, unitForReception } from './service.ts';

export interface CitizenActor {
  citizenId: number;
  ip: string | null;
}

export interface OnlineApplication {
  transactionId: string;
  procedureCode: string;
  unitCode: string;
  applicant: CreateDossierInput['applicant'];
  formData: Record<string, unknown>;
}

export interface CitizenDossierView {
  code: string;
  status: Status;
  statusName: { vi: string; en: string };
  procedure: { code: string; nameVi: string; nameEn: string };
  unit: { code: string; name: string };
  submittedAt: string;
  receivedAt: string | null;
  dueAt: string | null;
  finishedAt: string | null;
  /** Papers the office asked for in its latest supplement request, while it is open. */
  missingDocuments: string[];
  /** The office's reason, when it refused or stopped the dossier. */
  reason: string | null;
  /** What the citizen may do now (the state machine's actions open to citizens). */
  citizenActions: Action[];
  history: { action: string; toStatus: Status; statusName: { vi: string; en: string }; at: string; byCitizen: boolean; note: string | null }[];
}

/** Submits an application; `inTransaction` runs inside the same transaction (e.g. to move uploaded papers). */
export async function submitOnline(
  ctx: AppContext,
  citizen: CitizenActor,
  app: OnlineApplication,
  inTransaction?: (trx: Trx, dossier: { id: number; code: string }) => Promise<void>,
): Promise<CitizenDossierView & { replayed?: boolean }> {
  const at = ctx.now();
  const calendar = await ctx.calendar.calendar();
  return once(ctx, app.transactionId, { action: 'create' }, (c) => citizenDossier(ctx, citizen, c), () =>
    ctx.db.transaction(async (trx) => {
      const procedure = await findProcedureByCode(trx, app.procedureCode);
      if (!procedure || !procedure.active) throw notFound('procedure.not_found', `no procedure ${app.procedureCode}`);
      const unit = await unitForReception(trx, app.unitCode, at);
      const created = await insertNewDossier(ctx, trx, calendar, {
        procedure,
        unit,
        channel: 2,
        applicant: app.applicant,
        formData: app.formData,
        at,
        transactionId: app.transactionId,
        who: { role: 'citizen', userId: null, citizenId: citizen.citizenId, ip: citizen.ip },
      });
      if (inTransaction) await inTransaction(trx, created);
      return created.code;
    }),
  );
}

async function ownDossierForUpdate(trx: Trx, citizen: CitizenActor, code: string): Promise<DossierRecord> {
  const d = await lockDossierByCode(trx, code);
  if (!d || d.citizen_id !== citizen.citizenId) throw notFound('dossier.not_found_for_citizen');
  return d;
}

/** An action a citizen takes on their own dossier: withdraw, answer a supplement, pay. */
export async function citizenAct(
  ctx: AppContext,
  citizen: CitizenActor,
  code: string,
  input: ActionInput,
  inTransaction?: (trx: Trx, dossier: DossierRecord) => Promise<void>,
): Promise<CitizenDossierView & { replayed?: boolean }> {
  requireFields(input);
  if (!roleMayTake('citizen', input.action)) throw new Problem(403, 'dossier.role_not_allowed', `a citizen may not ${input.action}`);
  const at = occurredAtOf(ctx, input.occurredAt);
  const calendar = await ctx.calendar.calendar();
  return once(ctx, input.transactionId, { action: input.action, code }, (c) => citizenDossier(ctx, citizen, c), () =>
    ctx.db.transaction(async (trx) => {
      const d = await ownDossierForUpdate(trx, citizen, code);
      if (inTransaction) await inTransaction(trx, d);
      await applyAction(ctx, trx, d, { role: 'citizen', userId: null, citizenId: citizen.citizenId, ip: citizen.ip }, input, at, calendar);
      return code;
    }),
  );
}

const CITIZEN_ACTIONS = new Set<Action>(['request_withdrawal', 'supplement_received', 'fees_paid']);

/** Builds the view from a dossier row; no ownership check (callers do it). */
export async function citizenViewOf(ctx: AppContext, d: DossierRecord): Promise<CitizenDossierView> {
  const db = ctx.db.kysely;
  const [procedure, unit, log] = await Promise.all([findProcedureById(db, d.procedure_id), findUnitById(db, d.unit_id), actionsOf(db, d.id)]);
  const status = d.status as Status;
  const lastSupplement = [...log].reverse().find((a) => a.action === 'request_supplement');
  const lastReason = [...log].reverse().find((a) => a.action === 'refuse' || a.action === 'stop');
  const payloadOf = (a: (typeof log)[number] | undefined) => (a?.payload ?? {}) as { missingDocuments?: string[]; reason?: string; note?: string };
  return {
    code: d.code,
    status,
    statusName: STATUS_NAMES[status],
    procedure: { code: procedure?.code ?? '', nameVi: procedure?.name_vi ?? '', nameEn: procedure?.name_en ?? '' },
    unit: { code: unit?.code ?? '', name: unit?.name ?? '' },
    submittedAt: toLocalIso(d.submitted_at),
    receivedAt: d.received_at ? toLocalIso(d.received_at) : null,
    dueAt: d.due_at ? toLocalIso(d.due_at) : null,
    finishedAt: d.finished_at ? toLocalIso(d.finished_at) : null,
    missingDocuments: status === 5 ? (payloadOf(lastSupplement).missingDocuments ?? []) : [],
    reason: status === 3 || status === 8 ? (payloadOf(lastReason).reason ?? null) : null,
    citizenActions: availableActions(status).filter((a) => CITIZEN_ACTIONS.has(a)),
    history: log.map((a) => ({
      action: a.action,
      toStatus: a.to_status as Status,
      statusName: STATUS_NAMES[a.to_status as Status],
      at: toLocalIso(a.occurred_at),
      byCitizen: a.actor_role === 'citizen',
      note: payloadOf(a).reason ?? payloadOf(a).note ?? null,
    })),
  };
}

/** The citizen's own dossier, or "not found". */
export async function citizenDossier(ctx: AppContext, citizen: CitizenActor, code: string): Promise<CitizenDossierView> {
  const d = await findDossierByCode(ctx.db.kysely, code);
  if (!d || d.citizen_id !== citizen.citizenId) throw notFound('dossier.not_found_for_citizen');
  return citizenViewOf(ctx, d);
}

export async function citizenDossierList(ctx: AppContext, citizenId: number) {
  const rows = await ctx.db.kysely
    .selectFrom('dossiers')
    .innerJoin('procedures', 'procedures.id', 'dossiers.procedure_id')
    .select(['dossiers.code', 'dossiers.status', 'dossiers.submitted_at', 'dossiers.due_at', 'procedures.name_vi', 'procedures.name_en'])
    .where('dossiers.citizen_id', '=', citizenId)
    .orderBy('dossiers.submitted_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    code: r.code,
    status: r.status as Status,
    statusName: STATUS_NAMES[r.status as Status],
    procedure: { nameVi: r.name_vi, nameEn: r.name_en },
    submittedAt: toLocalIso(r.submitted_at),
    dueAt: r.due_at ? toLocalIso(r.due_at) : null,
  }));
}
