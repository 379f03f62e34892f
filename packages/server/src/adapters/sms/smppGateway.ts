/**
 * An SMS gateway speaking SMPP 3.4 to an operator's SMSC, the protocol Vietnamese mobile
 * networks offer for short codes and brandnames. One transceiver session carries our
 * submit_sm and the network's deliver_sm (delivery receipts and residents' own texts), so one
 * connection does both directions.
 *
 * The session is opened on the first `send` or on `listen`, and kept up from then on: it is
 * re-opened with exponential back-off whenever it drops, and watched with enquire_link.
 * Sends are windowed (at most `windowSize` submit_sm awaiting their answer, the rest queued
 * in order), because a round trip per message would cap the throughput at one message per
 * SMSC latency. Every failure is an `SmsSendError` whose `permanent` flag tells the outbox
 * worker whether to try again; retries and de-duplication belong to that worker.
 *
 * Texts go as GSM 03.38 (data_coding 0, one septet per octet) when they fit that alphabet,
 * else as UCS-2 (data_coding 8); long texts are split into concatenated parts with a user
 * data header, cut where `@causo/domain` counts them (`smsLength`).
 */
import { SMS_LIMITS, isGsm7, smsLength } from '@causo/domain';
import { toMsisdn } from '../telecom/httpClient.ts';
import { SmsSendError, type InboundSms, type SmsEvents, type SmsGateway, type SmsReceipt, type SmsReceiptState, type SmsSendOptions, type SmsSendResult } from './port.ts';
import { SmppSession, SmppStatus, type SmppParams, type SmppPdu } from './smppModule.ts';

/** A pino-like logger; pino's `Logger` fits. */
export interface SmppLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SmsSmppOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  /** The province's short code (digits) or brandname (letters), as the operator registered it. */
  sourceAddr: string;
  /** Type of number of `sourceAddr`; by default 5 (alphanumeric) for a brandname, 0 (unknown) for digits. */
  sourceTon?: number;
  /** Numbering plan of `sourceAddr`; by default 0 for a brandname, 1 (ISDN) for digits. */
  sourceNpi?: number;
  /** Most submit_sm awaiting an answer at once (default 50); further sends queue in order. */
  windowSize?: number;
  /** How long a submit_sm may wait for its answer, and a send for a bound session (default 10 s). */
  submitTimeoutMs?: number;
  /** Period of our enquire_link (default 30 s); a link that misses one answer is dropped. */
  enquireLinkMs?: number;
  /** Reconnection back-off: first delay, doubled per failed attempt up to `reconnectMaxMs` (defaults 500 ms, 30 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** SMPP over TLS. */
  tls?: boolean;
  log?: SmppLogger;
}

/** A text encoded for submit_sm: the data_coding and each part's short_message (header included). */
export interface EncodedSms {
  dataCoding: 0 | 8;
  /** One buffer per part; parts of a long text start with the concatenation header. */
  parts: Buffer[];
}

const DATA_CODING_GSM = 0;
const DATA_CODING_UCS2 = 8;
const ESM_CLASS_UDHI = 0x40;
/** esm_class bits 2–5: the message type of a deliver_sm (0 = a normal text). */
const ESM_CLASS_TYPE_MASK = 0x3c;
const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
const TON_INTERNATIONAL = 1;
const NPI_ISDN = 1;
const SMPP_VERSION_34 = 0x34;

// ---------------------------------------------------------------------------------------
// Encoding and splitting

/** GSM 03.38 default alphabet: a character's index is its septet (0x1b is the escape). */
const GSM_TABLE = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: sent as the escape septet, then this one. */
const GSM_EXTENSION: Readonly<Record<string, number>> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
const GSM_ESCAPE = 0x1b;

/** One character's septets (unpacked, one per octet, as SMPP carries data_coding 0). */
function gsmSeptets(ch: string): Buffer {
  const ext = GSM_EXTENSION[ch];
  if (ext !== undefined) return Buffer.from([GSM_ESCAPE, ext]);
  const index = GSM_TABLE.indexOf(ch);
  if (index < 0 || ch === '\x1b') throw new SmsSendError(`character U+${ch.codePointAt(0)?.toString(16)} is not in the GSM alphabet`, true);
  return Buffer.from([index]);
}

/** One character (a whole code point, so a surrogate pair stays together) in UTF-16BE. */
function ucs2Units(ch: string): Buffer {
  return Buffer.from(ch, 'utf16le').swap16();
}

