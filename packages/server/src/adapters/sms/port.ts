/**
 * Sending and receiving SMS. Messages go through an outbox row written in the caller's
 * transaction (`notify/outbox.ts`), and a worker hands them to the configured gateway, so a
 * message is sent only for a write that committed. In development and tests the gateway is a
 * sink that stores the messages for the operator page `/office/dev/sms`.
 *
 * What comes back from the network (delivery receipts, residents' own texts such as
 * `HS 123`) reaches the platform through `SmsEvents`: an SMPP gateway calls them as the SMSC
 * delivers them on its bound session; the HTTP gateway's provider posts them to signed
 * callback routes, which call the same handlers.
 */
export interface SmsSendResult {
  /** The gateway's id for the message (the first part's, when it went in several), for delivery receipts. */
  providerId: string;
  /** Every part's id, in order, when the gateway sent the message as several parts. */
  partIds?: string[];
}

export interface SmsSendOptions {
  /** Our id for the message (the outbox row), so a gateway can drop a repeated send. */
  reference?: string;
  /** Ask the network for a delivery receipt (default true). */
  receipt?: boolean;
}

/** The final word of the network on one message. */
export type SmsReceiptState = 'delivered' | 'failed_permanent' | 'failed_temporary';

export interface SmsReceipt {
  /** The id the gateway returned from `send` (`SmsSendResult.providerId`, or any of `partIds`). */
  providerId: string;
  state: SmsReceiptState;
  /** The network's own words, e.g. `UNDELIV` or `err:001`, kept for the operator. */
  detail: string;
  at: Date;
}

/** A text a resident sent to the province's number. */
export interface InboundSms {
  /** The sender's number as the network gives it (84…, +84… or 0…). */
  from: string;
  /** The number it was sent to (the province's short code or long number). */
  to: string;
  text: string;
  receivedAt: Date;
}

export interface SmsEvents {
  receipt(r: SmsReceipt): Promise<void>;
  inbound(m: InboundSms): Promise<void>;
}

export interface SmsGateway {
  readonly name: string;
  send(to: string, text: string, opts?: SmsSendOptions): Promise<SmsSendResult>;
  /**
   * Starts delivering receipts and inbound texts to `events` (SMPP: from the bound session).
   * Gateways whose provider calls back over HTTP leave this out.
   */
  listen?(events: SmsEvents): void;
  /** Closes connections (unbind, end sockets). */
  close?(): Promise<void>;
  /**
   * Reaches the provider without sending anything (`causo doctor`): resolves with what was
   * checked, rejects with why it failed. Never uses or disturbs the sending connection.
   */
  probe?(timeoutMs: number): Promise<string>;
}

/**
 * A send that failed. `permanent` failures (a number the gateway refuses, a text it cannot
 * carry) are not retried; anything else (timeouts, server errors, throttling) is. `maybeSent`
 * marks a failure after the message left (the worker flags the row as a possible duplicate).
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The provider may have taken the message before the failure (no answer, link lost after writing): a retry may duplicate it. */
    readonly maybeSent = false,
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}
