/**
 * The telecom subscriber register, simulated from a CSV file (the demo ships
 * `seed/demo/subscribers.csv`). It behaves like the real register: it takes a while to
 * answer, sometimes does not answer at all (a timeout), knows only the numbers in its file,
 * and says "mismatched" when the number is registered to someone else. Every answer names
 * the register as `simulator`, so nothing can pass a simulated check off as a real one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { foldDiacritics } from '@causo/domain';
import { normalizeLookup } from '../../security/vault.ts';
import { mulberry32, type Rng } from '../../seed/random.ts';
import type { OwnershipAnswer, SubscriberCheck, TelecomRegister } from './port.ts';

export const DEMO_SUBSCRIBER_FILE = fileURLToPath(new URL('../../../seed/demo/subscribers.csv', import.meta.url));

export interface Subscriber {
  phone: string;
  idNumber: string;
  fullName: string;
  birthDate: string;
  carrier: string;
  /** `timeout`: the register never answers in time for this number. */
  status: 'active' | 'timeout';
}

const Row = z.object({
  phone: z.string().regex(/^(\+?84|0)\d{9}$/, 'phone must be a Vietnamese mobile number such as 0912345678'),
  id_number: z.string().regex(/^\d{12}$/, 'id_number must be 12 digits'),
  full_name: z.string().min(1, 'full_name is empty'),
  birth_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'birth_date must be YYYY-MM-DD'),
  carrier: z.string().default(''),
  status: z.enum(['active', 'timeout']),
});

/** Reads a subscriber file; a bad line stops the start with its line number. */
export function parseSubscribers(csv: string, source = 'subscribers.csv'): Subscriber[] {
  const records = parse(csv, { columns: true, comment: '#', skip_empty_lines: true, trim: true, info: true }) as { record: Record<string, string>; info: { lines: number } }[];
  return records.map(({ record, info }) => {
    const r = Row.safeParse(record);
    if (!r.success) throw new Error(`${source} line ${info.lines}: ${r.error.issues.map((i) => i.message).join('; ')}`);
    const d = r.data;
    return { phone: normalizeLookup('phone', d.phone), idNumber: d.id_number, fullName: d.full_name.normalize('NFC'), birthDate: d.birth_date, carrier: d.carrier, status: d.status };
  });
}

export function loadSubscriberFile(path: string): Subscriber[] {
  return parseSubscribers(readFileSync(path, 'utf8'), path);
}

/** `300-1500` → [300, 1500]; `0` → [0, 0]. */
export function parseLatency(spec: string): [number, number] {
  const [a, b] = spec.split('-').map(Number);
  const min = a ?? 0;
  const max = b ?? min;
  return [Math.min(min, max), Math.max(min, max)];
}

export interface SimulatorOptions {
  subscribers: Subscriber[];
  /** Answer time range in milliseconds; [0, 0] answers at once (tests). */
  latencyMs?: [number, number];
  /** Share of checks that time out whatever the number (0 in tests). */
  timeoutRate?: number;
  /** How long a timeout takes before it is reported, like the real client's deadline. */
  timeoutMs?: number;
  /** Seed of the PRNG that draws latencies and timeouts, so a run can be replayed. */
  seed?: number;
}

/** People's names are compared as a carrier clerk would: case, spacing and tone marks aside. */
const sameName = (a: string, b: string): boolean => foldDiacritics(a).replace(/\s+/g, ' ').trim() === foldDiacritics(b).replace(/\s+/g, ' ').trim();

const wait = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export class TelecomSimulator implements TelecomRegister {
  readonly name = 'simulator';
  readonly #byPhone: Map<string, Subscriber>;
  readonly #latency: [number, number];
  readonly #timeoutRate: number;
  readonly #timeoutMs: number;
  readonly #rng: Rng;

  constructor(opts: SimulatorOptions) {
    this.#byPhone = new Map(opts.subscribers.map((s) => [s.phone, s]));
    this.#latency = opts.latencyMs ?? [0, 0];
    this.#timeoutRate = opts.timeoutRate ?? 0;
    this.#timeoutMs = opts.timeoutMs ?? 0;
    this.#rng = mulberry32(opts.seed ?? 20_220_815);
  }

  async checkOwnership(q: SubscriberCheck): Promise<OwnershipAnswer> {
    const subscriber = this.#byPhone.get(normalizeLookup('phone', q.phone));
    const unlucky = this.#timeoutRate > 0 && this.#rng() < this.#timeoutRate;
    if (subscriber?.status === 'timeout' || unlucky) {
      await wait(this.#timeoutMs);
      return { result: 'unavailable', register: this.name, reason: 'timeout' };
    }
    const [min, max] = this.#latency;
    await wait(min + Math.round(this.#rng() * (max - min)));
    if (!subscriber) return { result: 'unknown_number', register: this.name };
    const same = subscriber.idNumber === normalizeLookup('id', q.idNumber) && subscriber.birthDate === q.birthDate && sameName(subscriber.fullName, q.fullName);
    return { result: same ? 'matched' : 'mismatched', register: this.name };
  }
}
