/**
 * A typed face for the parts of the `smpp` npm package (0.5.x) that the SMPP gateway and its
 * tests use. The package ships no TypeScript types and hands out loosely shaped objects
 * (PDUs whose fields are plain properties, sessions that are bare EventEmitters), so it is
 * loaded here through `require` and everything untyped stays inside this file: callers get
 * `SmppSession` and `SmppPdu`, whose fields are read with checked accessors.
 *
 * Two things about the package shape this wrapper:
 * - it calls listeners synchronously while it parses the socket's data, and an exception
 *   thrown there leaves its parser stuck, so every listener is run inside a try/catch and its
 *   error is passed to the `error` listeners instead;
 * - a parameter present with the value `undefined` makes its encoder throw, so such
 *   parameters are dropped before a PDU is built.
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';

/** A PDU as the package builds and parses it: header fields plus one property per parameter. */
interface RawPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  isResponse(): boolean;
  response(options?: Record<string, unknown>): RawPdu;
  [field: string]: unknown;
}

interface RawSession extends EventEmitter {
  send(pdu: RawPdu, onResponse?: (resp: RawPdu) => void): boolean;
  close(): void;
  destroy(): void;
  socket: { writable: boolean; setNoDelay(noDelay: boolean): unknown; cork(): void; uncork(): void };
}

interface RawModule {
  connect(options: Record<string, unknown>): RawSession;
  createServer(listener: (session: RawSession) => void): Server;
  PDU: new (command: string, options: Record<string, unknown>) => RawPdu;
}

const smpp = createRequire(import.meta.url)('smpp') as RawModule;

/** SMPP 3.4 command_status values the gateway and its tests name. */
export const SmppStatus = {
  OK: 0x00,
  INVALID_MESSAGE_LENGTH: 0x01,
  INVALID_COMMAND_ID: 0x03,
  SYSTEM_ERROR: 0x08,
  INVALID_SOURCE: 0x0a,
  INVALID_DESTINATION: 0x0b,
  BIND_FAILED: 0x0d,
  INVALID_PASSWORD: 0x0e,
  INVALID_SYSTEM_ID: 0x0f,
  QUEUE_FULL: 0x14,
  THROTTLED: 0x58,
  INVALID_DATA_CODING: 0x104,
} as const;

/** Requests the gateway or a test SMSC sends; responses go through `SmppSession.respond`. */
export type SmppRequestCommand = 'bind_transceiver' | 'submit_sm' | 'deliver_sm' | 'enquire_link' | 'unbind';

/** Parameter values a PDU can carry: integers, C-strings, and octet strings (short_message). */
export type SmppParams = Readonly<Record<string, string | number | Buffer | undefined>>;

/** A message body (short_message or message_payload) as the package decodes it. */
export interface SmppMessage {
  /** The text, decoded by data_coding (0: GSM 03.38, 3: Latin-1, 8: UCS-2), or undefined for codings it does not know. */
  text: string | undefined;
  /** The raw octets, when the coding is one the package does not decode (e.g. 8-bit binary). */
  bytes: Buffer | undefined;
  /** The user data header's information elements (IEI, length, data…), when esm_class says there is one. */
  udh: Buffer[];
}

/** One received PDU, read-only, with typed access to its parameters and TLVs. */
export interface SmppPdu {
  readonly command: string;
  readonly status: number;
  readonly sequence: number;
  readonly isResponse: boolean;
  /** A C-string or string parameter/TLV (e.g. `message_id`, `source_addr`, `receipted_message_id`). */
  string(field: string): string | undefined;
  /** An integer parameter/TLV (e.g. `esm_class`, `data_coding`, `message_state`). */
  number(field: string): number | undefined;
  /** `short_message` (default) or `message_payload`, decoded. */
  message(field?: 'short_message' | 'message_payload'): SmppMessage | undefined;
}

/** The package's PDU behind each view, so `respond` can build the matching response. */
const rawOf = new WeakMap<SmppPdu, RawPdu>();

function toMessage(value: unknown): SmppMessage | undefined {
  if (Buffer.isBuffer(value)) return { text: undefined, bytes: value, udh: [] };
  if (typeof value === 'string') return { text: value, bytes: undefined, udh: [] };
  if (typeof value !== 'object' || value === null || !('message' in value)) return undefined;
  const inner: unknown = value.message;
  const udhList: unknown = 'udh' in value ? value.udh : undefined;
  const udh = Array.isArray(udhList) ? udhList.filter((u): u is Buffer => Buffer.isBuffer(u)) : [];
  if (typeof inner === 'string') return { text: inner, bytes: undefined, udh };
  if (Buffer.isBuffer(inner)) return { text: undefined, bytes: inner, udh };
  return undefined;
}

