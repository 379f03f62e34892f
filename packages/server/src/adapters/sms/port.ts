/**
 * Sending SMS. Messages go through an outbox row written in the caller's transaction
 * (`queueSms`), and a worker hands them to the configured gateway, so a message is sent only
 * for a write that committed. In development and tests the gateway is a sink that stores the
 * messages for the operator page `/office/dev/sms`.
 */
export interface SmsSendResult {
  /** The gateway's id for the message, for delivery reports. */
  providerId: string;
}

export interface SmsSendOptions {
  /** Our id for the message (the outbox row), so a gateway can drop a repeated send. */
  reference?: string;
}

export interface SmsGateway {
  readonly name: string;
  send(to: string, text: string, opts?: SmsSendOptions): Promise<SmsSendResult>;
}

/**
 * A send that failed. `permanent` failures (a number the gateway refuses, a text it cannot
 * carry) are not retried; anything else (timeouts, server errors, throttling) is.
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}
