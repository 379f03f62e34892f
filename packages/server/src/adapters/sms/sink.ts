/**
 * The development SMS sink: nothing leaves the machine. A message handed to it counts as
 * delivered, and stays readable in the outbox, which the operator page `/office/dev/sms`
 * lists (with `provider = sink`, so nobody takes it for a real delivery).
 */
import { randomUUID } from 'node:crypto';
import type { SmsGateway, SmsSendResult } from './port.ts';

export class SmsSink implements SmsGateway {
  readonly name = 'sink';

  async send(): Promise<SmsSendResult> {
    return { providerId: `sink-${randomUUID()}` };
  }

  async probe(): Promise<string> {
    return 'development sink: nothing leaves this machine';
  }
}
