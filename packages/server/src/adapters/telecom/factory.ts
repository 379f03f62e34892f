import type { Config } from '../../config.ts';
import type { TelecomRegister } from './port.ts';

/** Being built by the accounts work: the simulator or a real provider by configuration. */
export function createTelecomRegister(_config: Config): TelecomRegister {
  return { name: 'none', checkOwnership: async () => ({ result: 'unavailable', register: 'none', reason: 'not configured' }) };
}
