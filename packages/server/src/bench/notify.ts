/**
 * `causo bench notify`: the SMS path end to end at a steady load (issue 8's target: 200 SMS/s
 * with the outbox lag under 2 s).
 *
 * A local SMSC runs in this process (`LocalSmsc`: answers every submit_sm at once with a
 * message id and sends a DELIVRD receipt for each); a fresh database of the chosen engine; a
 * context whose SMS gateway is `SmsSmppGateway` to that SMSC, with the receipts wired in
 * (`listenToSmsGateway`); the real worker (`startSmsSender`) with the default configuration.
 * A producer writes messages into the outbox at a steady rate (small transactions every
 * 50 ms, distinct recipients, `at: ctx.now()` so created_at and sent_at are on one clock) for
 * a fixed time, then the outbox is left to drain. Printed: messages sent, wall time, the rate
 * counted at the SMSC (steady state), outbox lag (sent_at − created_at), receipts recorded,
 * errors, and PASS/FAIL against the target.
 *
 * `LocalSmsc` is also the SMSC of the end-to-end notification tests (test/notify/).
 */
import type { Server } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { SmsSmppGateway } from '../adapters/sms/smppGateway.ts';
import { createSmppServer, SmppStatus, type SmppPdu, type SmppSession } from '../adapters/sms/smppModule.ts';
import { queueMessage } from '../modules/notify/outbox.ts';
import { startSmsSender } from '../modules/notify/sender.ts';
import { listenToSmsGateway } from '../modules/notify/service.ts';
import { benchDatabase, percentile, type BenchEngine } from './engines.ts';
import type { Db } from '../db/database.ts';

// ---------------------------------------------------------------------------------------
// A local SMSC

/** One submit_sm as the SMSC received it. */
export interface SmscSubmit {
  /** 1-based, in arrival order at this SMSC. */
  readonly n: number;
  readonly text: string;
  /** destination_addr (84…). */
  readonly to: string;
  /** performance.now() at arrival. */
  readonly at: number;
  /** The status answered, or null while unanswered (held). */
  status: number | null;
  /** The message id answered with an OK status. */
  messageId: string | null;
}

/** A receipt stat word (SMPP 3.4 appendix B). */
export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'REJECTD' | 'EXPIRED' | 'ENROUTE' | 'ACCEPTD';

/** How to answer a submit: a status (with a receipt to send after an OK), or hold it unanswered. */
export type SmscAnswer = { status: number; receipt?: { stat: ReceiptStat; err?: string; delayMs?: number } | null } | 'hold';

const MESSAGE_STATE: Readonly<Record<ReceiptStat, number>> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, UNDELIV: 5, ACCEPTD: 6, REJECTD: 8 };

function receiptDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/**
 * An SMSC on loopback (the `smpp` package's server): binds one system id and password as a
 * transceiver, records every submit_sm, answers as `answer` says (by default OK with an id
 * and a DELIVRD receipt), answers enquire_link and unbind, and counts the gateway's answers to
 * its receipts.
 */
export class LocalSmsc {
  readonly submits: SmscSubmit[] = [];
  /** command_status of each deliver_sm_resp (0 = the receipt was recorded). */
  readonly receiptAnswers: number[] = [];
  binds = 0;
  answer: (s: SmscSubmit) => SmscAnswer = () => ({ status: SmppStatus.OK, receipt: { stat: 'DELIVRD' } });
  readonly #sessions = new Set<SmppSession>();
  readonly #submitSession = new WeakMap<SmscSubmit, SmppSession>();
  #nextId = 1;
  #server: Server | null = null;
  port = 0;

  private constructor(
    readonly systemId: string,
    readonly password: string,
  ) {}

