/** The outside world behind ports, each chosen by configuration (simulators by default). */
import type { Config } from '../config.ts';
import { createEmailGateway } from './email/factory.ts';
import type { EmailGateway } from './email/port.ts';
import { createPaymentGateway } from './payment/factory.ts';
import type { PaymentGateway } from './payment/port.ts';
import { createSmsGateway } from './sms/factory.ts';
import type { SmppLogger } from './sms/smppGateway.ts';
import type { SmsGateway } from './sms/port.ts';
import { createTelecomRegister } from './telecom/factory.ts';
import type { TelecomRegister } from './telecom/port.ts';

export interface Adapters {
  sms: SmsGateway;
  email: EmailGateway;
  telecom: TelecomRegister;
  payment: PaymentGateway;
}

export function createAdapters(config: Config, overrides: Partial<Adapters> = {}, log?: SmppLogger): Adapters {
  return {
    sms: overrides.sms ?? createSmsGateway(config, log),
    email: overrides.email ?? createEmailGateway(config),
    telecom: overrides.telecom ?? createTelecomRegister(config),
    payment: overrides.payment ?? createPaymentGateway(config),
  };
}
