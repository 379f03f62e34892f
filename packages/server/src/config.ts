/** Configuration from the environment, validated once at start with messages that say what to fix. */
import { z } from 'zod';
import { parsePgUrl, pgUrlProblem } from './db/pgHosts.ts';

const MULTI_HOST_EXAMPLE = 'postgres://causo@db1:5432,db2:5432/causo?target_session_attrs=read-write';

/** The URL parses (one or several host:port), and the primary's is not aimed at a standby. */
function pgUrlCheck(role: 'primary' | 'replica') {
  return (url: string, ctx: z.RefinementCtx) => {
    if (!/^postgres(ql)?:\/\//.test(url)) return;
    const problem = pgUrlProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (expected e.g. ${MULTI_HOST_EXAMPLE})` });
    else if (role === 'primary' && ['read-only', 'standby', 'prefer-standby'].includes(parsePgUrl(url).target ?? ''))
      ctx.addIssue({ code: 'custom', message: 'the app writes through DATABASE_URL: use target_session_attrs=read-write (or leave it out); point reports at a standby with DATABASE_REPLICA_URL' });
  };
}

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** One server, or several for failover: postgres://db1:5432,db2:5432/causo?target_session_attrs=read-write. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (or leave it unset to use the embedded database)')
    .superRefine(pgUrlCheck('primary'))
    .optional(),
  /** A streaming replica of DATABASE_URL that reports are read from (docs/operations.md, High availability). */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (the streaming replica reports are read from)')
    .superRefine(pgUrlCheck('replica'))
    .optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Prepare frequent statements once per connection; `false` behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21). */
  DB_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** How long a field phone stays signed in between online sign-ins (it works offline meanwhile). */
  FIELD_SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(30),
  /** 32+ characters; seals applicant personal data and keys its lookup hashes. */
  DATA_KEY: z.string().min(32, 'must be at least 32 characters (generate one with: openssl rand -base64 48)').optional(),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  NODE_ENV: z.string().default('development'),
  /**
   * Which proxies may set X-Forwarded-For (the client address used by rate limits and the
   * audit log): `false`, `true` (any: only behind a proxy that overwrites the header), or a
   * comma-separated list of addresses, CIDR ranges or the names loopback/linklocal/uniquelocal.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*)$/, 'must be true, false, or addresses/CIDR ranges such as loopback,10.0.0.0/8')
    .default('loopback'),
  /** Largest file a citizen or officer may upload (photos are downscaled after upload). */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(100_000).max(100_000_000).default(10_000_000),
  /** Fees online: the local sandbox gateway (demo, tests) or VNPay. */
  PAYMENT_GATEWAY: z.enum(['sandbox', 'vnpay']).default('sandbox'),
  VNPAY_TMN_CODE: z.string().regex(/^[A-Za-z0-9]{4,20}$/, 'must be the terminal code VNPay gave you (vnp_TmnCode)').optional(),
  VNPAY_HASH_SECRET: z.string().min(16, 'must be the hash secret VNPay gave you').optional(),
  VNPAY_URL: z.string().url('must be the payment page URL, e.g. https://pay.vnpay.vn/vpcpay.html').default('https://sandbox.vnpayment.vn/paymentv2/vpcpay.html'),
  VNPAY_API_URL: z.string().url('must be the query API URL').default('https://sandbox.vnpayment.vn/merchant_webapi/api/transaction'),
  /** The address citizens reach this server at (https://dichvucong.example.vn); gateways send them back there. */
  PUBLIC_URL: z.string().regex(/^https?:\/\/[^/]+$/, 'must be scheme and host only, e.g. https://dichvucong.example.vn').optional(),
  /** Telecom subscriber register (phone ownership check): the local simulator or a provider's HTTP API. */
  TELECOM_REGISTER: z.enum(['simulator', 'http']).default('simulator'),
  TELECOM_URL: z.string().url('must be a URL such as https://register.example.vn/v1').optional(),
  TELECOM_API_KEY: z.string().min(8, 'must be the API key the provider gave you').optional(),
  TELECOM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Subscriber file of the simulator (CSV); the demo file when unset. */
  TELECOM_SIM_FILE: z.string().min(1).optional(),
  /** Simulated answer time: one number or a range such as 300-1500 (milliseconds). */
  TELECOM_SIM_LATENCY_MS: z.string().regex(/^\d{1,5}(-\d{1,5})?$/, 'must be milliseconds, e.g. 0 or 300-1500').default('300-1500'),
  TELECOM_SIM_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0.03),
  /** SMS: the development sink (shown at /office/dev/sms), a gateway's HTTP API, or a carrier's SMSC over SMPP 3.4. */
  SMS_GATEWAY: z.enum(['sink', 'http', 'smpp']).default('sink'),
  SMS_HTTP_URL: z.string().url('must be a URL such as https://sms.example.vn/api/messages').optional(),
  SMS_HTTP_TOKEN: z.string().min(8, 'must be the token the gateway gave you').optional(),
  SMS_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  SMS_SEND_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(500),
  /** Shared secret the HTTP provider signs its delivery and inbound callbacks with (HMAC-SHA256). */
  SMS_HTTP_CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters, agreed with the provider').optional(),
  SMPP_HOST: z.string().min(1).optional(),
  SMPP_PORT: z.coerce.number().int().min(1).max(65535).default(2775),
  SMPP_SYSTEM_ID: z.string().min(1).max(16, 'must be at most 16 characters (SMPP system_id)').optional(),
  SMPP_PASSWORD: z.string().min(1).max(9, 'must be at most 9 characters (SMPP password)').optional(),
  /** The sender shown on phones: the province's short code or brandname. */
  SMPP_SOURCE_ADDR: z.string().min(1).max(20).optional(),
  SMPP_TLS: z.enum(['true', 'false']).default('false'),
  /** Submits outstanding at once on the SMPP session (the SMSC's window). */
  SMPP_WINDOW: z.coerce.number().int().min(1).max(500).default(50),
  /** Longest SMS a template may make, in parts; a longer template stops the server at start. */
  SMS_MAX_PARTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Send every SMS without Vietnamese marks (GSM-7: 160 characters per part instead of 70). */
  SMS_GSM7_ONLY: z.enum(['true', 'false']).default('false'),
  /** Messages per second the worker hands to the SMS gateway, at most (the provider's contract). */
  SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).max(5_000).default(200),
  /** Messages to one phone number per hour, at most; more wait (a loop or an abuse never floods a phone). */
  SMS_PER_RECIPIENT_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Texts answered per sender per hour (look-up by SMS); more are recorded and not answered. */
  SMS_INBOUND_PER_SENDER_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(10),
  /** How long a worker holds a message it is sending before another may try it. */
  NOTIFY_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  /** Local hour (0–23) at which team members are reminded of tomorrow's follow-ups. */
  REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(17),
  /** E-mail: the development sink or an SMTP server. */
  EMAIL_GATEWAY: z.enum(['sink', 'smtp']).default('sink'),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SMTP_REQUIRE_TLS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  EMAIL_FROM: z.string().min(3).default('Cầu Số <no-reply@localhost>'),
  /** Scheduled backups inside the server (docs/operations.md): off unless BACKUP_DIR is set. */
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_EVERY_HOURS: z.coerce.number().positive().max(24 * 7).default(24),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(14),
  /** Encrypts every backup (12+ characters); kept apart from the backups themselves. */
  BACKUP_PASSPHRASE: z.string().min(12, 'must be at least 12 characters; keep it apart from the backups').optional(),
  /** Retention of personal data that serves no record (docs/security.md, "Retention"); 0 days = at once. */
  RETENTION_SESSION_DAYS: z.coerce.number().int().min(0).max(3650).default(0),
  RETENTION_SIGNIN_LOG_DAYS: z.coerce.number().int().min(30).max(3650).default(365),
  RETENTION_OTP_DAYS: z.coerce.number().int().min(2).max(3650).default(30),
  RETENTION_MESSAGE_DAYS: z.coerce.number().int().min(7).max(3650).default(180),
  RETENTION_INBOUND_SMS_DAYS: z.coerce.number().int().min(7).max(3650).default(180),
  RETENTION_DRAFT_DAYS: z.coerce.number().int().min(7).max(3650).default(180),
  RETENTION_SYNC_DAYS: z.coerce.number().int().min(30).max(3650).default(90),
  /** Local hour (0–23) of the daily retention run; `off` stops the job (the CLI still works). */
  RETENTION_HOUR: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(3),
  /** Bearer token Prometheus sends to read /metrics; without it only loopback may read them. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (openssl rand -hex 24)').optional(),
});

export type Config = z.infer<typeof EnvSchema> & { dataKey: string; dataKeyIsDevDefault: boolean };

/** Only for development and the demo: production must set DATA_KEY. */
const DEV_DATA_KEY = 'causo-development-key-do-not-use-in-production-0000';

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (environment variables):\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.DATA_KEY)
    throw new ConfigError('Invalid configuration: DATA_KEY must be set in production (openssl rand -base64 48).');
  if (c.NODE_ENV === 'production' && c.PAYMENT_GATEWAY === 'sandbox' && env.PAYMENT_GATEWAY !== 'sandbox')
    throw new ConfigError('Invalid configuration: PAYMENT_GATEWAY must be set in production (vnpay with VNPAY_TMN_CODE and VNPAY_HASH_SECRET; sandbox only for a demo, it takes no money).');
  if (c.DATABASE_REPLICA_URL && !c.DATABASE_URL)
    throw new ConfigError('Invalid configuration: DATABASE_REPLICA_URL needs DATABASE_URL (the primary PostgreSQL server it replicates); the embedded database has no replica.');
  if (c.BACKUP_DIR && !c.BACKUP_PASSPHRASE) throw new ConfigError('Invalid configuration: BACKUP_DIR needs BACKUP_PASSPHRASE (12+ characters) to encrypt the backups.');
  return { ...c, dataKey: c.DATA_KEY ?? DEV_DATA_KEY, dataKeyIsDevDefault: !c.DATA_KEY };
}

/** Fastify's trustProxy from TRUST_PROXY. */
export function trustProxyOf(c: Config): boolean | string {
  if (c.TRUST_PROXY === 'true') return true;
  if (c.TRUST_PROXY === 'false') return false;
  return c.TRUST_PROXY.split(',').map((s) => s.trim()).filter(Boolean).join(',');
}

/** Where the configuration points, without secrets, for logs and /healthz. */
export function describeDatabase(c: Config): string {
  if (!c.DATABASE_URL) return `pglite:${c.DATA_DIR}`;
  return parsePgUrl(c.DATABASE_URL).describe();
}
