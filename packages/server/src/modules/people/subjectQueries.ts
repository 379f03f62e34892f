/**
 * Every row the platform holds about one person, found by the keyed hashes of their ID number
 * and phone (never by the values: they are sealed). Rows tied to a unit (dossiers, register,
 * blockers) are kept only when the unit is in `scope`; the rest (the account, codes, messages)
 * belongs to the installation. Plain SQL: one read of many tables, each returned as plain rows.
 * The audit look-up scans the trail (no index on entity): seconds on millions of entries, fine
 * for a request that comes a few times a year.
 */
import type { RawClient } from '../../db/database.ts';

export type Row = Record<string, unknown>;

export interface SubjectKeys {
  idHash: string | null;
  phoneHash: string | null;
}

export interface SubjectRows {
  citizens: Row[];
  sessions: Row[];
  signups: Row[];
  otpChallenges: Row[];
  otpSends: Row[];
  signInFailures: Row[];
  staffAccounts: Row[];
  staffSignIns: Row[];
  dossiers: Row[];
  dossierActions: Row[];
  dossierComments: Row[];
  payments: Row[];
  drafts: Row[];
  documents: Row[];
  residents: Row[];
  households: Row[];
  visits: Row[];
  followUps: Row[];
  assisted: Row[];
  blockers: Row[];
  fieldFiles: Row[];
  syncEnvelopes: Row[];
  messages: Row[];
  inboundSms: Row[];
  audit: Row[];
}

const ids = (rows: Row[], key = 'id'): unknown[] => [...new Set(rows.map((r) => r[key]).filter((v) => v !== null && v !== undefined))];

