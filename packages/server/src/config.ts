/** Configuration from the environment, validated once at start with messages that say what to fix. */
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (or leave it unset to use the embedded database)')
    .optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** 32+ characters; seals applicant personal data and keys its lookup hashes. */
  DATA_KEY: z.string().min(32, 'must be at least 32 characters (generate one with: openssl rand -base64 48)').optional(),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  NODE_ENV: z.string().default('development'),
  /** Largest file a citizen or officer may upload (photos are downscaled after upload). */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(100_000).max(100_000_000).default(10_000_000),
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
  return { ...c, dataKey: c.DATA_KEY ?? DEV_DATA_KEY, dataKeyIsDevDefault: !c.DATA_KEY };
}

/** Where the configuration points, without secrets, for logs and /healthz. */
export function describeDatabase(c: Config): string {
  if (!c.DATABASE_URL) return `pglite:${c.DATA_DIR}`;
  const u = new URL(c.DATABASE_URL);
  return `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`;
}
