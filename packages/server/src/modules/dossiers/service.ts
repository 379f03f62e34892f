/**
 * Dossiers: creation, actions through the shared state machine, reading and listing. Every
 * write is one transaction that appends to the action log, updates the dossier, keeps the
 * II.06a counters and writes the audit entry; the answer is built after it commits.
 */
import type { Kysely } from 'kysely';
import { notifyDossierAction, receiptSms } from '../notify/dossierEvents.ts';
import {
  STATUS_NAMES,
  applyToTimeline,
  availableActions,
  contributionDiff,
  emptyTimeline,
  endKind,
  foldDiacritics,
  localDateOf,
  nextStatus,
  roleMayTake,
  searchTokens,
  toLocalIso,
  yymmdd,
  type Action,
  type Channel,
  type LoggedAction,
  type Role,
  type Status,
  type TimelineState,
  type WorkingCalendar,
} from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import type { DB, StoredPhase } from '../../db/schema.ts';
import { Problem, conflict, notFound } from '../../http/problem.ts';
import { audit, auditRow } from '../audit/service.ts';
import { requireRoleOnLoadedUnit, requireRoleOnUnit, rootsFor, type Officer, type OfficerRole } from '../auth/service.ts';
import { applyCounterDeltas, counterRows } from '../reports/counters.ts';
import { runNewDossierStatement } from './newDossierSql.ts';
import { catalogGeneration, isCatalogChanged, receptionCatalogOf, type ReceptionFacts } from './receptionCatalog.ts';
import { findUnitById, findUnitByCode, findUnitVersions } from '../units/queries.ts';
import { findProcedureByCode, findProcedureById } from '../procedures/queries.ts';
import { openFormData } from './formData.ts';
import { actionsOf, findActionByTransaction, findDossierByCode, listDossiers, lockDossierByCode, type DossierRecord } from './queries.ts';
import type { ActionInput, CreateDossierInput, DossierListFilter, DossierViewT } from './schema.ts';

export interface Actor {
  officer: Officer;
  ip: string | null;
}

/** A device clock may be a little ahead; more than this is a mistake, not skew. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function occurredAtOf(ctx: AppContext, iso: string | undefined): Date {
  const now = ctx.now();
  if (!iso) return now;
  const at = new Date(iso);
  if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
    throw new Problem(400, 'request.invalid', 'occurredAt is in the future', [{ path: 'occurredAt', message: 'must not be in the future' }]);
  return at;
}

export function timelineOf(d: DossierRecord): TimelineState {
  const phases = d.phases as unknown as StoredPhase[];
  return {
    channel: d.channel as Channel,
    status: d.status as Status,
    receivedAt: d.received_at,
    phases: phases.map((p) => ({ from: new Date(p.from), paused: p.paused, dueAt: p.dueAt ? new Date(p.dueAt) : null })),
    finishedAt: d.finished_at,
    endKind: endKind(d.status as Status),
  };
}

const storePhases = (t: TimelineState): string =>
  JSON.stringify(t.phases.map((p) => ({ from: p.from.toISOString(), paused: p.paused, dueAt: p.dueAt?.toISOString() ?? null })));

const isUniqueViolation = (e: unknown, constraint: string) =>
  typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505' && String((e as Error).message).includes(constraint);

/**
 * Apply a write once per client transaction id: a repeat returns the stored result marked
 * `replayed`; the same id for another write is a conflict. Two concurrent repeats race on the
 * UNIQUE constraint; the loser reads the winner's result.
 */
export async function once<V>(
  ctx: AppContext,
  transactionId: string,
  expected: { action: string; code?: string; writeFirst?: boolean },
  view: (code: string) => Promise<V>,
  write: () => Promise<string>,
): Promise<V & { replayed?: boolean }> {
  const replay = async () => {
    const prior = await findActionByTransaction(ctx.db.kysely, transactionId);
    if (!prior) return null;
    if (prior.action !== expected.action || (expected.code && prior.code !== expected.code))
      throw conflict('dossier.transaction_reused', `transaction ${transactionId} was used for ${prior.action} on ${prior.code}`);
    return { ...(await view(prior.code)), replayed: true };
  };
  // writeFirst (new dossiers, where a repeat is rare): no look-up before the write, saving a
  // round trip. A repeat then fails inside the write, on the transaction id's UNIQUE index or on
  // a check that has changed since (procedure withdrawn, role removed); the transaction rolls
  // back (its code number too) and the stored result is answered as before.
  if (!expected.writeFirst) {
    const prior = await replay();
    if (prior) return prior;
  }
  try {
    const code = await write();
    return (await view(code)) as V & { replayed?: boolean };
  } catch (e) {
    if (isUniqueViolation(e, 'transaction_id') || (expected.writeFirst && e instanceof Problem)) {
      const again = await replay();
      if (again) return again;
    }
    throw e;
  }
}