/** `inScope(unitId)`: null unit (portal blockers, drafts without a commune yet) always passes. */
export async function readSubjectRows(c: RawClient, keys: SubjectKeys, inScope: (unitId: unknown) => boolean, audits: { entityIds: string[] }): Promise<SubjectRows> {
  const scoped = (rows: Row[]) => rows.filter((r) => r.unit_id === null || r.unit_id === undefined || inScope(r.unit_id));
  const given = { id: keys.idHash ? [keys.idHash] : [], phone: keys.phoneHash ? [keys.phoneHash] : [] };
  const citizens = await c.query(
    `SELECT id, id_hash, phone_hash, full_name, id_sealed, birth_date_sealed, phone_sealed, phone_ownership, phone_checked_by, phone_checked_at,
            password_hash IS NOT NULL AS has_password, failed_logins, locked_until, preferred_lang, created_at
       FROM citizens WHERE id_hash = ANY($1::text[]) OR phone_hash = ANY($2::text[]) ORDER BY id`,
    [given.id, given.phone],
  );
  // The account's ID number and phone were checked when it was opened (the phone against the
  // telecom register), so they are this person's too: an export by ID number also finds the
  // texts sent to their phone. Numbers on dossiers or in registers are not followed: they may
  // be a relative's or a team member's.
  const idh = [...new Set([...given.id, ...citizens.map((r) => String(r.id_hash))])];
  const ph = [...new Set([...given.phone, ...citizens.map((r) => String(r.phone_hash))])];
  const citizenIds = ids(citizens);
  const sessions = await c.query(`SELECT created_at, expires_at, last_seen_at, ip, user_agent FROM sessions WHERE citizen_id = ANY($1::int[]) ORDER BY created_at`, [citizenIds]);
  const signups = await c.query(`SELECT id, register, duplicate, lang, verified_at, completed_at, created_at, expires_at FROM signups WHERE id_hash = ANY($1::text[]) OR phone_hash = ANY($2::text[]) ORDER BY id`, [idh, ph]);
  const otpChallenges = await c.query(
    `SELECT id, purpose, sends, tries_left, last_sent_at, used_at, expires_at, created_at FROM otp_challenges WHERE phone_hash = ANY($1::text[]) OR citizen_id = ANY($2::int[]) ORDER BY id`,
    [ph, citizenIds],
  );
  const otpSends = await c.query(`SELECT purpose, ip, sent_at FROM otp_sends WHERE phone_hash = ANY($1::text[]) ORDER BY id`, [ph]);
  const signInFailures = await c.query(`SELECT failures, locked_until, updated_at FROM sign_in_failures WHERE phone_hash = ANY($1::text[])`, [ph]);

  // A team member or officer whose work phone is this number.
  const staffAccounts = await c.query(
    `SELECT u.id, u.username, u.display_name, u.email, u.active, u.created_at,
            coalesce((SELECT json_agg(json_build_object('role', r.role, 'unit', un.name) ORDER BY r.role, un.name)
                        FROM user_roles r JOIN units un ON un.id = r.unit_id WHERE r.user_id = u.id), '[]') AS roles
       FROM users u WHERE u.phone_hash = ANY($1::text[]) ORDER BY u.id`,
    [ph],
  );
  const staffSignIns = await c.query(`SELECT user_id, at, outcome, ip, user_agent FROM officer_sign_ins WHERE user_id = ANY($1::int[]) ORDER BY at`, [ids(staffAccounts)]);

  const dossiers = scoped(
    await c.query(
      `SELECT d.id, d.code, d.unit_id, un.name AS unit_name, p.code AS procedure_code, p.name_vi AS procedure_name, d.channel, d.status,
              d.applicant_name, d.applicant_sealed, d.form_data, d.submitted_at, d.received_at, d.due_at, d.finished_at, d.source,
              d.assist_mode, d.created_at, d.updated_at
         FROM dossiers d JOIN units un ON un.id = d.unit_id JOIN procedures p ON p.id = d.procedure_id
        WHERE d.applicant_id_hash = ANY($1::text[]) OR d.applicant_phone_hash = ANY($2::text[]) OR d.citizen_id = ANY($3::int[])
        ORDER BY d.id`,
      [idh, ph, citizenIds],
    ),
  );
  const dossierIds = ids(dossiers);
  const dossierActions = await c.query(
    `SELECT a.dossier_id, a.seq, a.action, a.from_status, a.to_status, a.actor_role, a.occurred_at, a.payload
       FROM dossier_actions a WHERE a.dossier_id = ANY($1::bigint[]) ORDER BY a.dossier_id, a.seq`,
    [dossierIds],
  );
  const dossierComments = await c.query(`SELECT dossier_id, body, created_at FROM dossier_comments WHERE dossier_id = ANY($1::bigint[]) ORDER BY id`, [dossierIds]);
  const payments = await c.query(
    `SELECT dossier_id, reference, amount::text AS amount, status, method, gateway, provider_txn, receipt_no, refund_due, created_at, paid_at
       FROM payments WHERE dossier_id = ANY($1::bigint[]) OR citizen_id = ANY($2::int[]) ORDER BY id`,
    [dossierIds, citizenIds],
  );
  const drafts = await c.query(
    `SELECT dr.id, p.code AS procedure_code, p.name_vi AS procedure_name, dr.unit_id, dr.answers, dr.answers_sealed, dr.current_step,
            dr.submitted_dossier_id, dr.submitted_at, dr.created_at, dr.updated_at
       FROM drafts dr JOIN procedures p ON p.id = dr.procedure_id WHERE dr.citizen_id = ANY($1::int[]) ORDER BY dr.id`,
    [citizenIds],
  );
  const documents = await c.query(
    `SELECT id, dossier_id, draft_id, kind, label, filename, content_type, byte_size, sha256, data, created_at
       FROM documents WHERE dossier_id = ANY($1::bigint[]) OR draft_id = ANY($2::bigint[]) ORDER BY id`,
    [dossierIds, ids(drafts)],
  );

  const residents = scoped(
    await c.query(
      `SELECT r.id, r.household_id, r.unit_id, un.name AS unit_name, r.version, r.data, r.personal_sealed, r.created_at, r.updated_at
         FROM residents r JOIN units un ON un.id = r.unit_id
        WHERE r.id_hash = ANY($1::text[]) OR r.phone_hashes && $2::text[] ORDER BY r.created_at, r.id`,
      [idh, ph],
    ),
  );
  const residentIds = ids(residents);
  const householdIds = ids(residents, 'household_id');
  const households = await c.query(`SELECT id, unit_id, version, data, created_at, updated_at FROM households WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [householdIds]);
  // Visits to the person, and visits to their household that name no one in particular.
  const visits = await c.query(
    `SELECT id, household_id, resident_id, unit_id, actions, notes, photo_sha256, occurred_at, received_at FROM visits
      WHERE resident_id = ANY($1::uuid[]) OR (resident_id IS NULL AND household_id = ANY($2::uuid[])) ORDER BY occurred_at`,
    [residentIds, householdIds],
  );
  const blockers = scoped(
    await c.query(
      `SELECT id, unit_id, kind, source, status, note, register, person_sealed, occurrences, created_at, last_seen_at, resolved_at, resolution
         FROM blockers WHERE id_hash = ANY($1::text[]) OR phone_hash = ANY($2::text[]) OR resident_id = ANY($3::uuid[]) ORDER BY id`,
      [idh, ph, residentIds],
    ),
  );
  const followUps = await c.query(
    `SELECT id, unit_id, household_id, resident_id, blocker_id, due_date::text AS due_date, note, created_at, done_at, done_note FROM follow_ups
      WHERE resident_id = ANY($1::uuid[]) OR blocker_id = ANY($2::bigint[]) ORDER BY created_at`,
    [residentIds, ids(blockers)],
  );
  const assisted = await c.query(
    `SELECT a.id, a.dossier_id, a.mode, a.consent_sealed, a.consent_photo, a.occurred_at FROM assisted_applications a
      WHERE a.resident_id = ANY($1::uuid[]) OR a.dossier_id = ANY($2::bigint[]) ORDER BY a.occurred_at`,
    [residentIds, dossierIds],
  );
  const photoShas = [...ids(visits, 'photo_sha256'), ...ids(assisted, 'consent_photo')];
  const fieldFiles = await c.query(`SELECT sha256, type, bytes, data, uploaded_at FROM field_files WHERE sha256 = ANY($1::text[]) ORDER BY sha256`, [photoShas]);
  const syncEnvelopes = await c.query(
    `SELECT id, entity, entity_id, op, occurred_at, received_at, result, payload_sealed FROM sync_envelopes
      WHERE entity_id = ANY($1::uuid[]) ORDER BY received_at, id`,
    [[...residentIds, ...householdIds, ...ids(visits)]],
  );

  const messages = await c.query(
    `SELECT id, channel, recipient_sealed, subject, body, purpose, status, created_at, sent_at, delivered_at FROM notify_outbox
      WHERE recipient_hash = ANY($1::text[]) OR citizen_id = ANY($2::int[]) OR dossier_id = ANY($3::bigint[]) ORDER BY id`,
    [ph, citizenIds, dossierIds],
  );
  const inboundSms = await c.query(`SELECT id, sender_sealed, to_number, body, command, outcome, received_at FROM sms_inbound WHERE sender_hash = ANY($1::text[]) ORDER BY id`, [ph]);

  const entityIds = [
    ...citizenIds.map((id) => `citizen:${String(id)}`),
    ...dossiers.map((d) => `dossier:${String(d.code)}`),
    ...ids(drafts).map((id) => `draft:${String(id)}`),
    ...residentIds.map((id) => `resident:${String(id)}`),
    ...householdIds.map((id) => `household:${String(id)}`),
    ...ids(blockers).map((id) => `blocker:${String(id)}`),
    ...audits.entityIds,
  ];
  const audit = await c.query(
    `SELECT at, action, entity, entity_id, actor_id IS NOT NULL AS by_officer FROM audit_log
      WHERE entity || ':' || coalesce(entity_id, '') = ANY($1::text[]) ORDER BY id`,
    [entityIds],
  );

  return {
    citizens,
    sessions,
    signups,
    otpChallenges,
    otpSends,
    signInFailures,
    staffAccounts,
    staffSignIns,
    dossiers,
    dossierActions,
    dossierComments,
    payments,
    drafts,
    documents,
    residents,
    households,
    visits,
    followUps,
    assisted,
    blockers,
    fieldFiles,
    syncEnvelopes,
    messages,
    inboundSms,
    audit,
  };
}
