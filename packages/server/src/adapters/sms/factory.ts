/** The SMS gateway chosen by configuration (SMS_GATEWAY): the development sink or a real HTTP gateway. */
import { ConfigError, type Config } from '../../config.ts';
import type { SmsGateway } from './port.ts';
import { SmsHttpGateway } from './httpGateway.ts';
import { SmsSink } from './sink.ts';

export function createSmsGateway(config: Config): SmsGateway {
  if (config.SMS_GATEWAY === 'http') {
    if (!config.SMS_HTTP_URL || !config.SMS_HTTP_TOKEN) throw new ConfigError('Invalid configuration: SMS_GATEWAY=http needs SMS_HTTP_URL and SMS_HTTP_TOKEN.');
    if (config.NODE_ENV === 'production' && !config.SMS_HTTP_URL.startsWith('https://')) throw new ConfigError('Invalid configuration: SMS_HTTP_URL must use https:// in production.');
    return new SmsHttpGateway({ url: config.SMS_HTTP_URL, token: config.SMS_HTTP_TOKEN, timeoutMs: config.SMS_HTTP_TIMEOUT_MS });
  }
  return new SmsSink();
}
