/** The outside world behind ports, each chosen by configuration (simulators by default). */
import type { Config } from '../config.ts';
import { createPaymentGateway } from './payment/factory.ts';
import type { PaymentGateway } from './payment/port.ts';
import { createSmsGateway } from './sms/factory.ts';
import type { SmsGateway } from './sms/port.ts';
import { createTelecomRegister } from './telecom/factory.ts';
import type { TelecomRegister } from './telecom/port.ts';

export interface Adapters {
  sms: SmsGateway;
  telecom: TelecomRegister;
  payment: PaymentGateway;
}

export function createAdapters(config: Config, overrides: Partial<Adapters> = {}): Adapters {
  return {
    sms: overrides.sms ?? createSmsGateway(config),
    telecom: overrides.telecom ?? createTelecomRegister(config),
    payment: overrides.payment ?? createPaymentGateway(config),
  };
}