function view(raw: RawPdu): SmppPdu {
  const pdu: SmppPdu = {
    command: raw.command,
    status: raw.command_status,
    sequence: raw.sequence_number,
    isResponse: raw.isResponse(),
    string: (field) => (typeof raw[field] === 'string' ? raw[field] : undefined),
    number: (field) => (typeof raw[field] === 'number' ? raw[field] : undefined),
    message: (field = 'short_message') => toMessage(raw[field]),
  };
  rawOf.set(pdu, raw);
  return pdu;
}

function definedParams(params: SmppParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = value;
  return out;
}

export interface SmppConnectOptions {
  host: string;
  port: number;
  /** SMPP over TLS (the package then waits for the TLS handshake before `ready`). */
  tls?: boolean;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** One SMPP session over one socket: the client side (`connect`) or a server's accepted side. */
export class SmppSession {
  readonly #raw: RawSession;
  readonly #tls: boolean;
  readonly #errorListeners: Listener<[Error]>[] = [];

  /** Wraps a session of the package (use `connect`, or `createSmppServer` for the server side). */
  constructor(raw: RawSession, tls = false) {
    this.#raw = raw;
    this.#tls = tls;
    // PDUs are small and answered one by one: Nagle's algorithm would hold each behind the
    // previous one's ACK and cap the throughput of a window of submits.
    raw.socket.setNoDelay(true);
    // Without a listener an 'error' event would throw; errors reach `on('error')` callers.
    raw.on('error', (err: unknown) => this.#emitError(err));
  }

  /** Opens a TCP (or TLS) connection to an SMSC; `ready` fires once it can carry PDUs. */
  static connect(options: SmppConnectOptions): SmppSession {
    const tls = options.tls === true;
    return new SmppSession(smpp.connect({ host: options.host, port: options.port, tls }), tls);
  }

  on(event: 'ready', listener: () => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  /** Every PDU the peer sends that is not the answer to one of our requests. */
  on(event: 'request', listener: (pdu: SmppPdu) => void): this;
  on(event: 'ready' | 'close' | 'error' | 'request', listener: Listener<[Error]> | Listener<[SmppPdu]> | Listener<[]>): this {
    if (event === 'error') this.#errorListeners.push(listener as Listener<[Error]>);
    else if (event === 'request') {
      const onPdu = listener as Listener<[SmppPdu]>;
      this.#raw.on('pdu', (raw: RawPdu) => {
        if (!raw.isResponse()) this.#guard(() => onPdu(view(raw)));
      });
    } else if (event === 'ready') {
      const onReady = listener as Listener<[]>;
      // The package emits 'connect' on the TCP connection and 'secureConnect' after TLS.
      this.#raw.on(this.#tls ? 'secureConnect' : 'connect', () => this.#guard(onReady));
    } else {
      const onClose = listener as Listener<[]>;
      this.#raw.on('close', () => this.#guard(onClose));
    }
    return this;
  }

  /**
   * Sends a request; `onResponse` gets the peer's answer (or a generic_nack with the same
   * sequence number). Returns the sequence number, or null when the socket is not writable.
   */
  request(command: SmppRequestCommand, params: SmppParams, onResponse?: (resp: SmppPdu) => void): number | null {
    const pdu = new smpp.PDU(command, definedParams(params));
    const sent = this.#raw.send(pdu, onResponse ? (resp) => this.#guard(() => onResponse(view(resp))) : undefined);
    return sent ? pdu.sequence_number : null;
  }

  /** Answers a request the peer sent, with a status (an error status sends no body) and parameters. */
  respond(to: SmppPdu, status: number = SmppStatus.OK, params: SmppParams = {}): boolean {
    const raw = rawOf.get(to);
    if (!raw) throw new Error('respond() needs a PDU received on a session');
    return this.#raw.send(raw.response({ ...definedParams(params), command_status: status }));
  }

  /** Runs `fn` with the socket corked, so the PDUs it sends leave in one TCP segment. */
  batch(fn: () => void): void {
    this.#raw.socket.cork();
    try {
      fn();
    } finally {
      this.#raw.socket.uncork();
    }
  }

  get writable(): boolean {
    return this.#raw.socket.writable;
  }

  /** Ends the socket after what was written has been sent. */
  end(): void {
    this.#raw.close();
  }

  destroy(): void {
    this.#raw.destroy();
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#emitError(err);
    }
  }

  #emitError(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    for (const listener of this.#errorListeners) {
      try {
        listener(error);
      } catch {
        // An error listener that fails has nowhere left to report to.
      }
    }
  }
}

/**
 * An SMPP server (a test SMSC): `onSession` gets each accepted connection. The result is a
 * plain `net.Server` (listen, close, address).
 */
export function createSmppServer(onSession: (session: SmppSession) => void): Server {
  return smpp.createServer((raw) => onSession(new SmppSession(raw)));
}
