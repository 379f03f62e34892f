/**
 * A simulated phone: the field app's own sync engine, memory store and HTTP transport (the code
 * that runs in the browser, minus IndexedDB), with a member who records things offline at random:
 * new households with residents, edits of households and residents (often the same few shared
 * households, to provoke conflicts), visits, blockers and their resolution, follow-ups.
 * Every envelope is built with the app's own `makeEnvelope` from data the generator keeps valid.
 */
import { BLOCKER_REASONS, EMPTY_READINESS, VISIT_ACTIONS, uuidv7, type Envelope, type FileRef, type PullPage, type PushResult } from '@causo/domain';
import { HttpTransport, MemoryStore, SyncEngine, TransportError, type FileBody, type LocalRecord, type Transport } from '@causo/field';
import { baseVersionOf, makeEnvelope, type EnvelopeInput } from '../../../field/src/sync/envelopes.ts';

import { mulberry32, type Rng } from '../../src/seed/random.ts';

export type { Rng };
/** Seeded randomness (the demo's PRNG). */
export const seeded = mulberry32;

export const pick = <T>(rng: Rng, xs: readonly T[]): T => {
  const x = xs[Math.floor(rng() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
};

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Hoàng', 'Nông', 'Lò', 'Điểu', 'Thị', 'Đinh', 'Lục'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Thanh', 'Đức', 'Ngọc'];
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Hà', 'Khánh', 'Lan', 'Mai', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Thảo', 'Vy'];
const NOTES = ['Cần hướng dẫn lại', 'Đã cài VNeID', 'Chưa có sóng', 'Con đi làm xa', 'Hẹn tuần sau', 'Điện thoại hỏng màn hình', ''];

/** What all devices know: the team of each village, the shared households everyone edits. */
export interface World {
  teams: Map<string, number[]>;
  hot: Map<string, string[]>;
}

export interface DeviceIdentity {
  label: string;
  username: string;
  password: string;
  memberId: number;
  deviceId: string;
  token: string;
  villages: string[];
}

/** The server's answers as the engine received them (an answer the link dropped never gets here). */
export class RecordingTransport implements Transport {
  readonly answers = new Map<string, PushResult[]>();
  pushes = 0;
  pulls = 0;
  constructor(private readonly inner: Transport) {}
  async push(deviceId: string, envelopes: readonly Envelope[]): Promise<PushResult[]> {
    this.pushes++;
    const results = await this.inner.push(deviceId, envelopes);
    for (const r of results) this.answers.set(r.id, [...(this.answers.get(r.id) ?? []), r]);
    return results;
  }
  pull(cursor: string, limit: number): Promise<PullPage> {
    this.pulls++;
    return this.inner.pull(cursor, limit);
  }
  uploadFile(file: FileRef, body: FileBody): Promise<void> {
    return this.inner.uploadFile(file, body);
  }
}

export class SimDevice {
  readonly store = new MemoryStore();
  readonly transport: RecordingTransport;
  readonly engine: SyncEngine;
  readonly created: Envelope[] = [];
  readonly failures = new Map<string, number>();
  rounds = 0;
  private n = 0;

  constructor(
    readonly id: DeviceIdentity,
    baseUrl: string,
    private readonly rng: Rng,
    private readonly world: World,
    opts: { pushBatch?: number; pullLimit?: number } = {},
  ) {
    this.transport = new RecordingTransport(new HttpTransport({ baseUrl, token: id.token, deviceId: id.deviceId, timeoutMs: 30_000 }));
    this.engine = new SyncEngine(this.store, this.transport, { deviceId: id.deviceId, ...opts });
  }

  /** One sync round; a failed link is expected (it is counted, and the next round tries again). */
  async sync(): Promise<boolean> {
    try {
      await this.engine.syncOnce();
      return true;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      const key = `${err.kind}${err.status ? ` ${err.status}` : ''}${err.code ? ` ${err.code}` : ''}`;
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
      return false;
    }
  }

  async outboxWaiting(): Promise<number> {
    return (await this.store.outbox()).filter((e) => e.state === 'waiting' || e.state === 'sending').length;
  }

