/**
 * The SMS gateway chosen by configuration (SMS_GATEWAY): the development sink, a provider's
 * HTTP API, or a carrier's SMSC over SMPP 3.4.
 */
import { ConfigError, type Config } from '../../config.ts';
import type { SmsGateway } from './port.ts';
import { SmsHttpGateway } from './httpGateway.ts';
import { SmsSink } from './sink.ts';
import { SmsSmppGateway, type SmppLogger } from './smppGateway.ts';

export function createSmsGateway(config: Config, log?: SmppLogger): SmsGateway {
  if (config.SMS_GATEWAY === 'http') {
    if (!config.SMS_HTTP_URL || !config.SMS_HTTP_TOKEN) throw new ConfigError('Invalid configuration: SMS_GATEWAY=http needs SMS_HTTP_URL and SMS_HTTP_TOKEN.');
    if (config.NODE_ENV === 'production' && !config.SMS_HTTP_URL.startsWith('https://')) throw new ConfigError('Invalid configuration: SMS_HTTP_URL must use https:// in production.');
    return new SmsHttpGateway({ url: config.SMS_HTTP_URL, token: config.SMS_HTTP_TOKEN, timeoutMs: config.SMS_HTTP_TIMEOUT_MS });
  }
  if (config.SMS_GATEWAY === 'smpp') {
    if (!config.SMPP_HOST || !config.SMPP_SYSTEM_ID || !config.SMPP_PASSWORD || !config.SMPP_SOURCE_ADDR)
      throw new ConfigError('Invalid configuration: SMS_GATEWAY=smpp needs SMPP_HOST, SMPP_SYSTEM_ID, SMPP_PASSWORD and SMPP_SOURCE_ADDR (from the carrier or aggregator).');
    return new SmsSmppGateway({
      host: config.SMPP_HOST,
      port: config.SMPP_PORT,
      systemId: config.SMPP_SYSTEM_ID,
      password: config.SMPP_PASSWORD,
      sourceAddr: config.SMPP_SOURCE_ADDR,
      windowSize: config.SMPP_WINDOW,
      tls: config.SMPP_TLS === 'true',
      ...(log ? { log } : {}),
    });
  }
  return new SmsSink();
}