/** Packs characters into parts of at most `size` octets without cutting one in two. */
function packParts(chars: Buffer[], size: number): Buffer[] {
  const parts: Buffer[] = [];
  let current: Buffer[] = [];
  let used = 0;
  for (const ch of chars) {
    if (used + ch.length > size && current.length) {
      parts.push(Buffer.concat(current));
      current = [];
      used = 0;
    }
    current.push(ch);
    used += ch.length;
  }
  parts.push(Buffer.concat(current));
  return parts;
}

/** The concatenation header: UDHL 5, IEI 0x00 (8-bit reference), IE length 3, reference, total, number. */
function concatHeader(reference: number, total: number, index: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, index + 1]);
}

/**
 * Encodes a text (NFC first, as it is stored and counted) for submit_sm; `reference` joins
 * the parts of a long text. Throws a permanent `SmsSendError` for an empty or too long text.
 */
export function encodeSms(input: string, reference: number): EncodedSms {
  const text = input.normalize('NFC');
  const length = smsLength(text);
  if (length.parts === 0) throw new SmsSendError('empty message', true);
  if (length.parts > 255) throw new SmsSendError(`message too long (${length.parts} parts)`, true);
  const gsm = isGsm7(text);
  const chars = [...text].map(gsm ? gsmSeptets : ucs2Units);
  const dataCoding = gsm ? DATA_CODING_GSM : DATA_CODING_UCS2;
  if (length.parts === 1) return { dataCoding, parts: [Buffer.concat(chars)] };
  // Octets per part: a septet takes one octet here, a UCS-2 unit two.
  const perPart = SMS_LIMITS[length.encoding].multi * (gsm ? 1 : 2);
  const bodies = packParts(chars, perPart);
  return { dataCoding, parts: bodies.map((body, i) => Buffer.concat([concatHeader(reference, bodies.length, i), body])) };
}

// ---------------------------------------------------------------------------------------
// submit_sm_resp statuses

const STATUS_NAMES: Readonly<Record<number, string>> = {
  0x01: 'ESME_RINVMSGLEN',
  0x08: 'ESME_RSYSERR',
  0x0a: 'ESME_RINVSRCADR',
  0x0b: 'ESME_RINVDSTADR',
  0x0d: 'ESME_RBINDFAIL',
  0x0e: 'ESME_RINVPASWD',
  0x0f: 'ESME_RINVSYSID',
  0x14: 'ESME_RMSGQFUL',
  0x43: 'ESME_RINVESMCLASS',
  0x45: 'ESME_RSUBMITFAIL',
  0x48: 'ESME_RINVSRCTON',
  0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON',
  0x51: 'ESME_RINVDSTNPI',
  0x58: 'ESME_RTHROTTLED',
  0x104: 'ESME_RINVDCS',
  0x105: 'ESME_RINVSRCADDRSUBUNIT',
  0x106: 'ESME_RINVDSTADDRSUBUNIT',
};

/**
 * Statuses that say this very message can never go: a bad number, a bad sender, a length or
 * coding the SMSC refuses. Everything else (throttling, a full queue, system errors, and
 * codes we do not know) may pass on a later try.
 */
const PERMANENT_STATUSES = new Set([0x01, 0x0a, 0x0b, 0x43, 0x48, 0x49, 0x50, 0x51, 0x104, 0x105, 0x106]);

function statusLabel(status: number): string {
  return `${STATUS_NAMES[status] ?? 'status'} (0x${status.toString(16).padStart(2, '0')})`;
}

function submitError(status: number): SmsSendError {
  return new SmsSendError(`SMSC refused the message: ${statusLabel(status)}`, PERMANENT_STATUSES.has(status));
}

// ---------------------------------------------------------------------------------------
// Delivery receipts and inbound texts

/** Receipt `stat:` words (and message_state TLV values) to our states; null = not final yet. */
const RECEIPT_STATES: Readonly<Record<string, SmsReceiptState | null>> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed_permanent',
  REJECTD: 'failed_permanent',
  EXPIRED: 'failed_permanent',
  DELETED: 'failed_permanent',
  // Final at the SMSC but not a delivery we can vouch for: the outbox may try again.
  ACCEPTD: 'failed_temporary',
  UNKNOWN: 'failed_temporary',
  ENROUTE: null,
  SCHEDULED: null,
};