  static async start(opts: { systemId: string; password: string; port?: number; host?: string }): Promise<LocalSmsc> {
    const smsc = new LocalSmsc(opts.systemId, opts.password);
    const server = createSmppServer((session) => smsc.#accept(session));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address();
    smsc.port = typeof address === 'object' && address ? address.port : 0;
    smsc.#server = server;
    return smsc;
  }

  /** How many times each text reached the SMSC (every submit_sm, whatever it was answered). */
  countsByText(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const s of this.submits) counts.set(s.text, (counts.get(s.text) ?? 0) + 1);
    return counts;
  }

  /** Forgets the submits and receipt answers so far (after a warm-up). */
  reset(): void {
    this.submits.length = 0;
    this.receiptAnswers.length = 0;
  }

  /** Texts accepted (answered OK). */
  accepted(): SmscSubmit[] {
    return this.submits.filter((s) => s.status === SmppStatus.OK);
  }

  #accept(session: SmppSession): void {
    this.#sessions.add(session);
    session.on('error', () => {});
    session.on('close', () => this.#sessions.delete(session));
    session.on('request', (pdu) => this.#onRequest(session, pdu));
  }

  #onRequest(session: SmppSession, pdu: SmppPdu): void {
    switch (pdu.command) {
      case 'bind_transceiver': {
        this.binds += 1;
        const ok = pdu.string('system_id') === this.systemId && pdu.string('password') === this.password;
        session.respond(pdu, ok ? SmppStatus.OK : SmppStatus.INVALID_PASSWORD, { system_id: 'CAUSO-SMSC' });
        return;
      }
      case 'submit_sm':
        return this.#onSubmit(session, pdu);
      case 'enquire_link':
        session.respond(pdu);
        return;
      case 'unbind':
        session.respond(pdu);
        session.end();
        return;
      default:
        session.respond(pdu, SmppStatus.INVALID_COMMAND_ID);
    }
  }

