import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, makeOfficer, testContext, txid } from '../support/fixtures.ts';
import { createDossier } from '../../src/modules/dossiers/service.ts';
import { queueMessage } from '../../src/modules/notify/outbox.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { RETENTION_KINDS, claimRetentionDay, runRetentionPolicy, type KindResult } from '../../src/ops/retention.ts';
import { recipientOf } from '../../src/modules/notify/outbox.ts';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-25T02:00:00Z');
const old = (days: number) => new Date(NOW.getTime() - days * DAY);

/** Rows per table (and blanked contents) that the policy looks at, to compare before and after. */
interface Census {
  [table: string]: number;
  sessions: number;
  outbox_with_body: number;
  documents: number;
  dossiers: number;
  ii06a_received: number;
}

async function census(db: Db): Promise<Census> {
  const rows = await db.raw((c) =>
    c.query<Census>(
      `SELECT (SELECT count(*)::int FROM sessions) AS sessions, (SELECT count(*)::int FROM officer_sign_ins) AS officer_sign_ins,
              (SELECT count(*)::int FROM otp_challenges) AS otp_challenges, (SELECT count(*)::int FROM otp_sends) AS otp_sends,
              (SELECT count(*)::int FROM signups) AS signups, (SELECT count(*)::int FROM lookup_attempts) AS lookup_attempts,
              (SELECT count(*)::int FROM sign_in_failures) AS sign_in_failures,
              (SELECT count(*)::int FROM notify_outbox) AS outbox, (SELECT count(*)::int FROM notify_outbox WHERE body <> '') AS outbox_with_body,
              (SELECT count(*)::int FROM sms_inbound) AS inbound, (SELECT count(*)::int FROM sms_inbound WHERE body <> '') AS inbound_with_body,
              (SELECT count(*)::int FROM drafts) AS drafts, (SELECT count(*)::int FROM documents) AS documents,
              (SELECT count(*)::int FROM sync_envelopes) AS envelopes, (SELECT count(*)::int FROM sync_envelopes WHERE payload_sealed <> '') AS envelopes_with_payload,
              (SELECT count(*)::int FROM dossiers) AS dossiers, (SELECT count(*)::int FROM dossier_actions) AS dossier_actions,
              (SELECT coalesce(sum(received_online + received_direct), 0)::int FROM ii06a_counters) AS ii06a_received`,
    ),
  );
  const row = rows[0];
  if (!row) throw new Error('no census');
  return row;
}