export async function unitForReception(trx: Trx, code: string, at: Date) {
  const unit = await findUnitByCode(trx, code, localDateOf(at));
  if (unit) return unit;
  const versions = await findUnitVersions(trx, code);
  if (versions.length) throw new Problem(422, 'dossier.unit_not_receiving', `unit ${code} is not in force on ${localDateOf(at)}`);
  throw notFound('unit.not_found', `no unit ${code}`);
}

/** Villages have no one-stop desk: their dossiers are numbered by the commune's agency. */
async function agencyOf(trx: Trx, unit: { level: string; agency_code: string; parent_id: number | null }): Promise<string> {
  if (unit.level !== 'village' || unit.parent_id === null) return unit.agency_code;
  return (await findUnitById(trx, unit.parent_id))?.agency_code ?? unit.agency_code;
}

export function formatDossierCode(agency: string, at: Date, seq: number): string {
  return `${agency}-${yymmdd(at)}-${String(seq).padStart(4, '0')}`;
}

/** `inTransaction` runs inside the creating transaction (e.g. to store the papers scanned at the counter). */
export async function createDossier(
  ctx: AppContext,
  actor: Actor,
  input: CreateDossierInput,
  inTransaction?: (trx: Trx, dossier: { id: number; code: string }) => Promise<void>,
): Promise<DossierViewT> {
  const at = occurredAtOf(ctx, input.occurredAt);
  const calendar = await ctx.calendar.calendar();
  // The answer to a new dossier is built from the rows the committed transaction wrote and read
  // (role already checked there), saving four round trips; a replay reads the stored dossier.
  let committed: DossierViewT | null = null;
  const view = (c: string) => (committed?.code === c ? Promise.resolve(committed) : getDossier(ctx, actor, c, { audited: false }));
  const catalog = receptionCatalogOf(ctx);
  const day = localDateOf(at);
  const dossierOf = (procedure: NewDossier['procedure'], unit: NewDossier['unit'], roles: OfficerRole[], agency: string, catalogGeneration?: number): NewDossier => ({
    procedure,
    unit,
    agency,
    catalogGeneration,
    channel: input.channel,
    applicant: input.applicant,
    formData: input.formData,
    at,
    transactionId: input.transactionId,
    who: { role: roles[0] ?? 'officer', userId: actor.officer.id, citizenId: null, ip: actor.ip },
  });
  const write = async (known: ReceptionFacts | null): Promise<string> => {
    // With the procedure and unit known, and nothing else to write (no papers), the dossier and
    // its receipt SMS are one statement and need no transaction of their own: one round trip.
    if (known && !inTransaction) {
      const roles = requireRoleOnLoadedUnit(actor.officer, known.unit, ['admin', 'officer']);
      const created = await insertNewDossierAlone(ctx, calendar, dossierOf(known.procedure, known.unit, roles, known.agency, known.generation), known.agency);
      committed = dossierView(ctx, created.row, known.unit, known.procedure, calendar);
      return created.code;
    }
    const made = await ctx.db.transaction(async (trx) => {
      // Read before the rows, so what is remembered is never older than its generation.
      const generation = known?.generation ?? (await catalogGeneration(trx));
      const procedure = known?.procedure ?? (await findProcedureByCode(trx, input.procedureCode));
      if (!procedure || !procedure.active) throw notFound('procedure.not_found', `no procedure ${input.procedureCode}`);
      const unit = known?.unit ?? (await unitForReception(trx, input.unitCode, at));
      const roles = requireRoleOnLoadedUnit(actor.officer, unit, ['admin', 'officer']);
      const agency = known?.agency ?? (await agencyOf(trx, unit));
      if (!known) catalog.remember(generation, day, { procedure, unit, agency });
      const created = await insertNewDossier(ctx, trx, calendar, dossierOf(procedure, unit, roles, agency, known?.generation));
      if (inTransaction) await inTransaction(trx, created);
      return { created, unit, procedure };
    });
    // With `inTransaction` the caller may have changed the dossier after the insert: read it back.
    if (!inTransaction) committed = dossierView(ctx, made.created.row, made.unit, made.procedure, calendar);
    return made.created.code;
  };
  return once(ctx, input.transactionId, { action: 'create', writeFirst: true }, view, async () => {
    const known = catalog.lookup(input.procedureCode, input.unitCode, day);
    if (known) {
      try {
        return await write(known);
      } catch (e) {
        if (!isCatalogChanged(e)) throw e;
        catalog.forget();
      }
    }
    return write(null);
  });
}