  #onSubmit(session: SmppSession, pdu: SmppPdu): void {
    const message = pdu.message();
    const submit: SmscSubmit = {
      n: this.submits.length + 1,
      text: message?.text ?? message?.bytes?.toString('latin1') ?? '',
      to: pdu.string('destination_addr') ?? '',
      at: performance.now(),
      status: null,
      messageId: null,
    };
    this.submits.push(submit);
    this.#submitSession.set(submit, session);
    const answer = this.answer(submit);
    if (answer === 'hold') return;
    submit.status = answer.status;
    if (answer.status !== SmppStatus.OK) {
      session.respond(pdu, answer.status);
      return;
    }
    const id = `m${this.#nextId++}`;
    submit.messageId = id;
    session.respond(pdu, SmppStatus.OK, { message_id: id });
    const receipt = answer.receipt;
    if (!receipt) return;
    const send = () => void this.#sendReceipt(session, submit, receipt.stat, receipt.err).catch(() => {});
    if (receipt.delayMs) setTimeout(send, receipt.delayMs);
    else send();
  }

  /**
   * Sends a delivery receipt for an accepted submit on the session it came from (or the latest),
   * and resolves with the gateway's deliver_sm_resp status.
   */
  sendReceipt(submit: SmscSubmit, stat: ReceiptStat, err?: string): Promise<number> {
    const session = this.#submitSession.get(submit) ?? [...this.#sessions].at(-1);
    if (!session) return Promise.reject(new Error('no SMPP session to send the receipt on'));
    return this.#sendReceipt(session, submit, stat, err);
  }

  #sendReceipt(session: SmppSession, submit: SmscSubmit, stat: ReceiptStat, err = stat === 'DELIVRD' ? '000' : '001'): Promise<number> {
    const id = submit.messageId;
    if (!id) return Promise.reject(new Error(`submit ${submit.n} was not accepted: no message id to report on`));
    const now = receiptDate(new Date());
    const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${now} done date:${now} stat:${stat} err:${err} text:`;
    const params = { source_addr: submit.to, destination_addr: 'CAUSO', esm_class: 0x04, data_coding: 0, short_message: text, receipted_message_id: id, message_state: MESSAGE_STATE[stat] };
    return new Promise((resolve, reject) => {
      const sent = session.request('deliver_sm', params, (resp) => {
        this.receiptAnswers.push(resp.status);
        resolve(resp.status);
      });
      if (sent === null) reject(new Error('SMPP session not writable'));
    });
  }

  /** Drops every connection and stops listening, like an SMSC going down. */
  stop(): Promise<void> {
    for (const session of this.#sessions) session.destroy();
    const server = this.#server;
    this.#server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------
// The benchmark

export const NOTIFY_TARGET = { perSecond: 200, lagMs: 2_000 } as const;

export interface NotifyBenchOptions {
  engines: BenchEngine[];
  serverUrl?: string | undefined;
  log: (line: string) => void;
  /** How long the producer writes (default 30 s). */
  seconds?: number;
  /** Messages written per second (default 200). */
  rate?: number;
  /** SMS_SEND_INTERVAL_MS for the worker; the configuration's default when unset. */
  intervalMs?: number | undefined;
  /** How long after accepting a message the SMSC sends its DELIVRD receipt (default 0: at once; networks take seconds). */
  receiptDelayMs?: number | undefined;
}

export interface NotifyBenchResult {
  engine: BenchEngine;
  intervalMs: number;
  produced: number;
  sent: number;
  wallMs: number;
  /** Submits per second at the SMSC over the steady window, and the slowest and fastest second in it. */
  steadyPerSecond: number;
  minSecond: number;
  maxSecond: number;
  lag: { p50: number; p95: number; p99: number; max: number };
  delivered: number;
  errors: number;
  pass: boolean;
}

const SYSTEM_ID = 'causo';
const PASSWORD = 'bench123';
const TICK_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pino logger that counts lines at warn and above (and keeps the first few for the report). */
function countingLogger(): { log: pino.Logger; warnings: () => number; errors: () => number; samples: string[] } {
  let warnings = 0;
  let errors = 0;
  const samples: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (!level) continue;
        if (Number(level) >= 50) errors += 1;
        else if (Number(level) >= 40) warnings += 1;
        if (Number(level) >= 40 && samples.length < 5) samples.push(line.slice(0, 300));
      }
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), warnings: () => warnings, errors: () => errors, samples };
}

async function outboxCounts(db: Db, fromId = 0): Promise<Map<string, number>> {
  const rows = await db.kysely
    .selectFrom('notify_outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('id', '>=', fromId)
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** Whether every row from `fromId` on is sent and its receipt recorded. */
async function drained(db: Db, fromId: number): Promise<Map<string, number> | null> {
  const c = await outboxCounts(db, fromId);
  return (c.get('queued') ?? 0) + (c.get('sending') ?? 0) + (c.get('failed_temporary') ?? 0) === 0 ? c : null;
}

/**
 * Sends a few messages through the whole path first (the SMPP bind, the code loaded on first
 * use, PGlite's caches), so the figures are the steady state's; returns the first id after them.
 */
async function warmUp(ctx: AppContext, smsc: LocalSmsc): Promise<number> {
  await ctx.db.transaction(async (trx) => {
    for (let i = 0; i < 50; i++) await queueMessage(trx, ctx.vault, { to: `08${String(10_000_000 + i).slice(-8)}`, text: `Cau So: khoi dong ${i}`, purpose: 'other', at: ctx.now() });
  });
  const until = Date.now() + 60_000;
  while (!(await drained(ctx.db, 0)) || smsc.receiptAnswers.length < 50) {
    if (Date.now() > until) throw new Error('the warm-up messages were not sent within 60 s');
    await sleep(20);
  }
  const last = await ctx.db.kysely.selectFrom('notify_outbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
  smsc.reset();
  return Number(last.id ?? 0) + 1;
}

/** Writes `rate` messages a second for `seconds`, in one transaction every TICK_MS. */
async function produce(ctx: AppContext, rate: number, seconds: number): Promise<number> {
  const started = performance.now();
  const total = rate * seconds;
  let written = 0;
  while (written < total) {
    const elapsed = (performance.now() - started) / 1000;
    const due = Math.min(total, Math.floor(elapsed * rate)) - written;
    if (due > 0) {
      const first = written;
      await ctx.db.transaction(async (trx) => {
        for (let i = 0; i < due; i++) {
          const n = first + i;
          // Distinct recipients: the per-recipient hourly limit must not hold anything back.
          await queueMessage(trx, ctx.vault, { to: `09${String(10_000_000 + n).slice(-8)}`, text: `Cau So: thong bao thu ${n}`, purpose: 'other', at: ctx.now() });
        }
      });
      written += due;
    }
    const next = started + (Math.floor((performance.now() - started) / TICK_MS) + 1) * TICK_MS;
    await sleep(Math.max(0, next - performance.now()));
  }
  return written;
}

async function runOne(engine: BenchEngine, o: Required<Pick<NotifyBenchOptions, 'seconds' | 'rate'>> & NotifyBenchOptions): Promise<NotifyBenchResult> {
  const { log } = o;
  const { db, dispose } = await benchDatabase(engine, o.serverUrl);
  const smsc = await LocalSmsc.start({ systemId: SYSTEM_ID, password: PASSWORD });
  const receiptDelayMs = o.receiptDelayMs ?? 0;
  smsc.answer = () => ({ status: SmppStatus.OK, receipt: { stat: 'DELIVRD', delayMs: receiptDelayMs } });
  const logger = countingLogger();
  const config = loadConfig({ LOG_LEVEL: 'warn', ...(o.intervalMs ? { SMS_SEND_INTERVAL_MS: String(o.intervalMs) } : {}) });
  const gateway = new SmsSmppGateway({ host: '127.0.0.1', port: smsc.port, systemId: SYSTEM_ID, password: PASSWORD, sourceAddr: 'CAUSO', windowSize: config.SMPP_WINDOW, log: logger.log });
  const ctx = createContext(config, db, logger.log, () => new Date(), { sms: gateway });
  listenToSmsGateway(ctx);
  const worker = startSmsSender(ctx);
  log(`[${engine}] producing ${o.rate} SMS/s for ${o.seconds} s (SMS_SEND_INTERVAL_MS ${config.SMS_SEND_INTERVAL_MS}, SMS_RATE_PER_SECOND ${config.SMS_RATE_PER_SECOND}, SMPP_WINDOW ${config.SMPP_WINDOW}, NOTIFY_LEASE_MS ${config.NOTIFY_LEASE_MS}; receipts ${receiptDelayMs ? `${receiptDelayMs} ms after the answer` : 'at once'})`);
  try {
    const firstId = await warmUp(ctx, smsc);
    const t0 = performance.now();
    const produced = await produce(ctx, o.rate, o.seconds);
    const producedAt = performance.now();
    // Drain: every row handed over and recorded.
    const drainUntil = Date.now() + 60_000 + o.seconds * 1000;
    while (!(await drained(db, firstId))) {
      if (Date.now() > drainUntil) {
        log(`[${engine}] the outbox did not drain: ${JSON.stringify(Object.fromEntries(await outboxCounts(db, firstId)))}`);
        break;
      }
      await sleep(20);
    }
    const wallMs = performance.now() - t0;
    // Receipts trail the sends by a round trip and a database write.
    const receiptsUntil = Date.now() + 15_000;
    while (smsc.receiptAnswers.length < smsc.accepted().length && Date.now() < receiptsUntil) await sleep(20);
    await sleep(100);
    await worker.stop();

    const counts = await outboxCounts(db, firstId);
    const sent = (counts.get('sent') ?? 0) + (counts.get('delivered') ?? 0);
    const delivered = counts.get('delivered') ?? 0;
    const lags = (await db.kysely.selectFrom('notify_outbox').select(['created_at', 'sent_at']).where('id', '>=', firstId).where('sent_at', 'is not', null).execute())
      .map((r) => (r.sent_at ? r.sent_at.getTime() - r.created_at.getTime() : NaN))
      .sort((a, b) => a - b);
    // Steady state: the whole seconds of production after the first (the producer and worker fall into step).
    const from = t0 + 1_000;
    const seconds = Math.max(1, Math.floor((producedAt - from) / 1000));
    const perSecond = Array.from({ length: seconds }, () => 0);
    for (const s of smsc.submits) {
      const i = Math.floor((s.at - from) / 1000);
      if (i >= 0 && i < seconds) perSecond[i] = (perSecond[i] ?? 0) + 1;
    }
    const steadyPerSecond = perSecond.reduce((a, b) => a + b, 0) / seconds;
    const refusedReceipts = smsc.receiptAnswers.filter((s) => s !== 0).length;
    const errors = (counts.get('failed_permanent') ?? 0) + (counts.get('failed_temporary') ?? 0) + logger.errors() + logger.warnings() + refusedReceipts;
    const lag = { p50: percentile(lags, 50), p95: percentile(lags, 95), p99: percentile(lags, 99), max: lags.at(-1) ?? NaN };
    const duplicates = smsc.submits.length - new Set(smsc.submits.map((s) => s.text)).size;
    const pass = sent === produced && duplicates === 0 && steadyPerSecond >= NOTIFY_TARGET.perSecond * 0.95 && lag.max < NOTIFY_TARGET.lagMs;
    const r = (n: number) => Math.round(n);
    log(`[${engine}] messages: produced ${produced}, sent ${sent}, reached the SMSC ${smsc.submits.length} (${duplicates} twice)`);
    log(
      `[${engine}] wall time: ${(wallMs / 1000).toFixed(1)} s (production ${((producedAt - t0) / 1000).toFixed(1)} s, i.e. ${(produced / ((producedAt - t0) / 1000)).toFixed(1)} written/s; then the drain ${((wallMs - (producedAt - t0)) / 1000).toFixed(1)} s)`,
    );
    log(`[${engine}] through the SMPP adapter: ${steadyPerSecond.toFixed(1)} SMS/s steady (${seconds} s window; slowest second ${Math.min(...perSecond)}, fastest ${Math.max(...perSecond)})`);
    log(`[${engine}] outbox lag (sent_at − created_at): p50 ${r(lag.p50)} ms, p95 ${r(lag.p95)} ms, p99 ${r(lag.p99)} ms, max ${r(lag.max)} ms`);
    log(`[${engine}] receipts recorded: ${delivered} delivered; the gateway answered ${smsc.receiptAnswers.length} receipts (${refusedReceipts} with an error)`);
    log(`[${engine}] errors: ${errors} (failed rows ${(counts.get('failed_permanent') ?? 0) + (counts.get('failed_temporary') ?? 0)}, logged errors ${logger.errors()}, warnings ${logger.warnings()})${logger.samples.length ? `\n    ${logger.samples.join('\n    ')}` : ''}`);
    log(
      `[${engine}] ${pass ? 'PASS' : 'FAIL'}: target ${NOTIFY_TARGET.perSecond} SMS/s with the outbox lag under ${NOTIFY_TARGET.lagMs / 1000} s (every message sent once, steady rate ≥ 95% of the target, max lag < ${NOTIFY_TARGET.lagMs} ms)`,
    );
    return {
      engine,
      intervalMs: config.SMS_SEND_INTERVAL_MS,
      produced,
      sent,
      wallMs,
      steadyPerSecond,
      minSecond: Math.min(...perSecond),
      maxSecond: Math.max(...perSecond),
      lag,
      delivered,
      errors,
      pass,
    };
  } finally {
    await worker.stop();
    await gateway.close();
    await smsc.stop();
    await dispose();
  }
}

export async function benchNotify(o: NotifyBenchOptions): Promise<NotifyBenchResult[]> {
  const options = { ...o, seconds: o.seconds ?? 30, rate: o.rate ?? NOTIFY_TARGET.perSecond };
  const results: NotifyBenchResult[] = [];
  for (const engine of o.engines) results.push(await runOne(engine, options));
  return results;
}
