/** The telecom subscriber register chosen by configuration (TELECOM_REGISTER). */
import { ConfigError, type Config } from '../../config.ts';
import type { TelecomRegister } from './port.ts';
import { TelecomHttpClient } from './httpClient.ts';
import { DEMO_SUBSCRIBER_FILE, TelecomSimulator, loadSubscriberFile, parseLatency } from './simulator.ts';

export function createTelecomRegister(config: Config): TelecomRegister {
  if (config.TELECOM_REGISTER === 'http') {
    if (!config.TELECOM_URL || !config.TELECOM_API_KEY) throw new ConfigError('Invalid configuration: TELECOM_REGISTER=http needs TELECOM_URL and TELECOM_API_KEY.');
    if (config.NODE_ENV === 'production' && !config.TELECOM_URL.startsWith('https://')) throw new ConfigError('Invalid configuration: TELECOM_URL must use https:// in production.');
    return new TelecomHttpClient({ url: config.TELECOM_URL, apiKey: config.TELECOM_API_KEY, timeoutMs: config.TELECOM_TIMEOUT_MS });
  }
  return new TelecomSimulator({
    subscribers: loadSubscriberFile(config.TELECOM_SIM_FILE ?? DEMO_SUBSCRIBER_FILE),
    latencyMs: parseLatency(config.TELECOM_SIM_LATENCY_MS),
    timeoutRate: config.TELECOM_SIM_TIMEOUT_RATE,
    timeoutMs: config.TELECOM_TIMEOUT_MS,
  });
}
