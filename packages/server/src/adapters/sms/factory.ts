import type { Config } from '../../config.ts';
import type { SmsGateway } from './port.ts';

/** Being built by the accounts work: sink (development) or a real HTTP gateway by configuration. */
export function createSmsGateway(_config: Config): SmsGateway {
  return { name: 'none', send: async () => { throw new Error('no SMS gateway configured'); } };
}