  async add(input: Omit<EnvelopeInput, 'deviceId' | 'memberId'>): Promise<Envelope> {
    const e = await makeEnvelope({ ...input, deviceId: this.id.deviceId, memberId: this.id.memberId });
    await this.store.addEnvelope(e);
    this.created.push(e);
    return e;
  }

  private name(): string {
    return `${pick(this.rng, FAMILY)} ${pick(this.rng, MIDDLE)} ${pick(this.rng, GIVEN)}`;
  }

  /**
   * A unique tag for texts. Texts are kept trimmed: the app's makeEnvelope hashes the payload
   * before the schema trims it, so a note with a trailing space is refused as damaged
   * (sync.hash_mismatch, retried forever); reported to the lead, not this test's subject.
   */
  private stamp(): string {
    return `${this.id.label}#${++this.n}`;
  }

  private async households(): Promise<LocalRecord[]> {
    return (await this.store.records('household')).filter((h) => this.id.villages.includes(String(h.data.villageCode)));
  }

  /** A household to work on: one of the shared ones most of the time when `hot`. */
  private async someHousehold(hot: boolean): Promise<LocalRecord | null> {
    const all = await this.households();
    if (all.length === 0) return null;
    if (hot) {
      const shared = new Set(this.id.villages.flatMap((v) => this.world.hot.get(v) ?? []));
      const known = all.filter((h) => shared.has(h.id));
      if (known.length && this.rng() < 0.8) return pick(this.rng, known);
    }
    return pick(this.rng, all);
  }

  private async residentsOf(householdId: string): Promise<LocalRecord[]> {
    return (await this.store.records('resident')).filter((r) => r.data.householdId === householdId);
  }

  async newHousehold(residents = Math.floor(this.rng() * 4), village = pick(this.rng, this.id.villages)): Promise<string> {
    const id = uuidv7();
    const head = this.name();
    await this.add({ entity: 'household', op: 'create', entityId: id, baseVersion: null, payload: { villageCode: village, headName: head, address: `Tổ ${1 + Math.floor(this.rng() * 12)}`, note: '' } });
    for (let i = 0; i < residents; i++) await this.newResident(id, i === 0 ? head : this.name(), i === 0 ? 'chủ hộ' : pick(this.rng, ['vợ', 'chồng', 'con', 'cháu']));
    return id;
  }

  async newResident(householdId: string, fullName = this.name(), relation = 'con'): Promise<void> {
    const year = 1940 + Math.floor(this.rng() * 80);
    await this.add({
      entity: 'resident',
      op: 'create',
      entityId: uuidv7(),
      baseVersion: null,
      payload: {
        householdId,
        fullName,
        birthYear: year,
        birthDate: this.rng() < 0.3 ? `${year}-0${1 + Math.floor(this.rng() * 9)}-1${Math.floor(this.rng() * 10)}` : null,
        sex: this.rng() < 0.5 ? 'male' : 'female',
        ethnicity: pick(this.rng, ['Kinh', 'Tày', 'Nùng', "S'tiêng"]),
        idNumber: this.rng() < 0.5 ? `0${String(Math.floor(this.rng() * 1e11)).padStart(11, '0')}` : null,
        phones: this.rng() < 0.6 ? [this.phone()] : [],
        relation,
        ...EMPTY_READINESS,
      },
    });
  }

  private phone(): string {
    return `0${pick(this.rng, ['9', '8', '3'])}${String(Math.floor(this.rng() * 1e8)).padStart(8, '0')}`;
  }

  /** A newborn or someone moving in: a resident added to a household that already exists. */
  async newMember(): Promise<void> {
    const h = await this.someHousehold(true);
    if (h) await this.newResident(h.id);
  }

