/**
 * Thời hạn lưu trữ (retention): personal data that serves no record is removed once its
 * period (RETENTION_* in config.ts; table in docs/security.md) has passed. Dossiers, their log,
 * papers and payments, the II.06a counters and the audit trail are records kept under archival
 * rules and are never touched here; message and sync rows are kept for statistics and
 * idempotency with their personal content blanked.
 *
 * Each kind is a few steps; each step runs in batches, one transaction per batch, so a large
 * first run never holds locks for long. A run with `apply` writes one audit entry per kind with
 * the rows removed or blanked per table; a dry run only counts and changes nothing.
 */
import { addDays, localDateOf } from '@causo/domain';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { RawClient } from '../db/database.ts';
import { audit } from '../modules/audit/service.ts';

export const RETENTION_KINDS = ['sessions', 'sign_in_log', 'otp', 'message_contents', 'inbound_sms', 'drafts', 'sync_payloads'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export function retentionDays(config: Config): Record<RetentionKind, number> {
  return {
    sessions: config.RETENTION_SESSION_DAYS,
    sign_in_log: config.RETENTION_SIGNIN_LOG_DAYS,
    otp: config.RETENTION_OTP_DAYS,
    message_contents: config.RETENTION_MESSAGE_DAYS,
    inbound_sms: config.RETENTION_INBOUND_SMS_DAYS,
    drafts: config.RETENTION_DRAFT_DAYS,
    sync_payloads: config.RETENTION_SYNC_DAYS,
  };
}

interface Step {
  /** What the step removes or blanks, as reported: `documents`, `notify_outbox.body`… */
  label: string;
  /** The rows due, as `FROM … WHERE …` with $1 = cutoff, $2 = now; each row has a `key`. */
  due: string;
  /** Changes the rows whose key is in $1 (an array), with $2 = the blank sealed value; returns how many per table. */
  change: (c: RawClient, keys: unknown[], blank: string) => Promise<Record<string, number>>;
  /** Other rows a dry run reports (the papers of drafts), as `FROM … WHERE …` over the due keys. */
  alsoDue?: Record<string, string>;
}

/** The due keys; `$2` is named so that every step binds the same three parameters. */
const dueKeys = (step: Step): string => `SELECT key FROM (${step.due}) d WHERE $2::timestamptz IS NOT NULL`;

const counted = async (c: RawClient, sql: string, params: unknown[]): Promise<number> => (await c.query<{ n: number }>(`WITH x AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM x`, params))[0]?.n ?? 0;

const STEPS: Record<RetentionKind, Step[]> = {
  sessions: [
    {
      label: 'sessions',
      due: `SELECT token_hash AS key FROM sessions WHERE expires_at < $1`,
      change: async (c, keys) => ({ sessions: await counted(c, `DELETE FROM sessions WHERE token_hash = ANY($1::text[])`, [keys]) }),
    },
  ],
  sign_in_log: [
    {
      label: 'officer_sign_ins',
      due: `SELECT id AS key FROM officer_sign_ins WHERE at < $1`,
      change: async (c, keys) => ({ officer_sign_ins: await counted(c, `DELETE FROM officer_sign_ins WHERE id = ANY($1::bigint[])`, [keys]) }),
    },
  ],
  otp: [
    {
      label: 'otp_challenges',
      due: `SELECT id AS key FROM otp_challenges WHERE expires_at < $1`,
      change: async (c, keys) => ({ otp_challenges: await counted(c, `DELETE FROM otp_challenges WHERE id = ANY($1::bigint[])`, [keys]) }),
    },
    {
      label: 'signups',
      due: `SELECT id AS key FROM signups WHERE expires_at < $1`,
      change: async (c, keys) => ({ signups: await counted(c, `DELETE FROM signups WHERE id = ANY($1::bigint[])`, [keys]) }),
    },
    {
      label: 'otp_sends',
      due: `SELECT id AS key FROM otp_sends WHERE sent_at < $1`,
      change: async (c, keys) => ({ otp_sends: await counted(c, `DELETE FROM otp_sends WHERE id = ANY($1::bigint[])`, [keys]) }),
    },
    {
      label: 'sign_in_failures',
      due: `SELECT phone_hash AS key FROM sign_in_failures WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $2)`,
      change: async (c, keys) => ({ sign_in_failures: await counted(c, `DELETE FROM sign_in_failures WHERE phone_hash = ANY($1::text[])`, [keys]) }),
    },
    {
      label: 'lookup_attempts',
      due: `SELECT scope || ' ' || key_hash || ' ' || window_start::text AS key FROM lookup_attempts WHERE window_start < $1`,
      change: async (c, keys) => ({ lookup_attempts: await counted(c, `DELETE FROM lookup_attempts WHERE scope || ' ' || key_hash || ' ' || window_start::text = ANY($1::text[])`, [keys]) }),
    },
  ],
  // Status rows stay for delivery statistics; who it went to and what it said go.
  message_contents: [
    {
      label: 'notify_outbox',
      due: `SELECT id AS key FROM notify_outbox WHERE created_at < $1 AND status IN ('sent', 'delivered', 'failed_permanent') AND recipient_hash <> ''`,
      change: async (c, keys, blank) => ({ notify_outbox: await counted(c, `UPDATE notify_outbox SET recipient_sealed = $2, recipient_hash = '', body = '', subject = NULL WHERE id = ANY($1::bigint[])`, [keys, blank]) }),
    },
  ],
  inbound_sms: [
    {
      label: 'sms_inbound',
      due: `SELECT id AS key FROM sms_inbound WHERE received_at < $1 AND sender_hash <> ''`,
      change: async (c, keys, blank) => ({ sms_inbound: await counted(c, `UPDATE sms_inbound SET sender_sealed = $2, sender_hash = '', body = '' WHERE id = ANY($1::bigint[])`, [keys, blank]) }),
    },
  ],
  // Applications never sent: the draft and the papers uploaded for it.
  drafts: [
    {
      label: 'drafts',
      due: `SELECT id AS key FROM drafts WHERE submitted_dossier_id IS NULL AND updated_at < $1`,
      alsoDue: { documents: `SELECT count(*)::int AS n FROM documents WHERE dossier_id IS NULL AND draft_id IN (DUE)` },
      change: async (c, keys) => {
        await c.query(`UPDATE documents SET draft_id = NULL WHERE draft_id = ANY($1::bigint[]) AND dossier_id IS NOT NULL`, [keys]);
        const documents = await counted(c, `DELETE FROM documents WHERE draft_id = ANY($1::bigint[])`, [keys]);
        const drafts = await counted(c, `DELETE FROM drafts WHERE id = ANY($1::bigint[]) AND submitted_dossier_id IS NULL`, [keys]);
        return { drafts, documents };
      },
    },
  ],
  // The envelope row stays: a phone sending the same envelope again must still be told "already applied".
  sync_payloads: [
    {
      label: 'sync_envelopes.payload',
      due: `SELECT id::text AS key FROM sync_envelopes WHERE received_at < $1 AND payload_sealed <> ''`,
      change: async (c, keys) => ({ 'sync_envelopes.payload': await counted(c, `UPDATE sync_envelopes SET payload_sealed = '' WHERE id = ANY($1::uuid[])`, [keys]) }),
    },
  ],
};

export interface KindResult {
  kind: RetentionKind;
  days: number;
  cutoff: string;
  /** Rows removed or blanked (or, in a dry run, that would be), per table. */
  rows: Record<string, number>;
}

export interface RetentionOptions {
  apply: boolean;
  batchSize?: number;
  via?: 'job' | 'cli';
  kinds?: readonly RetentionKind[];
}

async function runStep(ctx: AppContext, step: Step, cutoff: Date, now: Date, blank: string, batchSize: number, rows: Record<string, number>): Promise<void> {
  for (;;) {
    const done = await ctx.db.raw(
      async (c) => {
        const keys = (await c.query<{ key: unknown }>(`${dueKeys(step)} LIMIT $3`, [cutoff, now, batchSize])).map((r) => r.key);
        return { changed: keys.length ? await step.change(c, keys, blank) : {}, seen: keys.length };
      },
      { transaction: true },
    );
    for (const [table, n] of Object.entries(done.changed)) rows[table] = (rows[table] ?? 0) + n;
    if (done.seen < batchSize) return;
  }
}

async function countStep(ctx: AppContext, step: Step, cutoff: Date, now: Date, rows: Record<string, number>): Promise<void> {
  const count = async (sql: string) => (await ctx.db.raw((c) => c.query<{ n: number }>(sql, [cutoff, now])))[0]?.n ?? 0;
  rows[step.label] = await count(`SELECT count(*)::int AS n FROM (${dueKeys(step)}) x`);
  for (const [table, sql] of Object.entries(step.alsoDue ?? {})) rows[table] = await count(sql.replace('DUE', dueKeys(step)));
}

export async function runRetentionPolicy(ctx: AppContext, opts: RetentionOptions): Promise<KindResult[]> {
  const now = ctx.now();
  const days = retentionDays(ctx.config);
  const batchSize = opts.batchSize ?? 1000;
  const blank = ctx.vault.seal({});
  const results: KindResult[] = [];
  for (const kind of opts.kinds ?? RETENTION_KINDS) {
    const cutoff = new Date(now.getTime() - days[kind] * 86_400_000);
    const rows: Record<string, number> = {};
    for (const step of STEPS[kind]) {
      rows[step.label] = 0;
      if (opts.apply) await runStep(ctx, step, cutoff, now, blank, batchSize, rows);
      else await countStep(ctx, step, cutoff, now, rows);
    }
    const result = { kind, days: days[kind], cutoff: cutoff.toISOString(), rows };
    results.push(result);
    if (opts.apply) await audit(ctx.db.kysely, { actorId: null, action: 'retention.purge', entity: 'retention', entityId: kind, detail: { via: opts.via ?? 'cli', days: result.days, cutoff: result.cutoff, rows } });
  }
  return results;
}

/**
 * Once a day at RETENTION_HOUR (Vietnam time). The first server to claim the day in `settings`
 * runs it, so several app servers purge (and audit) once.
 */
export function startRetentionJob(ctx: AppContext, everyMs = 10 * 60_000): { stop: () => Promise<void> } {
  const hour = ctx.config.RETENTION_HOUR;
  if (hour === 'off') return { stop: async () => {} };
  let running: Promise<unknown> | null = null;
  const tick = (): void => {
    if (running) return;
    const now = ctx.now();
    const localHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', hourCycle: 'h23' }).format(now));
    // Before the hour, the day to claim is yesterday's run (missed when the server was down at the hour).
    const day = localHour >= hour ? localDateOf(now) : addDays(localDateOf(now), -1);
    running = claimRetentionDay(ctx, day)
      .then((claimed) => (claimed ? runRetentionPolicy(ctx, { apply: true, via: 'job' }).then((r) => ctx.log.info({ retention: r }, 'retention run')) : null))
      .catch((err: unknown) => ctx.log.error({ err }, 'retention run failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** True for the one caller that claims `day` first (several app servers run the job). */
export async function claimRetentionDay(ctx: AppContext, day: string): Promise<boolean> {
  const rows = await ctx.db.raw((c) =>
    c.query(
      `INSERT INTO settings (key, value) VALUES ('retention.last_run', $1::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE settings.value < EXCLUDED.value
       RETURNING key`,
      [JSON.stringify(day)],
    ),
  );
  return rows.length > 0;
}
