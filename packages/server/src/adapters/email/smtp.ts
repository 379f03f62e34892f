/**
 * E-mail over SMTP, through nodemailer's pooled transport: a few connections kept open to the
 * province's mail relay (or a provider's submission port) and reused for every message.
 *
 * One attempt per call, like the SMS gateways: retries, with backoff, belong to the outbox
 * worker. The pool's own re-queueing of a message whose connection dropped is switched off,
 * since the server may already have taken the message; the worker sends it again later with
 * the same deterministic Message-ID and `X-Causo-Reference`, so a repeat can be spotted.
 *
 * Which failures are permanent (the message is dropped) and which temporary (kept, retried):
 *  - 5xx replies to RCPT TO or DATA: the server refuses this recipient or this message → permanent.
 *  - 4xx replies, 503 (bad sequence), connection refused, DNS, TLS and socket errors, timeouts → temporary.
 *  - A refused login (535, or no credentials where the server wants them) → temporary: it is the
 *    operator's configuration, the same for every message, and messages must wait until it is fixed.
 *  - 5xx replies to MAIL FROM (our own sender, the same for every message) and policy refusals
 *    (530 and enhanced status 5.7.x: relay denied, sender not authorised) → temporary, for the same
 *    reason; a recipient's genuine policy refusal is then given up after the worker's last attempt.
 *
 * Error messages carry the reply code and enhanced status code only, never the server's text
 * (it often echoes the recipient's address) nor, of course, the password.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Mail, type NodemailerError, type SMTPPoolOptions, type SMTPPoolSentMessageInfo } from 'nodemailer';
import { EmailSendError, type EmailGateway, type EmailMessage, type EmailSendResult } from './port.ts';

export interface EmailSmtpOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Insist on STARTTLS (usually port 587); without it STARTTLS is still used when offered. */
  requireTls: boolean;
  user?: string;
  password?: string;
  /** The From header, e.g. `Cầu Số <no-reply@dichvucong.binhphuoc.gov.vn>`. */
  from: string;
  /** Deadline for one whole send, and for each network wait inside it. */
  timeoutMs: number;
  /** Check the server's certificate (default true; false only for a test relay). */
  tlsRejectUnauthorized?: boolean;
}

type PoolTransport = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

export class EmailSmtpGateway implements EmailGateway {
  readonly name: string;
  // A private field, so logging the gateway object never prints the transport (and its password).
  readonly #transport: PoolTransport;
  readonly #from: string;
  readonly #fromDomainTag: string;
  readonly #timeoutMs: number;

  constructor(opts: EmailSmtpOptions) {
    this.name = `smtp:${opts.host}:${opts.port}`;
    this.#from = opts.from;
    this.#fromDomainTag = createHash('sha256').update(fromDomain(opts.from)).digest('hex').slice(0, 12);
    this.#timeoutMs = opts.timeoutMs;
    this.#transport = nodemailer.createTransport(transportOptions(opts));
  }