export interface NewDossier {
  procedure: NonNullable<Awaited<ReturnType<typeof findProcedureByCode>>>;
  unit: Awaited<ReturnType<typeof unitForReception>>;
  /** The agency that numbers it, when the caller knows it already (else read from the unit). */
  agency?: string | undefined;
  /** The catalog generation `procedure`, `unit` and `agency` were read under (receptionCatalog.ts), when not read in this transaction. */
  catalogGeneration?: number | undefined;
  channel: Channel;
  applicant: CreateDossierInput['applicant'];
  formData: Record<string, unknown>;
  at: Date;
  transactionId: string;
  who: ActingAs;
}

interface CreatedDossier {
  id: number;
  code: string;
  row: DossierRecord;
}

/**
 * Received on the spot (counter, post) with a phone: the applicant gets the code and the due date
 * by SMS. Without an account it goes in the dossier's own statement; with one, the account's
 * language is read first (notifyDossierAction).
 */
const sendsReceiptSms = (channel: Channel, phone: string | undefined): boolean => channel !== 2 && !!phone;

/** Inserts a dossier and its first log entry inside the caller's transaction (counters and audit included). */
export async function insertNewDossier(ctx: AppContext, trx: Trx, calendar: WorkingCalendar, n: NewDossier): Promise<CreatedDossier> {
  const agency = n.agency ?? (await agencyOf(trx, n.unit));
  const { row, dueAt } = await newDossierStatement(ctx, trx, calendar, n, agency);
  if (sendsReceiptSms(n.channel, n.applicant.phone) && n.who.citizenId !== null) await notifyDossierAction(ctx, trx, row, { action: 'receive', at: n.at, dueAt });
  return { id: row.id, code: row.code, row };
}

/** The same as one statement on its own, for an officer's dossier whose agency is known. */
async function insertNewDossierAlone(ctx: AppContext, calendar: WorkingCalendar, n: NewDossier, agency: string): Promise<CreatedDossier> {
  const { row } = await newDossierStatement(ctx, ctx.db.kysely, calendar, n, agency);
  return { id: row.id, code: row.code, row };
}

