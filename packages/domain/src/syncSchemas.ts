/**
 * The zod schemas of the field sync protocol (docs/sync.md): what the server checks every
 * envelope against. Kept apart from sync.ts so the field app, which imports only the plain
 * helpers and the types, does not bundle zod.
 */
import { z } from 'zod';
import { BLOCKER_REASONS, ENTITIES, MAX_PUSH_BATCH, SIM_OWNERSHIP, UUID, VISIT_ACTIONS } from './sync.ts';

const uuid = z.string().regex(UUID, 'sync.uuid');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'sync.date');
const text = (max: number) => z.string().trim().max(max);

/** The digital-readiness checklist of an adult; null means "not asked yet". */
export const readinessSchema = z.object({
  smartphone: z.boolean().nullable(),
  simOwnership: z.enum(SIM_OWNERSHIP),
  coverageAtHome: z.boolean().nullable(),
  vneidLevel: z.union([z.literal(0), z.literal(1), z.literal(2)]).nullable(),
  publicServiceAccount: z.boolean().nullable(),
  walletOrBank: z.boolean().nullable(),
  appliedAlone: z.boolean().nullable(),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** Household fields a phone may set; an update carries only the fields it changed. */
export const householdFields = z.object({
  villageCode: z.string().regex(/^\d{5}-\d{2}$/, 'sync.village'),
  headName: text(100).min(2),
  address: text(200),
  note: text(500),
});
export type HouseholdFields = z.infer<typeof householdFields>;

export const residentFields = z.object({
  householdId: uuid,
  fullName: text(100).min(2),
  birthYear: z.number().int().min(1900).max(2100).nullable(),
  birthDate: localDate.nullable(),
  sex: z.enum(['male', 'female']).nullable(),
  ethnicity: text(40),
  idNumber: z.string().regex(/^\d{12}$/, 'sync.id_number').nullable(),
  phones: z.array(z.string().regex(/^0\d{9}$/, 'sync.phone')).max(3),
  relation: text(40),
  ...readinessSchema.shape,
});
export type ResidentFields = z.infer<typeof residentFields>;

/** A photo taken on the phone, uploaded separately (PUT /api/v1/sync/files/:sha256) before the envelope. */
export const fileRef = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  type: z.enum(['image/jpeg', 'image/webp', 'image/png']),
  bytes: z.number().int().positive().max(2_000_000),
});
export type FileRef = z.infer<typeof fileRef>;

export const visitPayload = z.object({
  residentId: uuid.nullable(),
  householdId: uuid,
  actions: z.array(z.enum(VISIT_ACTIONS)).min(1).max(VISIT_ACTIONS.length),
  notes: text(1000),
  photo: fileRef.nullable(),
});
export type VisitPayload = z.infer<typeof visitPayload>;
export const blockerPayload = z.object({
  residentId: uuid.nullable(),
  householdId: uuid,
  reason: z.enum(BLOCKER_REASONS),
  note: text(1000),
});
export const blockerResolutionPayload = z.object({ blockerId: z.string().min(1).max(40), how: text(500).min(2) });
export const followUpPayload = z.object({
  blockerId: z.string().min(1).max(40).nullable(),
  householdId: uuid,
  residentId: uuid.nullable(),
  dueDate: localDate,
  assigneeId: z.number().int().positive(),
  note: text(500),
});
export const followUpDonePayload = z.object({ followUpId: uuid, note: text(500) });

export const consentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('checkbox'), agreed: z.literal(true), name: text(100).min(2) }),
  z.object({ kind: z.literal('photo'), photo: fileRef }),
]);
export const applicationPayload = z.object({
  residentId: uuid,
  procedureCode: z.string().min(1).max(20),
  /** Answers by question key, as the portal's form runner stores them. */
  answers: z.record(z.string().max(60), z.unknown()),
  consent: consentSchema,
  mode: z.enum(['on_behalf', 'alongside']),
});

type EditableEntityName = 'household' | 'resident';
const envelopeBase = {
  id: uuid,
  deviceId: uuid,
  memberId: z.number().int().positive(),
  entityId: uuid,
  occurredAt: z.iso.datetime({ offset: true }),
  payloadHash: z.string().regex(/^[0-9a-f]{64}$/),
};
const edit = <E extends EditableEntityName, S extends z.ZodObject>(entity: E, fields: S) => [
  z.object({ ...envelopeBase, entity: z.literal(entity), op: z.literal('create'), baseVersion: z.null(), payload: fields }),
  z.object({ ...envelopeBase, entity: z.literal(entity), op: z.literal('update'), baseVersion: z.number().int().positive(), payload: fields.partial() }),
] as const;
const append = <E extends Exclude<(typeof ENTITIES)[number], EditableEntityName>, S extends z.ZodType>(entity: E, payload: S) =>
  z.object({ ...envelopeBase, entity: z.literal(entity), op: z.literal('append'), baseVersion: z.null(), payload });

/** The loose outer shape: enough to answer for an envelope even when its payload is wrong. */
export const envelopeHeader = z.object({ ...envelopeBase, entity: z.enum(ENTITIES), op: z.enum(['create', 'update', 'append']), baseVersion: z.number().int().positive().nullable(), payload: z.record(z.string(), z.unknown()) });
export type EnvelopeHeader = z.infer<typeof envelopeHeader>;

export const envelopeSchema = z.union([
  ...edit('household', householdFields),
  ...edit('resident', residentFields),
  append('visit', visitPayload),
  append('blocker', blockerPayload),
  append('blocker_resolution', blockerResolutionPayload),
  append('follow_up', followUpPayload),
  append('follow_up_done', followUpDonePayload),
  append('application', applicationPayload),
]);
export type Envelope = z.infer<typeof envelopeSchema>;

export const pushRequest = z.object({ deviceId: uuid, envelopes: z.array(z.unknown()).min(1).max(MAX_PUSH_BATCH) });
