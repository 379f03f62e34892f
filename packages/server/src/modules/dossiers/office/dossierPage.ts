/**
 * Everything the back-office dossier page shows, gathered in one place: the full dossier (an
 * audited read, through `getDossier`), its form answers opened, papers, who it is assigned to,
 * the office's comments, and the actions this officer may take now: the state machine's
 * allowed actions that one of the officer's roles on the dossier's unit may take.
 */
import { messagesOfDossier, type DossierMessage } from '../../notify/dossierMessages.tsx';
import { availableActions, roleMayTake, type Action, type FormFieldDef, type Status } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { notFound } from '../../../http/problem.ts';
import { rolesOnUnit, type OfficerRole } from '../../auth/service.ts';
import { findProcedureByCode } from '../../procedures/queries.ts';
import { listDocuments, type DocumentInfo } from '../documents.ts';
import { openFormData } from '../formData.ts';
import { findDossierByCode } from '../queries.ts';
import type { DossierViewT } from '../schema.ts';
import { getDossier, type Actor } from '../service.ts';
import { ASSIGNER_ROLES, assignmentHistory, specialistsFor, type AssignmentEntry, type Person } from './assignments.ts';
import { listComments, type DossierComment } from './comments.ts';

export interface OfficeDossier {
  view: DossierViewT;
  id: number;
  form: FormFieldDef[];
  procedureName: { vi: string; en: string };
  answers: Record<string, unknown>;
  documents: DocumentInfo[];
  roles: OfficerRole[];
  actions: Action[];
  canAssign: boolean;
  specialists: Person[];
  assignments: AssignmentEntry[];
  comments: DossierComment[];
  minutesPerDay: number;
  overdue: boolean;
  /** An assisted application (hỗ trợ nộp hồ sơ): the team member who helped, and how. */
  assisted: { by: string; mode: 'on_behalf' | 'alongside' } | null;
  /** SMS and e-mail sent about the dossier, with their delivery status. */
  messages: DossierMessage[];
}

/** The actions the state machine allows in `status` that one of `roles` may take. */
export function actionsFor(roles: readonly OfficerRole[], status: Status): Action[] {
  return availableActions(status).filter((a) => roles.some((r) => roleMayTake(r, a)));
}

const ASSIGNABLE = new Set([1, 2, 4, 5, 6]);

export async function loadOfficeDossier(ctx: AppContext, actor: Actor, code: string): Promise<OfficeDossier> {
  // getDossier checks the officer's role on the dossier's unit and audits the read.
  const view = await getDossier(ctx, actor, code, { withLog: true });
  const db = ctx.db.kysely;
  const record = await findDossierByCode(db, code);
  if (!record) throw notFound('dossier.not_found', `no dossier ${code}`);
  const [procedure, documents, roles, specialists, assignments, comments, calendar, helper, messages] = await Promise.all([
    findProcedureByCode(db, view.procedure.code),
    listDocuments(db, { dossierId: record.id }),
    rolesOnUnit(db, actor.officer, record.unit_id),
    specialistsFor(db, record.unit_id),
    assignmentHistory(db, record.id),
    listComments(db, record.id),
    ctx.calendar.calendar(),
    record.assisted_by === null ? Promise.resolve(undefined) : db.selectFrom('users').select('display_name').where('id', '=', record.assisted_by).executeTakeFirst(),
    messagesOfDossier(db, record.id),
  ]);
  const status = view.status as Status;
  return {
    view,
    id: record.id,
    form: Array.isArray(procedure?.form) ? (procedure.form as FormFieldDef[]) : [],
    procedureName: { vi: procedure?.name_vi ?? view.procedure.name, en: procedure?.name_en ?? view.procedure.name },
    answers: openFormData(ctx, view.formData),
    documents,
    roles,
    actions: actionsFor(roles, status),
    canAssign: ASSIGNABLE.has(status) && roles.some((r) => ASSIGNER_ROLES.includes(r)),
    specialists,
    assignments,
    comments,
    minutesPerDay: calendar.minutesPerDay,
    overdue: view.workingMinutesLeft !== null && view.workingMinutesLeft < 0 && status !== 5,
    assisted: helper && record.assist_mode ? { by: helper.display_name, mode: record.assist_mode } : null,
    messages,
  };
}