/** The values of a new dossier and its one statement (newDossierSql.ts): five round trips fewer on the busiest write. */
async function newDossierStatement(ctx: AppContext, db: Kysely<DB>, calendar: WorkingCalendar, n: NewDossier, agency: string): Promise<{ row: DossierRecord; dueAt: Date | null }> {
  const { procedure, unit, at } = n;
  const status: Status = n.channel === 2 ? 1 : 2;
  const sla = { value: procedure.sla_value, unit: procedure.sla_unit };
  const dueAt = status === 2 ? calendar.dueAt(at, sla) : null;
  const logged: LoggedAction = { action: 'create', toStatus: status, occurredAt: at, dueAt };
  const after = applyToTimeline(emptyTimeline(n.channel), logged);
  const deltas = contributionDiff(null, after);

  const a = n.applicant;
  const personal = { phone: a.phone, idNumber: a.idNumber, address: a.address };
  const hasPersonal = Object.values(personal).some((v) => v !== undefined);
  const audit = auditRow({
    actorId: n.who.userId,
    action: 'dossier.create',
    entity: 'dossier',
    ip: n.who.ip,
    detail: { channel: n.channel, procedure: procedure.code, ...(n.who.citizenId ? { citizenId: n.who.citizenId } : {}) },
  });
  const row = await runNewDossierStatement(db, {
    agencyCode: agency,
    day: localDateOf(at),
    codePrefix: `${agency}-${yymmdd(at)}-`,
    catalogGeneration: n.catalogGeneration ?? null,
    dossier: {
      province_code: unit.province_code,
      procedure_id: procedure.id,
      sector_code: procedure.sector_code,
      unit_id: unit.id,
      channel: n.channel,
      status,
      citizen_id: n.who.citizenId,
      applicant_name: a.fullName.normalize('NFC'),
      applicant_search: foldDiacritics(a.fullName),
      applicant_sealed: hasPersonal ? ctx.vault.seal(personal) : null,
      applicant_phone_hash: a.phone ? ctx.vault.lookupHash('phone', a.phone) : null,
      applicant_id_hash: a.idNumber ? ctx.vault.lookupHash('id', a.idNumber) : null,
      form_data: JSON.stringify(n.formData),
      submitted_at: at,
      received_at: after.receivedAt,
      due_at: dueAt,
      phases: storePhases(after),
      sla_value: sla.value,
      sla_unit: sla.unit,
    },
    action: {
      seq: 1,
      action: 'create',
      from_status: null,
      to_status: status,
      actor_id: n.who.userId,
      citizen_id: n.who.citizenId,
      actor_role: n.who.role,
      occurred_at: at,
      received_at: ctx.now(),
      transaction_id: n.transactionId,
      payload: JSON.stringify({ channel: n.channel, dueAt: dueAt?.toISOString() ?? null }),
    },
    audit: { actor_id: audit.actor_id, action: audit.action, entity: audit.entity, detail: audit.detail, ip: audit.ip, user_agent: audit.user_agent },
    // A dossier not yet received (online) counts nowhere yet.
    counters: deltas.length ? counterRows(unit.ancestor_ids, procedure.sector_code, deltas) : [],
    sms: sendsReceiptSms(n.channel, a.phone) && n.who.citizenId === null ? receiptSms(ctx, a.phone, at, dueAt) : null,
  });
  return { row, dueAt };
}

/** The fields each action needs beyond the state machine's say-so. */
export function requireFields(input: ActionInput): void {
  const need: [boolean, string][] = [
    [input.action === 'refuse' && !input.reason, 'reason'],
    [input.action === 'stop' && !input.reason, 'reason'],
    [input.action === 'request_supplement' && !input.missingDocuments?.length, 'missingDocuments'],
  ];
  const missing = need.filter(([m]) => m).map(([, f]) => f);
  if (missing.length)
    throw new Problem(400, 'dossier.missing_field', `${input.action} needs ${missing.join(', ')}`, missing.map((path) => ({ path, message: 'required for this action' })));
}

function newDueAt(calendar: WorkingCalendar, d: DossierRecord, action: Action, at: Date): Date | null | undefined {
  if (action === 'receive') return calendar.dueAt(at, { value: d.sla_value ?? 1, unit: d.sla_unit ?? 'working_days' });
  if (action === 'supplement_received' && d.due_at && d.paused_at) return calendar.extendForPause(d.due_at, d.paused_at, at);
  return undefined;
}

/** `inTransaction` runs inside the action's transaction once the officer may act (e.g. to store the result paper). */
export async function actOnDossier(
  ctx: AppContext,
  actor: Actor,
  code: string,
  input: ActionInput,
  inTransaction?: (trx: Trx, dossier: DossierRecord) => Promise<void>,
): Promise<DossierViewT> {
  requireFields(input);
  const at = occurredAtOf(ctx, input.occurredAt);
  const calendar = await ctx.calendar.calendar();
  return once(ctx, input.transactionId, { action: input.action, code }, (c) => getDossier(ctx, actor, c, { audited: false }), () =>
    ctx.db.transaction(async (trx) => {
      const d = await lockDossierByCode(trx, code);
      if (!d) throw notFound('dossier.not_found', `no dossier ${code}`);
      const roles = await requireRoleOnUnit(trx, actor.officer, d.unit_id);
      const role = roles.find((r) => roleMayTake(r, input.action));
      if (!role) throw new Problem(403, 'dossier.role_not_allowed', `${roles.join(', ')} may not ${input.action}`);
      if (inTransaction) await inTransaction(trx, d);
      await applyAction(ctx, trx, d, { role, userId: actor.officer.id, citizenId: null, ip: actor.ip }, input, at, calendar);
      return code;
    }),
  );
}

export interface ActingAs {
  role: Role;
  userId: number | null;
  citizenId: number | null;
  ip: string | null;
}