  async send(m: EmailMessage): Promise<EmailSendResult> {
    const to = m.to.trim();
    if (!isSingleAddress(to)) throw new EmailSendError('invalid recipient address', true);
    const reference = m.reference === undefined ? undefined : headerSafe(m.reference);
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        // An address object, not a string, so nodemailer takes it as it is instead of parsing it.
        to: { name: '', address: to },
        subject: m.subject,
        text: m.text,
        ...(m.html === undefined ? {} : { html: m.html }),
        ...(reference ? { messageId: messageIdFor(reference, this.#fromDomainTag), headers: { 'X-Causo-Reference': reference } } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      return { providerId: info.messageId };
    } catch (err) {
      throw toEmailSendError(err);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }

  /** Connects, says EHLO, starts TLS and signs in when configured, then quits. */
  async probe(timeoutMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.#transport.verify(), timeout]);
      return `${this.name}: connected and accepted the sign-in`;
    } catch (err) {
      // The same words as a failed send: codes only, never the server's text nor the password.
      throw new Error(`${this.name}: ${err instanceof Error && err.message.startsWith('no answer within') ? err.message : toEmailSendError(err).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function transportOptions(opts: EmailSmtpOptions): SMTPPoolOptions & { pool: true } {
  return {
    pool: true,
    host: opts.host,
    port: opts.port,
    secure: opts.secure,
    requireTLS: opts.requireTls,
    ...(opts.user ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
    tls: { rejectUnauthorized: opts.tlsRejectUnauthorized ?? true, minVersion: 'TLSv1.2' },
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    dnsTimeout: opts.timeoutMs,
    maxConnections: 3,
    maxMessages: 100,
    maxRequeues: 0,
    logger: false,
    // Our messages are text we compose: never let a body pull in local files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * One bare address (`local@domain`, Unicode allowed for SMTPUTF8): no display name, no list,
 * nothing that could change the SMTP command it goes into. Anything else is refused before
 * connecting, as a permanent failure: the same address would be refused on every attempt.
 */
export function isSingleAddress(to: string): boolean {
  return /^[^@<>,;:"()[\]\\]+@[^@<>,;:"()[\]\\]+$/u.test(to) && !/[\p{C}\s]/u.test(to);
}

/** The domain of the From address (`Cầu Số <no-reply@example.gov.vn>` → `example.gov.vn`). */
function fromDomain(from: string): string {
  const match = /@([^\s<>@]+)>?\s*$/.exec(from);
  return (match?.[1] ?? from).toLowerCase();
}

/**
 * The Message-ID for one outbox message: the same on every attempt, different between
 * installations (the tag is a hash of the sender's domain). A reference that is not a plain
 * token is hashed, so the id stays a valid dot-atom.
 */
export function messageIdFor(reference: string, fromDomainTag: string): string {
  const local = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(reference) ? reference : `r-${createHash('sha256').update(reference).digest('hex').slice(0, 32)}`;
  return `<${local}.${fromDomainTag}@causo>`;
}

/** A header value from our reference: printable ASCII only, so nothing can be injected. */
function headerSafe(reference: string): string {
  return reference.replace(/[^\x21-\x7e]/g, '_').slice(0, 200);
}

/** `550 5.1.1` from a reply: the code and the enhanced status code, without the server's text. */
function replyOf(err: NodemailerError): string {
  const enhanced = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(err.response ?? '')?.[1];
  return [err.responseCode, enhanced].filter(Boolean).join(' ');
}

const isPermanentReply = (code: number) => code >= 500 && code < 600 && code !== 503;
const isPolicyReply = (err: NodemailerError) => err.responseCode === 530 || /^\d{3}[ -]5\.7\./.test(err.response ?? '');

/** Maps what nodemailer throws to a permanent or temporary `EmailSendError` (see the header). */
export function toEmailSendError(error: unknown): EmailSendError {
  const err = (error ?? {}) as NodemailerError;
  const temporary = (what: string) => new EmailSendError(what, false);
  if (err.code === 'EABORT' || err.name === 'AbortError') return temporary('SMTP send timed out');
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return temporary(`SMTP server refused our login${err.responseCode ? ` (${replyOf(err)})` : ''}: check SMTP_USER and SMTP_PASSWORD`);
  if (err.responseCode) return fromReply(err);
  if (err.code === 'EENVELOPE' && err.command === 'API') return new EmailSendError('invalid recipient address', true);
  if (err.code === 'EMESSAGE' && err.command === 'MAIL FROM') return new EmailSendError('message larger than the SMTP server accepts', true);
  if (err.code === 'ETIMEDOUT') return temporary('SMTP server timed out');
  const detail = [err.code, err.originalCode].filter(Boolean).join('/');
  return temporary(`SMTP server unreachable${detail ? ` (${detail})` : ''}`);
}

function fromReply(err: NodemailerError): EmailSendError {
  const code = err.responseCode ?? 0;
  const at = err.command ?? 'session';
  const reply = replyOf(err);
  if (!isPermanentReply(code) || isPolicyReply(err)) return new EmailSendError(`SMTP server answered ${reply} to ${at}`, false);
  if (at === 'RCPT TO' || at === 'DATA') return new EmailSendError(`SMTP server rejected the message (${reply} to ${at})`, true);
  // 552 to MAIL FROM is the SIZE check: this message is too large, not our sender refused.
  if (at === 'MAIL FROM' && code === 552) return new EmailSendError(`SMTP server rejected the message size (${reply})`, true);
  return new EmailSendError(`SMTP server answered ${reply} to ${at}`, false);
}
