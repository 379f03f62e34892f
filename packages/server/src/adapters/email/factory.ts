/** The e-mail gateway chosen by configuration (EMAIL_GATEWAY): the development sink or an SMTP server. */
import { ConfigError } from '../../config.ts';
import type { EmailGateway } from './port.ts';
import { EmailSink } from './sink.ts';
import { EmailSmtpGateway } from './smtp.ts';

/** The configuration variables the e-mail gateway reads (a subset of `Config`). */
export interface EmailConfig {
  EMAIL_GATEWAY: 'sink' | 'smtp';
  SMTP_HOST?: string;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_REQUIRE_TLS: boolean;
  SMTP_USER?: string;
  SMTP_PASSWORD?: string;
  EMAIL_FROM: string;
  SMTP_TIMEOUT_MS: number;
  NODE_ENV: string;
}

export function createEmailGateway(config: EmailConfig): EmailGateway {
  if (config.EMAIL_GATEWAY !== 'smtp') return new EmailSink();
  if (!config.SMTP_HOST) throw new ConfigError('Invalid configuration: EMAIL_GATEWAY=smtp needs SMTP_HOST (and usually SMTP_PORT, SMTP_USER, SMTP_PASSWORD).');
  if (Boolean(config.SMTP_USER) !== Boolean(config.SMTP_PASSWORD)) throw new ConfigError('Invalid configuration: SMTP_USER and SMTP_PASSWORD go together; set both or neither.');
  // A password over a connection that may stay unencrypted would cross the network in clear.
  if (config.NODE_ENV === 'production' && config.SMTP_USER && !config.SMTP_SECURE && !config.SMTP_REQUIRE_TLS)
    throw new ConfigError('Invalid configuration: with SMTP_USER in production, set SMTP_SECURE=true (port 465) or SMTP_REQUIRE_TLS=true (port 587).');
  return new EmailSmtpGateway({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    requireTls: config.SMTP_REQUIRE_TLS,
    ...(config.SMTP_USER ? { user: config.SMTP_USER, password: config.SMTP_PASSWORD } : {}),
    from: config.EMAIL_FROM,
    timeoutMs: config.SMTP_TIMEOUT_MS,
  });
}