async function seedOldAndRecent(ctx: AppContext & { clock: TestClock }): Promise<{ citizenId: number }> {
  const db = ctx.db;
  const officer = await makeOfficer(db, [{ role: 'officer', unitCode: '25312' }]);
  // A dossier from years ago: kept under archival rules, with its counters.
  ctx.clock.set('2022-08-15T09:00:00+07:00');
  await createDossier(ctx, officer, { transactionId: txid(), procedureCode: '1.001193', unitCode: '25312', channel: 1, applicant: { fullName: 'Điểu Thị Lan', phone: '0912345678' }, formData: {} });
  ctx.clock.current = NOW;
  const procedureId = (await db.kysely.selectFrom('procedures').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  const phoneHash = ctx.vault.lookupHash('phone', '0912345678');
  const { id: citizenId } = await db.kysely
    .insertInto('citizens')
    .values({ id_hash: 'h-id', id_sealed: ctx.vault.seal({}), full_name: 'Lan', birth_date_sealed: ctx.vault.seal({}), phone_hash: phoneHash, phone_sealed: ctx.vault.seal({ phone: '0912345678' }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const deviceId = randomUUID();
  await db.transaction(async (trx) => {
    for (const [at, label] of [[old(400), 'old'], [old(1), 'recent']] as const) {
      await createSession(trx, { userId: officer.officer.id }, { ttlHours: 12, ip: null, userAgent: label, now: label === 'old' ? at : NOW });
      await trx.insertInto('officer_sign_ins').values({ user_id: officer.officer.id, at, outcome: 'success' }).execute();
      await queueMessage(trx, ctx.vault, { to: '0912345678', text: `tin ${label}`, purpose: 'dossier_submitted', at });
    }
  });
  await db.raw(async (c) => {
    // Both messages went out; the old one is past RETENTION_MESSAGE_DAYS (180).
    await c.query(`UPDATE notify_outbox SET status = 'delivered', sent_at = created_at, delivered_at = created_at`);
    await c.query(`UPDATE notify_outbox SET created_at = $1 WHERE body = 'tin old'`, [old(200)]);
    for (const [at, tag] of [[old(40), 'old'], [old(1), 'new']] as const) {
      const signup = await c.query<{ id: number }>(
        `INSERT INTO signups (token_hash, id_hash, phone_hash, person_sealed, register, created_at, expires_at) VALUES ($1, 'x', $2, 'v1.x', 'simulator', $3, $4) RETURNING id`,
        [`tok-${tag}`, phoneHash, at, new Date(at.getTime() + 3_600_000)],
      );
      await c.query(
        `INSERT INTO otp_challenges (purpose, signup_id, phone_hash, phone_sealed, code_hash, expires_at, last_sent_at, created_at) VALUES ('sign_up', $1, $2, 'v1.x', 'c', $3, $4, $4)`,
        [signup[0]?.id, phoneHash, new Date(at.getTime() + 300_000), at],
      );
      await c.query(`INSERT INTO otp_sends (phone_hash, ip, purpose, sent_at) VALUES ($1, '10.0.0.1', 'sign_up', $2)`, [phoneHash, at]);
      await c.query(`INSERT INTO lookup_attempts (scope, key_hash, window_start, hits) VALUES ('track', $1, $2, 3)`, [`k-${tag}`, at]);
      await c.query(`INSERT INTO sign_in_failures (phone_hash, failures, updated_at) VALUES ($1, 2, $2)`, [`p-${tag}`, at]);
      await c.query(`INSERT INTO sms_inbound (sender_sealed, sender_hash, to_number, body, command, outcome, received_at) VALUES ($1, $2, '8088', $3, 'lookup', 'answered', $4)`, [
        ctx.vault.seal({ phone: '0912345678' }),
        phoneHash,
        `HS ${tag}`,
        tag === 'old' ? old(200) : at,
      ]);
      // A draft never sent, with a paper uploaded for it.
      const draft = await c.query<{ id: number }>(`INSERT INTO drafts (citizen_id, procedure_id, submit_transaction_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`, [
        citizenId,
        procedureId,
        txid(),
        tag === 'old' ? old(200) : at,
      ]);
      const bytes = Buffer.from(`giấy ${tag}`);
      await c.query(`INSERT INTO documents (draft_id, kind, filename, content_type, byte_size, sha256, data, uploaded_by_citizen) VALUES ($1, 'other', 'a.pdf', 'application/pdf', $2, $3, $4, $5)`, [
        draft[0]?.id,
        bytes.length,
        createHash('sha256').update(bytes).digest('hex'),
        bytes,
        citizenId,
      ]);
    }
    await c.query(`INSERT INTO devices (id, user_id, registered_at, last_seen_at) VALUES ($1, $2, $3, $3)`, [deviceId, officer.officer.id, old(200)]);
    for (const [at, tag] of [[old(100), 'old'], [old(1), 'new']] as const)
      await c.query(
        `INSERT INTO sync_envelopes (id, device_id, member_id, entity, entity_id, op, occurred_at, received_at, payload_hash, content_hash, result, payload_sealed)
         VALUES ($1, $2, $3, 'visit', $4, 'create', $5, $5, $6, $6, 'accepted', $7)`,
        [randomUUID(), deviceId, officer.officer.id, randomUUID(), at, `h-${tag}`, ctx.vault.seal({ notes: tag })],
      );
  });
  return { citizenId };
}

describeEachEngine('retention of personal data', (env) => {
  let ctx: AppContext & { clock: TestClock };
  const oldMessages = async () =>
    (await env.db.raw((c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM notify_outbox WHERE body <> '' AND status = 'delivered' AND created_at < $1`, [old(180)])))[0]?.n ?? -1;

  it('has old and recent rows of every kind, and a dossier', async () => {
    ctx = testContext(env.db, new TestClock(NOW));
    await seedOldAndRecent(ctx);
  });

  it('counts in a dry run and changes nothing', async () => {
    const before = await census(env.db);
    const auditBefore = await env.db.kysely.selectFrom('audit_log').select('id').execute();
    const results = await runRetentionPolicy(ctx, { apply: false });
    assert.deepEqual(
      results.map((r) => r.kind),
      [...RETENTION_KINDS],
    );
    const rows = (k: string) => results.find((r) => r.kind === k)?.rows;
    assert.ok((rows('sessions')?.sessions ?? 0) >= 1, 'the session that expired a year ago');
    assert.deepEqual(rows('sign_in_log'), { officer_sign_ins: 1 });
    assert.deepEqual(rows('otp'), { otp_challenges: 1, signups: 1, otp_sends: 1, sign_in_failures: 1, lookup_attempts: 1 });
    // The old message, and the one the 2022 dossier sent.
    assert.deepEqual(rows('message_contents'), { notify_outbox: await oldMessages() });
    assert.ok((await oldMessages()) >= 1);
    assert.deepEqual(rows('inbound_sms'), { sms_inbound: 1 });
    assert.deepEqual(rows('drafts'), { drafts: 1, documents: 1 });
    assert.deepEqual(rows('sync_payloads'), { 'sync_envelopes.payload': 1 });
    assert.deepEqual(await census(env.db), before);
    assert.equal((await env.db.kysely.selectFrom('audit_log').select('id').execute()).length, auditBefore.length, 'a dry run writes no audit entry');
  });

  let applied: KindResult[];
  it('removes or blanks the old rows in batches, keeps recent rows, dossiers and counters', async () => {
    const before = await census(env.db);
    const oldMessagesBefore = await oldMessages();
    applied = await runRetentionPolicy(ctx, { apply: true, batchSize: 1 });
    const after = await census(env.db);
    const sessionsGone = applied.find((r) => r.kind === 'sessions')?.rows.sessions ?? 0;
    assert.deepEqual(after, {
      ...before,
      sessions: before.sessions - sessionsGone,
      officer_sign_ins: 1,
      otp_challenges: 1,
      otp_sends: 1,
      signups: 1,
      lookup_attempts: 1,
      sign_in_failures: 1,
      outbox_with_body: before.outbox_with_body - oldMessagesBefore,
      inbound_with_body: 1,
      drafts: 1,
      documents: before.documents - 1,
      envelopes_with_payload: 1,
    });
    assert.equal(after.dossiers, 1);
    assert.ok(after.ii06a_received >= 1);
    // The status row of the old message stays for statistics, with nobody and nothing in it.
    assert.equal(await oldMessages(), 0);
    const oldMessage = await env.db.kysely.selectFrom('notify_outbox').selectAll().where('body', '=', '').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.equal(oldMessage.status, 'delivered');
    assert.equal(oldMessage.recipient_hash, '');
    assert.equal(recipientOf(ctx.vault, oldMessage.recipient_sealed), '', 'the operator page can still read the row');
    const recent = await env.db.kysely.selectFrom('notify_outbox').selectAll().where('body', '=', 'tin recent').executeTakeFirstOrThrow();
    assert.equal(recipientOf(ctx.vault, recent.recipient_sealed), '0912345678');
    assert.equal((await env.db.kysely.selectFrom('sessions').select('user_agent').where('expires_at', '>', NOW).execute()).length, 1);
  });

  it('audits one entry per kind with the counts, and a second run finds nothing', async () => {
    const entries = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'retention.purge').orderBy('id').execute();
    assert.deepEqual(
      entries.map((e) => e.entity_id),
      [...RETENTION_KINDS],
    );
    const drafts = entries.find((e) => e.entity_id === 'drafts')?.detail as { rows: Record<string, number>; days: number };
    assert.deepEqual(drafts.rows, { drafts: 1, documents: 1 });
    assert.equal(drafts.days, 180);
    const again = await runRetentionPolicy(ctx, { apply: true });
    for (const r of again) assert.ok(Object.values(r.rows).every((n) => n === 0), `${r.kind}: ${JSON.stringify(r.rows)}`);
  });

  it('lets one app server claim each day of the daily run', async () => {
    assert.equal(await claimRetentionDay(ctx, '2026-11-24'), true);
    assert.equal(await claimRetentionDay(ctx, '2026-11-24'), false, 'a second server the same day');
    assert.equal(await claimRetentionDay(ctx, '2026-11-23'), false, 'an earlier day once a later one ran');
    assert.equal(await claimRetentionDay(ctx, '2026-11-25'), true);
  });

  it('follows the configured periods', async () => {
    ctx.config = { ...ctx.config, RETENTION_SIGNIN_LOG_DAYS: 30 };
    const dry = await runRetentionPolicy(ctx, { apply: false, kinds: ['sign_in_log'] });
    assert.deepEqual(dry[0]?.rows, { officer_sign_ins: 0 });
    ctx.clock.current = new Date(NOW.getTime() + 40 * DAY);
    const later = await runRetentionPolicy(ctx, { apply: false, kinds: ['sign_in_log'] });
    assert.deepEqual(later[0]?.rows, { officer_sign_ins: 1 });
  });
});