/**
 * One action on a locked dossier, inside the caller's transaction: the state machine decides,
 * then the dossier row, the append-only log, the II.06a counters and the audit trail change
 * together. Who may act has been checked by the caller.
 */
export async function applyAction(ctx: AppContext, trx: Trx, d: DossierRecord, who: ActingAs, input: ActionInput, at: Date, calendar: WorkingCalendar): Promise<void> {
  const from = d.status as Status;
  const to = nextStatus(from, input.action);
  if (to === null)
    throw conflict('dossier.action_not_allowed', `${input.action} is not allowed in status ${from}`, { status: from, availableActions: availableActions(from) });

  const dueAt = newDueAt(calendar, d, input.action, at);
  const before = timelineOf(d);
  const after = applyToTimeline(before, { action: input.action, toStatus: to, occurredAt: at, dueAt });
  const lastDue = after.phases[after.phases.length - 1]?.dueAt ?? null;
  const seq = d.version + 1;
  await trx
    .updateTable('dossiers')
    .set({
      status: to,
      received_at: after.receivedAt,
      finished_at: after.finishedAt,
      due_at: lastDue,
      paused_at: to === 5 ? at : null,
      phases: storePhases(after),
      supplement_count: input.action === 'request_supplement' ? d.supplement_count + 1 : d.supplement_count,
      version: seq,
      updated_at: ctx.now(),
    })
    .where('id', '=', d.id)
    .execute();
  const payload = {
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.missingDocuments ? { missingDocuments: input.missingDocuments } : {}),
    ...(input.note ? { note: input.note } : {}),
    ...(input.resultDocument ? { resultDocument: input.resultDocument } : {}),
    ...(dueAt !== undefined ? { dueAt: dueAt?.toISOString() ?? null } : {}),
  };
  await trx
    .insertInto('dossier_actions')
    .values({
      dossier_id: d.id,
      seq,
      action: input.action,
      from_status: from,
      to_status: to,
      actor_id: who.userId,
      citizen_id: who.citizenId,
      actor_role: who.role,
      occurred_at: at,
      received_at: ctx.now(),
      transaction_id: input.transactionId,
      payload: JSON.stringify(payload),
    })
    .execute();
  const unit = await findUnitById(trx, d.unit_id);
  await notifyDossierAction(ctx, trx, d, { action: input.action, at, dueAt: lastDue, missingDocuments: input.missingDocuments });
  await audit(trx, {
    actorId: who.userId,
    action: `dossier.${input.action}`,
    entity: 'dossier',
    entityId: d.code,
    ip: who.ip,
    detail: { from, to, ...(who.citizenId ? { citizenId: who.citizenId } : {}) },
  });
  // Last, for the same reason as in insertNewDossier: shared rows, locked until commit.
  await applyCounterDeltas(trx, unit?.ancestor_ids ?? [d.unit_id], d.sector_code, contributionDiff(before, after));
}

function workingMinutesLeft(calendar: WorkingCalendar, d: DossierRecord, now: Date): number | null {
  if (!d.due_at || d.finished_at) return null;
  const ref = d.status === 5 && d.paused_at ? d.paused_at : now;
  return ref <= d.due_at ? Math.round(calendar.workingMinutesBetween(ref, d.due_at)) : -Math.round(calendar.workingMinutesBetween(d.due_at, ref));
}

const iso = (d: Date | null) => (d ? toLocalIso(d) : null);

/** A dossier as an officer sees it. Reading personal fields is audited unless the caller just wrote them. */
export async function getDossier(ctx: AppContext, actor: Actor, code: string, opts: { audited?: boolean; withLog?: boolean } = {}): Promise<DossierViewT> {
  const db = ctx.db.kysely;
  const d = await findDossierByCode(db, code);
  if (!d) throw notFound('dossier.not_found', `no dossier ${code}`);
  await requireRoleOnUnit(db, actor.officer, d.unit_id);
  const [unit, procedure, calendar] = await Promise.all([findUnitById(db, d.unit_id), findProcedureById(db, d.procedure_id), ctx.calendar.calendar()]);
  if (opts.audited !== false) await audit(db, { actorId: actor.officer.id, action: 'dossier.read', entity: 'dossier', entityId: code, ip: actor.ip });
  const view = dossierView(ctx, d, unit, procedure, calendar);
  if (opts.withLog)
    view.actions = (await actionsOf(db, d.id)).map((a) => ({
      seq: a.seq,
      action: a.action,
      fromStatus: a.from_status,
      toStatus: a.to_status,
      actor: a.username,
      actorRole: a.actor_role,
      occurredAt: toLocalIso(a.occurred_at),
      receivedAt: toLocalIso(a.received_at),
      transactionId: a.transaction_id,
      payload: a.payload as unknown as Record<string, unknown>,
    }));
  return view;
}

