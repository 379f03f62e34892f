import type { Config } from '../../config.ts';
import type { PaymentGateway } from './port.ts';

/** Being built by the payments work: the local sandbox or a real gateway by configuration. */
export function createPaymentGateway(_config: Config): PaymentGateway {
  const none = (): never => { throw new Error('no payment gateway configured'); };
  return { name: 'none', startPayment: async () => none(), verifyCallback: () => null, queryStatus: async () => none() };
}