/** message_state TLV values (SMPP 3.4 §5.2.28), named as the receipt text names them. */
const MESSAGE_STATE_NAMES: Readonly<Record<number, string>> = { 0: 'SCHEDULED', 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

/** The text of a deliver_sm: short_message, or message_payload when the SMSC used that. */
function deliveredText(pdu: SmppPdu): string {
  for (const field of ['short_message', 'message_payload'] as const) {
    const message = pdu.message(field);
    // Codings the package does not decode: Latin-1 keeps every octet readable.
    const text = message?.text ?? message?.bytes?.toString('latin1');
    if (text) return text;
  }
  return '';
}

/** Reads `key:value` from the receipt text (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`). */
function receiptField(text: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}:(\\S+)`, 'i').exec(text)?.[1];
}

type ParsedReceipt = { kind: 'final'; receipt: SmsReceipt } | { kind: 'not-final'; stat: string } | { kind: 'malformed' };

function parseReceipt(pdu: SmppPdu, at: Date): ParsedReceipt {
  const text = deliveredText(pdu);
  const state = pdu.number('message_state');
  const providerId = pdu.string('receipted_message_id') || receiptField(text, 'id');
  const stat = (receiptField(text, 'stat') ?? (state !== undefined ? MESSAGE_STATE_NAMES[state] : undefined))?.toUpperCase();
  if (!providerId || !stat || !Object.hasOwn(RECEIPT_STATES, stat)) return { kind: 'malformed' };
  const mapped = RECEIPT_STATES[stat];
  if (!mapped) return { kind: 'not-final', stat };
  const err = receiptField(text, 'err');
  return { kind: 'final', receipt: { providerId, state: mapped, detail: err ? `stat:${stat} err:${err}` : `stat:${stat}`, at } };
}

function inboundFrom(pdu: SmppPdu, receivedAt: Date): InboundSms {
  return { from: pdu.string('source_addr') ?? '', to: pdu.string('destination_addr') ?? '', text: deliveredText(pdu), receivedAt };
}

/** Brandnames (letters) go as alphanumeric, short codes and numbers as digits. */
function sourceAddressType(addr: string): { ton: number; npi: number } {
  return /^\+?\d+$/.test(addr) ? { ton: 0, npi: NPI_ISDN } : { ton: 5, npi: 0 };
}

// ---------------------------------------------------------------------------------------
// The gateway

/** One submit_sm (one part of a message): queued, then in flight, then done. */
interface Submit {
  params: SmppParams;
  resolve(messageId: string): void;
  reject(err: SmsSendError): void;
  /** While queued and unbound: the wait for a session; while in flight: the wait for the answer. */
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

export class SmsSmppGateway implements SmsGateway {
  readonly name: string;
  readonly #opts: Required<Omit<SmsSmppOptions, 'systemType' | 'log'>> & Pick<SmsSmppOptions, 'systemType' | 'log'>;
  #session: SmppSession | null = null;
  /** Settles when the current session's socket has closed. */
  #sessionGone: Promise<void> = Promise.resolve();
  #bound = false;
  #started = false;
  #closed = false;
  #events: SmsEvents | null = null;
  readonly #queue: Submit[] = [];
  readonly #inFlight = new Set<Submit>();
  #onIdle: (() => void) | null = null;
  #pumping = false;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #bindTimer: NodeJS.Timeout | undefined;
  #enquireTimer: NodeJS.Timeout | undefined;
  #enquirePending = false;
  /** Why the last bind was refused, until a bind succeeds: the reason sends fail meanwhile. */
  #bindError: SmsSendError | null = null;
  #concatReference = Math.floor(Math.random() * 256);

  constructor(options: SmsSmppOptions) {
    const source = sourceAddressType(options.sourceAddr);
    this.#opts = {
      ...options,
      sourceTon: options.sourceTon ?? source.ton,
      sourceNpi: options.sourceNpi ?? source.npi,
      windowSize: Math.max(1, options.windowSize ?? 50),
      submitTimeoutMs: options.submitTimeoutMs ?? 10_000,
      enquireLinkMs: options.enquireLinkMs ?? 30_000,
      reconnectMinMs: options.reconnectMinMs ?? 500,
      reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
      tls: options.tls ?? false,
    };
    this.name = `smpp:${options.host}:${options.port}`;
  }

  /**
   * Most submit_sm awaiting their answer at once. The outbox worker hands over no more messages
   * than this at a time, so a crash leaves at most this many sent and unrecorded.
   */
  get windowSize(): number {
    return this.#opts.windowSize;
  }

  async send(to: string, text: string, opts: SmsSendOptions = {}): Promise<SmsSendResult> {
    if (this.#closed) throw new SmsSendError('SMPP gateway is closed', false);
    const msisdn = toMsisdn(to);
    if (!/^84\d{8,}$/.test(msisdn)) throw new SmsSendError(`invalid phone number for SMS`, true);
    const encoded = encodeSms(text, this.#nextReference());
    this.#start();
    const common = {
      source_addr_ton: this.#opts.sourceTon,
      source_addr_npi: this.#opts.sourceNpi,
      source_addr: this.#opts.sourceAddr,
      dest_addr_ton: TON_INTERNATIONAL,
      dest_addr_npi: NPI_ISDN,
      destination_addr: msisdn,
      esm_class: encoded.parts.length > 1 ? ESM_CLASS_UDHI : 0,
      registered_delivery: opts.receipt === false ? 0 : 1,
      data_coding: encoded.dataCoding,
    };
    // The parts are queued together, in order, so they leave one after the other.
    const ids = await Promise.all(encoded.parts.map((short_message) => this.#enqueue({ ...common, short_message })));
    const [providerId = ''] = ids;
    return ids.length > 1 ? { providerId, partIds: ids } : { providerId };
  }

  /**
   * A separate session of its own: connect, bind as transceiver, unbind. The sending session is
   * left alone, so a running server can be checked. A refused bind names the SMSC's status.
   */
  probe(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const session = SmppSession.connect({ host: this.#opts.host, port: this.#opts.port, tls: this.#opts.tls });
      let settled = false;
      const finish = (err: Error | null, what = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          session.destroy();
          reject(err);
        } else {
          session.request('unbind', {}, () => session.end());
          setTimeout(() => session.destroy(), 1000).unref();
          resolve(what);
        }
      };
      const timer = setTimeout(() => finish(new Error(`${this.name}: no bind answer within ${timeoutMs} ms`)), timeoutMs);
      session.on('error', (err) => finish(new Error(`${this.name}: ${(err as NodeJS.ErrnoException).code ?? 'connection failed'}`)));
      session.on('close', () => finish(new Error(`${this.name}: connection closed before the bind answer`)));
      session.on('ready', () => {
        const params = { system_id: this.#opts.systemId, password: this.#opts.password, system_type: this.#opts.systemType ?? '', interface_version: SMPP_VERSION_34 };
        session.request('bind_transceiver', params, (resp) => {
          if (resp.status === SmppStatus.OK) finish(null, `${this.name}: bound as transceiver`);
          else finish(new Error(`${this.name}: SMSC refused the bind: ${statusLabel(resp.status)}; check SMPP_SYSTEM_ID and SMPP_PASSWORD`));
        });
      });
    });
  }

  listen(events: SmsEvents): void {
    this.#events = events;
    this.#start();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const closing = new SmsSendError('SMPP gateway is closed', false);
    for (const job of this.#queue.splice(0)) this.#finish(job, closing);
    const session = this.#session;
    if (!session) return;
    if (this.#bound) {
      // Graceful unbind (SMPP 3.4 §2.3): let the submits already sent get their answers first.
      await this.#inFlightSettled();
      await this.#unbind(session);
      session.end();
      await this.#within(this.#sessionGone, 1_000);
    }
    session.destroy();
    this.#stopSessionTimers();
  }

  // -- Connection ---------------------------------------------------------------------

  #start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#connect();
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    if (this.#closed || this.#session) return;
    const session = SmppSession.connect({ host: this.#opts.host, port: this.#opts.port, tls: this.#opts.tls });
    this.#session = session;
    this.#sessionGone = new Promise((resolve) => session.on('close', resolve));
    session.on('ready', () => this.#bind(session));
    session.on('request', (pdu) => this.#onRequest(session, pdu));
    session.on('error', (err) => {
      this.#opts.log?.warn({ gateway: this.name, err: err.message }, 'SMPP connection error');
      session.destroy();
    });
    session.on('close', () => this.#onClose(session));
    // A connection that hangs (a silent firewall) or a bind never answered counts as failed.
    this.#bindTimer = setTimeout(() => {
      this.#opts.log?.warn({ gateway: this.name }, 'SMPP connect/bind timed out');
      session.destroy();
    }, this.#opts.submitTimeoutMs);
    this.#bindTimer.unref();
  }

  #bind(session: SmppSession): void {
    const params = { system_id: this.#opts.systemId, password: this.#opts.password, system_type: this.#opts.systemType ?? '', interface_version: SMPP_VERSION_34 };
    session.request('bind_transceiver', params, (resp) => {
      if (session !== this.#session) return;
      clearTimeout(this.#bindTimer);
      if (resp.status !== SmppStatus.OK) return this.#bindRefused(session, resp.status);
      this.#bound = true;
      this.#attempt = 0;
      this.#bindError = null;
      this.#opts.log?.info({ gateway: this.name }, 'SMPP bound as transceiver');
      for (const job of this.#queue) {
        clearTimeout(job.timer);
        job.timer = undefined;
      }
      this.#startEnquireLink(session);
      this.#pump();
    });
  }

  /** A refused bind is a configuration matter (wrong password, unknown system id): waiting sends fail now. */
  #bindRefused(session: SmppSession, status: number): void {
    this.#bindError = new SmsSendError(`SMSC refused the bind: ${statusLabel(status)}`, false);
    this.#opts.log?.error({ gateway: this.name, status }, 'SMPP bind refused; check SMPP system id and password');
    for (const job of this.#queue.splice(0)) this.#finish(job, this.#bindError);
    session.destroy();
  }

  #onClose(session: SmppSession): void {
    if (session !== this.#session) return;
    this.#session = null;
    this.#bound = false;
    this.#stopSessionTimers();
    const lost = new SmsSendError('SMSC connection lost before the answer', false, true);
    for (const job of [...this.#inFlight]) this.#finish(job, lost);
    if (this.#closed) return;
    for (const job of this.#queue) this.#waitForSession(job);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const { reconnectMinMs, reconnectMaxMs } = this.#opts;
    const base = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    // Up to a quarter less, so many gateways restarted together do not reconnect in step.
    const delay = Math.round(base * (0.75 + Math.random() * 0.25));
    this.#opts.log?.info({ gateway: this.name, delayMs: delay, attempt: this.#attempt }, 'SMPP reconnecting');
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    this.#reconnectTimer.unref();
  }

  #startEnquireLink(session: SmppSession): void {
    this.#enquirePending = false;
    this.#enquireTimer = setInterval(() => {
      // The previous enquire_link is still unanswered after a whole period: the link is dead.
      if (this.#enquirePending) {
        this.#opts.log?.warn({ gateway: this.name }, 'SMPP enquire_link unanswered; reconnecting');
        session.destroy();
        return;
      }
      this.#enquirePending = session.request('enquire_link', {}, () => (this.#enquirePending = false)) !== null;
    }, this.#opts.enquireLinkMs);
    this.#enquireTimer.unref();
  }

  #stopSessionTimers(): void {
    clearTimeout(this.#bindTimer);
    clearInterval(this.#enquireTimer);
    this.#bindTimer = undefined;
    this.#enquireTimer = undefined;
  }

  #unbind(session: SmppSession): Promise<void> {
    const answered = new Promise<void>((resolve) => {
      if (session.request('unbind', {}, () => resolve()) === null) resolve();
    });
    return this.#within(Promise.race([answered, this.#sessionGone]), Math.min(this.#opts.submitTimeoutMs, 2_000));
  }

  // -- Sending --------------------------------------------------------------------------

  #nextReference(): number {
    this.#concatReference = (this.#concatReference + 1) & 0xff;
    return this.#concatReference;
  }

  #enqueue(params: SmppParams): Promise<string> {
    return new Promise((resolve, reject) => {
      const job: Submit = { params, resolve, reject, timer: undefined, done: false };
      this.#queue.push(job);
      if (!this.#bound) this.#waitForSession(job);
      this.#pump();
    });
  }

  /**
   * Bounds how long a queued part waits for a bound session. The timer is not unref'd: it
   * ends within submitTimeoutMs and a caller is awaiting its outcome.
   */
  #waitForSession(job: Submit): void {
    if (job.done || job.timer) return;
    job.timer = setTimeout(() => {
      const index = this.#queue.indexOf(job);
      if (index >= 0) this.#queue.splice(index, 1);
      this.#finish(job, this.#bindError ?? new SmsSendError('SMSC unreachable', false));
    }, this.#opts.submitTimeoutMs);
  }

  /** Sends queued parts while the window has room, written together in one segment. */
  #pump(): void {
    const session = this.#session;
    if (!session || !this.#bound || this.#pumping) return;
    // A submit failing at once (socket gone) settles and pumps again: one loop at a time.
    this.#pumping = true;
    try {
      session.batch(() => {
        while (this.#bound && this.#inFlight.size < this.#opts.windowSize) {
          const job = this.#queue.shift();
          if (!job) return;
          clearTimeout(job.timer);
          job.timer = undefined;
          this.#submit(session, job);
        }
      });
    } finally {
      this.#pumping = false;
    }
  }

  #submit(session: SmppSession, job: Submit): void {
    this.#inFlight.add(job);
    job.timer = setTimeout(() => this.#finish(job, new SmsSendError(`SMSC did not answer within ${this.#opts.submitTimeoutMs} ms`, false, true)), this.#opts.submitTimeoutMs);
    const sequence = session.request('submit_sm', job.params, (resp) => {
      if (resp.status !== SmppStatus.OK) return this.#finish(job, submitError(resp.status));
      const id = resp.string('message_id') ?? '';
      // Accepted without an id: sending again would duplicate it, so it counts as sent.
      if (!id) this.#opts.log?.warn({ gateway: this.name }, 'SMSC accepted a message without a message_id');
      this.#finish(job, id);
    });
    if (sequence === null) this.#finish(job, new SmsSendError('SMSC connection lost', false));
  }

  /** Settles a part once (a late answer after a timeout is ignored) and frees its window slot. */
  #finish(job: Submit, outcome: string | SmsSendError): void {
    if (job.done) return;
    job.done = true;
    clearTimeout(job.timer);
    this.#inFlight.delete(job);
    if (typeof outcome === 'string') job.resolve(outcome);
    else job.reject(outcome);
    if (this.#inFlight.size === 0) this.#onIdle?.();
    this.#pump();
  }

  #inFlightSettled(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = () => {
        this.#onIdle = null;
        resolve();
      };
    });
  }

  // -- What the SMSC sends ---------------------------------------------------------------

  #onRequest(session: SmppSession, pdu: SmppPdu): void {
    switch (pdu.command) {
      case 'enquire_link':
        session.respond(pdu);
        return;
      case 'unbind':
        // The SMSC is going away (maintenance): answer, stop sending, and reconnect once it closes.
        session.respond(pdu);
        this.#bound = false;
        for (const job of this.#queue) this.#waitForSession(job);
        session.end();
        return;
      case 'deliver_sm':
        this.#onDeliver(session, pdu).catch((err: unknown) => this.#opts.log?.error({ gateway: this.name, err: String(err) }, 'SMPP deliver_sm_resp not sent'));
        return;
      case 'alert_notification':
        return; // has no response
      default:
        session.respond(pdu, SmppStatus.INVALID_COMMAND_ID);
    }
  }

  /**
   * Hands a deliver_sm to the listener and answers only once it settled: if the process dies
   * before the receipt or text is recorded, the SMSC, having no answer, delivers it again.
   * A failure answers ESME_RSYSERR, which makes the SMSC retry later.
   */
  async #onDeliver(session: SmppSession, pdu: SmppPdu): Promise<void> {
    let status: number = SmppStatus.OK;
    try {
      await this.#handleDeliver(pdu);
    } catch (err) {
      status = SmppStatus.SYSTEM_ERROR;
      this.#opts.log?.error({ gateway: this.name, err: (err as Error).message }, 'SMPP deliver_sm handler failed; the SMSC will retry');
    }
    session.respond(pdu, status);
  }

  async #handleDeliver(pdu: SmppPdu): Promise<void> {
    const events = this.#events;
    if (!events) throw new Error('deliver_sm arrived before listen() was called');
    const type = (pdu.number('esm_class') ?? 0) & ESM_CLASS_TYPE_MASK;
    if (type === ESM_CLASS_DELIVERY_RECEIPT) return this.#handleReceipt(events, pdu);
    // Intermediate notifications and SME acknowledgements carry nothing we record.
    if (type !== 0) return;
    await events.inbound(inboundFrom(pdu, new Date()));
  }

  async #handleReceipt(events: SmsEvents, pdu: SmppPdu): Promise<void> {
    const parsed = parseReceipt(pdu, new Date());
    if (parsed.kind === 'final') return events.receipt(parsed.receipt);
    // Not final (ENROUTE) is answered and forgotten; an unreadable receipt would only come back
    // if refused, so it is answered too, and logged.
    // The receipt's text may quote the message (a one-time code): it is not logged.
    if (parsed.kind === 'malformed') this.#opts.log?.warn({ gateway: this.name, receiptedMessageId: pdu.string('receipted_message_id'), messageState: pdu.number('message_state') }, 'SMPP delivery receipt not understood');
  }

  #within(promise: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
