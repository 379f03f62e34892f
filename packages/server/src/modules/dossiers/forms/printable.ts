/**
 * Everything a printed form says about one dossier, read in one go and checked for access:
 * the officer needs a role on the dossier's unit. Printing shows the applicant's full record,
 * so each print is audited like a read.
 */
import type { Status } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { notFound } from '../../../http/problem.ts';
import { requireRoleOnUnit } from '../../auth/service.ts';
import { findProcedureById } from '../../procedures/queries.ts';
import { findUnitById, type UnitRecord } from '../../units/queries.ts';
import { RECEIVED_PAPERS_KEY, RESULT_DELIVERY_KEY, type ResultDelivery } from '../counterIntake.ts';
import { listDocuments } from '../documents.ts';
import { findDossierByCode } from '../queries.ts';
import type { Actor } from '../service.ts';
import type { Agency } from './layout.ts';

export interface LoggedStep {
  action: string;
  at: Date;
  by: string | null;
  payload: { reason?: string; note?: string; missingDocuments?: string[] };
}

export interface Printable {
  code: string;
  status: Status;
  channel: number;
  applicant: { fullName: string; phone?: string; idNumber?: string; address?: string };
  procedure: { code: string; name: string; slaValue: number | null; slaUnit: 'working_days' | 'working_hours' | null };
  agency: Agency;
  submittedAt: Date;
  receivedAt: Date | null;
  dueAt: Date | null;
  pausedAt: Date | null;
  papers: string[];
  resultDelivery: ResultDelivery;
  /** Display name of the officer who received the dossier (at the counter or online). */
  receivedBy: string | null;
  log: LoggedStep[];
}

/** The one-stop desk took its present name with the two-level reform of 1 July 2025. */
const REFORM_DAY = new Date('2025-07-01T00:00:00+07:00');
const TYPE_PREFIX = /^(Xã|Phường|Thị trấn|Đặc khu|Thị xã|Thành phố|Huyện|Quận|Tỉnh)\s+/u;

/** "Xã Hưng Phước" → "xã Hưng Phước" in running text; "Hưng Phước" before the date. */
export function agencyOf(unit: Pick<UnitRecord, 'name' | 'level'>, at: Date): Agency {
  const upper = unit.name.toLocaleUpperCase('vi');
  const inText = unit.name.replace(TYPE_PREFIX, (m) => m.toLocaleLowerCase('vi'));
  const modern = at >= REFORM_DAY || unit.level === 'province';
  return {
    parent: `ỦY BAN NHÂN DÂN ${upper}`,
    desk: modern ? 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG' : 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ',
    deskInText: `${modern ? 'Trung tâm Phục vụ hành chính công' : 'Bộ phận Tiếp nhận và Trả kết quả'} ${inText}`,
    bodyInText: `Ủy ban nhân dân ${inText}`,
    place: unit.name.replace(TYPE_PREFIX, ''),
  };
}

/** Villages have no desk of their own: their dossiers are handled by the commune. */
async function deskUnit(ctx: AppContext, unitId: number): Promise<UnitRecord | undefined> {
  const unit = await findUnitById(ctx.db.kysely, unitId);
  if (unit?.level === 'village' && unit.parent_id !== null) return (await findUnitById(ctx.db.kysely, unit.parent_id)) ?? unit;
  return unit;
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function loadPrintable(ctx: AppContext, actor: Actor, code: string): Promise<Printable> {
  const db = ctx.db.kysely;
  const d = await findDossierByCode(db, code);
  if (!d) throw notFound('dossier.not_found', `no dossier ${code}`);
  await requireRoleOnUnit(db, actor.officer, d.unit_id);
  const [unit, procedure, log, documents] = await Promise.all([
    deskUnit(ctx, d.unit_id),
    findProcedureById(db, d.procedure_id),
    db
      .selectFrom('dossier_actions as a')
      .leftJoin('users as u', 'u.id', 'a.actor_id')
      .select(['a.action', 'a.occurred_at', 'a.payload', 'u.display_name'])
      .where('a.dossier_id', '=', d.id)
      .orderBy('a.seq')
      .execute(),
    listDocuments(db, { dossierId: d.id }),
  ]);
  const steps: LoggedStep[] = log.map((a) => ({ action: a.action, at: a.occurred_at, by: a.display_name, payload: (a.payload ?? {}) as LoggedStep['payload'] }));
  const reception = steps.find((s) => s.action === 'receive') ?? (d.channel !== 2 ? steps.find((s) => s.action === 'create') : undefined);
  const formData = (d.form_data ?? {}) as Record<string, unknown>;
  const listed = asStrings(formData[RECEIVED_PAPERS_KEY]);
  const personal = d.applicant_sealed ? ctx.vault.open<{ phone?: string; idNumber?: string; address?: string }>(d.applicant_sealed) : {};
  return {
    code: d.code,
    status: d.status as Status,
    channel: d.channel,
    applicant: { fullName: d.applicant_name, ...personal },
    procedure: { code: procedure?.code ?? '', name: procedure?.name_vi ?? '', slaValue: d.sla_value, slaUnit: d.sla_unit },
    agency: agencyOf(unit ?? { name: '', level: 'commune' }, d.received_at ?? d.submitted_at),
    submittedAt: d.submitted_at,
    receivedAt: d.received_at,
    dueAt: d.due_at,
    pausedAt: d.paused_at,
    // Papers ticked at the counter; for an online dossier, the papers it was sent with.
    papers: listed.length ? listed : documents.map((doc) => doc.label || doc.filename),
    resultDelivery: formData[RESULT_DELIVERY_KEY] === 'post' ? 'post' : 'desk',
    receivedBy: reception?.by ?? null,
    log: steps,
  };
}

/** The latest logged step of a kind (the supplement request or refusal a form is about). */
export function lastStep(p: Printable, action: string): LoggedStep | null {
  return [...p.log].reverse().find((s) => s.action === action) ?? null;
}
