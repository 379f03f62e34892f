/** What the outside world may send about dossiers, validated with zod; the OpenAPI document is generated from these. */
import { z } from 'zod';
import { ACTIONS, STATUSES } from '@causo/domain';

export const TransactionId = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only (a UUID is ideal)')
  .describe('Client-generated id of this write; sending the same id again applies it once.');

const IsoInstant = z.iso.datetime({ offset: true }).describe('ISO 8601 with offset, e.g. 2022-08-29T09:15:00+07:00');

export const ApplicantInput = z.object({
  fullName: z.string().trim().min(1).max(200),
  phone: z.string().regex(/^(\+?84|0)\d{9,10}$/, 'a Vietnamese phone number such as 0912345678').optional(),
  idNumber: z.string().regex(/^\d{12}$/, '12 digits (CCCD)').optional(),
  address: z.string().max(500).optional(),
});

export const CreateDossierBody = z.object({
  transactionId: TransactionId,
  procedureCode: z.string().regex(/^\d\.\d{6}$/, 'a national procedure code such as 1.001193'),
  unitCode: z.string().min(2).max(20),
  channel: z.union([z.literal(1), z.literal(2), z.literal(3)]).describe('1 counter, 2 online, 3 post'),
  applicant: ApplicantInput,
  formData: z.record(z.string(), z.unknown()).default({}),
  occurredAt: IsoInstant.optional().describe('When it happened at the counter or on the device; defaults to now.'),
});
export type CreateDossierInput = z.infer<typeof CreateDossierBody>;

export const ActionBody = z.object({
  action: z.enum(ACTIONS),
  transactionId: TransactionId,
  occurredAt: IsoInstant.optional(),
  reason: z.string().trim().min(1).max(2000).optional(),
  missingDocuments: z.array(z.string().trim().min(1).max(300)).min(1).max(50).optional(),
  note: z.string().max(2000).optional(),
  resultDocument: z.string().max(300).optional(),
});
export type ActionInput = z.infer<typeof ActionBody>;

export const DossierListQuery = z.object({
  unit: z.string().optional().describe('unit code: dossiers of its whole subtree'),
  status: z.coerce.number().int().refine((s) => (STATUSES as readonly number[]).includes(s), 'a status from 1 to 10').optional(),
  procedure: z.string().optional(),
  channel: z.coerce.number().int().min(1).max(3).optional(),
  receivedFrom: z.iso.date().optional(),
  receivedTo: z.iso.date().optional(),
  q: z.string().max(100).optional().describe('code, or applicant name (diacritics ignored)'),
  phone: z.string().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type DossierListFilter = z.infer<typeof DossierListQuery>;

export const DossierCodeParam = z.object({ code: z.string().min(5).max(60) });

const ActionLogEntry = z.object({
  seq: z.number(),
  action: z.string(),
  fromStatus: z.number().nullable(),
  toStatus: z.number(),
  actor: z.string().nullable(),
  actorRole: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  transactionId: z.string(),
  payload: z.record(z.string(), z.unknown()),
});

export const DossierView = z.object({
  code: z.string(),
  status: z.number(),
  statusName: z.object({ vi: z.string(), en: z.string() }),
  channel: z.number(),
  procedure: z.object({ code: z.string(), name: z.string(), sector: z.string() }),
  unit: z.object({ code: z.string(), name: z.string(), validFrom: z.string() }),
  applicant: z.object({ fullName: z.string(), phone: z.string().optional(), idNumber: z.string().optional(), address: z.string().optional() }),
  formData: z.record(z.string(), z.unknown()),
  submittedAt: z.string(),
  receivedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  pausedAt: z.string().nullable(),
  workingMinutesLeft: z.number().nullable().describe('working minutes until the due date (negative when overdue); null when not running'),
  supplementCount: z.number(),
  availableActions: z.array(z.enum(ACTIONS)),
  version: z.number(),
  replayed: z.boolean().optional(),
  actions: z.array(ActionLogEntry).optional(),
});
export type DossierViewT = z.infer<typeof DossierView>;

export const DossierSummary = DossierView.pick({
  code: true,
  status: true,
  channel: true,
  procedure: true,
  unit: true,
  submittedAt: true,
  receivedAt: true,
  dueAt: true,
  finishedAt: true,
}).extend({ applicantName: z.string() });
