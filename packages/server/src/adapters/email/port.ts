/**
 * Sending e-mail. Like SMS, a message goes through an outbox row written in the caller's
 * transaction and a worker hands it to the configured gateway, retrying temporary failures
 * with growing waits. In development and tests the gateway is a sink; in production it is an
 * SMTP server (the province's mail relay or a provider's submission port).
 */
export interface EmailMessage {
  /** One recipient address. */
  to: string;
  /** UTF-8, Vietnamese with its diacritics. */
  subject: string;
  /** The plain-text body (UTF-8). */
  text: string;
  /** An optional HTML alternative of the same content. */
  html?: string;
  /**
   * Our id for the message (the outbox row, e.g. `outbox-42`). Sent as the `X-Causo-Reference`
   * header and folded into a deterministic Message-ID, so a receiver can spot a repeated
   * delivery (after a send whose answer was lost, the worker sends the same message again).
   */
  reference?: string;
}

export interface EmailSendResult {
  /** The gateway's id for the message: the Message-ID, or the server's queue id. */
  providerId: string;
}

export interface EmailGateway {
  readonly name: string;
  send(m: EmailMessage): Promise<EmailSendResult>;
  /** Closes connections (the SMTP pool). */
  close?(): Promise<void>;
  /** Reaches the server and signs in without sending (`causo doctor`); rejects with why it failed. */
  probe?(timeoutMs: number): Promise<string>;
}

/**
 * A send that failed. `permanent` failures (a mailbox the server refuses, a message it will
 * never accept) are not retried; anything else (timeouts, connection errors, 4xx replies, and
 * the operator's own configuration mistakes such as a wrong password) is, so the message is
 * kept until the cause goes away.
 */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}