/** An officer's view of a dossier from its row, unit and procedure (no reads). */
export function dossierView(
  ctx: AppContext,
  d: DossierRecord,
  unit: { code: string; name: string; valid_from: string } | undefined,
  procedure: { code: string; name_vi: string } | undefined,
  calendar: WorkingCalendar,
): DossierViewT {
  const personal = d.applicant_sealed ? ctx.vault.open<{ phone?: string; idNumber?: string; address?: string }>(d.applicant_sealed) : {};
  const status = d.status as Status;
  return {
    code: d.code,
    status,
    statusName: STATUS_NAMES[status],
    channel: d.channel,
    procedure: { code: procedure?.code ?? '', name: procedure?.name_vi ?? '', sector: d.sector_code },
    unit: { code: unit?.code ?? '', name: unit?.name ?? '', validFrom: unit?.valid_from ?? '' },
    applicant: {
      fullName: d.applicant_name,
      ...(personal.phone ? { phone: personal.phone } : {}),
      ...(personal.idNumber ? { idNumber: personal.idNumber } : {}),
      ...(personal.address ? { address: personal.address } : {}),
    },
    formData: openFormData(ctx, d.form_data as unknown as Record<string, unknown>),
    submittedAt: toLocalIso(d.submitted_at),
    receivedAt: iso(d.received_at),
    dueAt: iso(d.due_at),
    finishedAt: iso(d.finished_at),
    pausedAt: iso(d.paused_at),
    workingMinutesLeft: workingMinutesLeft(calendar, d, ctx.now()),
    supplementCount: d.supplement_count,
    availableActions: availableActions(status),
    version: d.version,
  };
}

export async function listDossiersFor(ctx: AppContext, actor: Actor, f: DossierListFilter) {
  const db = ctx.db.kysely;
  let roots = rootsFor(actor.officer);
  if (f.unit) {
    const unit = await findUnitByCode(db, f.unit, localDateOf(ctx.now())) ?? (await findUnitVersions(db, f.unit))[0];
    if (!unit) throw notFound('unit.not_found', `no unit ${f.unit}`);
    await requireRoleOnUnit(db, actor.officer, unit.id);
    roots = [unit.id];
  }
  const procedure = f.procedure ? await findProcedureByCode(db, f.procedure) : undefined;
  if (f.procedure && !procedure) throw notFound('procedure.not_found', `no procedure ${f.procedure}`);
  const looksLikeCode = f.q && /^[A-Z0-9.]+-\d{6}-\d{4,}$/.test(f.q.trim());
  const rows = await listDossiers(db, {
    rootUnitIds: roots,
    status: f.status,
    procedureId: procedure?.id,
    channel: f.channel,
    receivedFrom: f.receivedFrom ? new Date(`${f.receivedFrom}T00:00:00+07:00`) : undefined,
    receivedBefore: f.receivedTo ? new Date(new Date(`${f.receivedTo}T00:00:00+07:00`).getTime() + 86_400_000) : undefined,
    code: looksLikeCode ? f.q?.trim() : undefined,
    nameTokens: looksLikeCode || !f.q ? [] : searchTokens(f.q),
    phoneHash: f.phone ? ctx.vault.lookupHash('phone', f.phone) : undefined,
    limit: f.limit,
    offset: f.offset,
  });
  return rows.map((r) => ({
    code: r.code,
    status: r.status,
    channel: r.channel,
    applicantName: r.applicant_name,
    procedure: { code: r.procedure_code, name: r.procedure_name, sector: r.sector_code },
    unit: { code: r.unit_code, name: r.unit_name, validFrom: r.unit_valid_from },
    submittedAt: toLocalIso(r.submitted_at),
    receivedAt: iso(r.received_at),
    dueAt: iso(r.due_at),
    finishedAt: iso(r.finished_at),
  }));
}

export type { OfficerRole };
