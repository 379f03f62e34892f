/**
 * The development e-mail sink: nothing leaves the machine. A message handed to it counts as
 * sent and stays readable in the outbox (with `provider = sink`, so nobody takes it for a
 * real delivery).
 */
import { randomUUID } from 'node:crypto';
import type { EmailGateway, EmailMessage, EmailSendResult } from './port.ts';

export class EmailSink implements EmailGateway {
  readonly name = 'sink';

  async send(_message: EmailMessage): Promise<EmailSendResult> {
    return { providerId: `sink-${randomUUID()}` };
  }
}