  async editHousehold(): Promise<void> {
    const h = await this.someHousehold(true);
    if (!h) return;
    const payload: Record<string, unknown> = {};
    const fields = ['headName', 'address', 'note'].filter(() => this.rng() < 0.5);
    for (const f of fields.length ? fields : ['note']) payload[f] = f === 'headName' ? this.name() : f === 'address' ? `Tổ ${1 + Math.floor(this.rng() * 12)}, ${this.stamp()}` : `${pick(this.rng, NOTES)} ${this.stamp()}`.trim();
    await this.add({ entity: 'household', op: 'update', entityId: h.id, baseVersion: baseVersionOf(h.version), payload });
  }

  async editResident(): Promise<void> {
    const h = await this.someHousehold(true);
    const people = h ? await this.residentsOf(h.id) : [];
    if (!people.length) return;
    const r = pick(this.rng, people);
    const choice = Math.floor(this.rng() * 4);
    const payload: Record<string, unknown> =
      choice === 0 ? { phones: [this.phone()] } : choice === 1 ? { vneidLevel: pick(this.rng, [0, 1, 2]), smartphone: true } : choice === 2 ? { fullName: this.name() } : { simOwnership: pick(this.rng, ['matched', 'mismatched']), coverageAtHome: this.rng() < 0.7 };
    await this.add({ entity: 'resident', op: 'update', entityId: r.id, baseVersion: baseVersionOf(r.version), payload });
  }

  async visit(): Promise<void> {
    const h = await this.someHousehold(false);
    if (!h) return;
    const people = await this.residentsOf(h.id);
    const actions = [...new Set([pick(this.rng, VISIT_ACTIONS), pick(this.rng, VISIT_ACTIONS)])];
    await this.add({ entity: 'visit', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { householdId: h.id, residentId: people.length ? pick(this.rng, people).id : null, actions, notes: `${pick(this.rng, NOTES)} ${this.stamp()}`.trim(), photo: null } });
  }

  async blocker(): Promise<void> {
    const h = await this.someHousehold(false);
    if (!h) return;
    const people = await this.residentsOf(h.id);
    await this.add({ entity: 'blocker', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { householdId: h.id, residentId: people.length && this.rng() < 0.7 ? pick(this.rng, people).id : null, reason: pick(this.rng, BLOCKER_REASONS), note: this.stamp() } });
  }

  async resolveBlocker(): Promise<void> {
    const open = (await this.store.records('blocker')).filter((b) => b.data.status === 'open');
    if (!open.length) return;
    await this.add({ entity: 'blocker_resolution', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { blockerId: pick(this.rng, open).id, how: `Đã hỗ trợ ${this.stamp()}` } });
  }

  async followUp(): Promise<void> {
    const h = await this.someHousehold(false);
    if (!h) return;
    const team = this.world.teams.get(String(h.data.villageCode)) ?? [this.id.memberId];
    const blockers = (await this.store.records('blocker')).filter((b) => b.data.householdId === h.id && b.data.status === 'open');
    await this.add({
      entity: 'follow_up',
      op: 'append',
      entityId: uuidv7(),
      baseVersion: null,
      payload: { blockerId: blockers.length ? pick(this.rng, blockers).id : null, householdId: h.id, residentId: null, dueDate: `2026-12-${String(1 + Math.floor(this.rng() * 28)).padStart(2, '0')}`, assigneeId: pick(this.rng, team), note: this.stamp() },
    });
  }

  async followUpDone(): Promise<void> {
    const open = (await this.store.records('follow_up')).filter((f) => f.data.doneAt === null);
    if (!open.length) return;
    await this.add({ entity: 'follow_up_done', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { followUpId: pick(this.rng, open).id, note: this.stamp() } });
  }

  /** A few things recorded offline, in a mix that keeps the shared households busy. */
  async work(ops: number): Promise<void> {
    for (let i = 0; i < ops; i++) {
      const r = this.rng();
      if (r < 0.08) await this.newHousehold();
      else if (r < 0.12) await this.newMember();
      else if (r < 0.4) await this.editHousehold();
      else if (r < 0.5) await this.editResident();
      else if (r < 0.75) await this.visit();
      else if (r < 0.83) await this.blocker();
      else if (r < 0.87) await this.resolveBlocker();
      else if (r < 0.95) await this.followUp();
      else await this.followUpDone();
    }
  }
}
