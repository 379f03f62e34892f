import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope, FileRef, PullPage, PulledRecord, PushResult } from '@causo/domain';
import { MemoryStore, SyncEngine, TransportError, type FileBody, type Transport } from '../src/sync/engine.ts';
import { makeEnvelope } from '../src/sync/envelopes.ts';

const DEVICE = '0190a000-0000-7000-8000-000000000001';
const HH = '0190a000-0000-7000-8000-0000000000aa';

/** A server in a test: answers what the test decides, remembers what it got. */
class FakeTransport implements Transport {
  pushed: Envelope[][] = [];
  uploads: string[] = [];
  pulls: string[] = [];
  answer: (env: Envelope) => PushResult = (env) => ({ id: env.id, result: 'accepted', version: 1 });
  pages: PullPage[] = [];
  failPush = 0;
  failPullAfter = Infinity;

  async push(_deviceId: string, envelopes: readonly Envelope[]): Promise<PushResult[]> {
    if (this.failPush > 0) {
      this.failPush--;
      throw new TransportError('network');
    }
    this.pushed.push([...envelopes]);
    return envelopes.map((e) => this.answer(e));
  }
  async pull(cursor: string): Promise<PullPage> {
    this.pulls.push(cursor);
    if (this.pulls.length > this.failPullAfter) throw new TransportError('network');
    const i = cursor === '' ? 0 : Number(cursor);
    return this.pages[i] ?? { records: [], cursor, more: false };
  }
  async uploadFile(file: FileRef, _body: FileBody): Promise<void> {
    this.uploads.push(file.sha256);
  }
}

const household = (headName: string, now = new Date('2026-11-25T02:00:00Z')) =>
  makeEnvelope({ entity: 'household', op: 'create', entityId: HH, baseVersion: null, payload: { villageCode: '25309-04', headName, address: 'Tổ 1', note: '' }, deviceId: DEVICE, memberId: 7, now });
const rename = (headName: string, baseVersion: number) =>
  makeEnvelope({ entity: 'household', op: 'update', entityId: HH, baseVersion, payload: { headName }, deviceId: DEVICE, memberId: 7 });
const pulledHousehold = (headName: string, version: number, address = 'Tổ 1'): PulledRecord => ({
  entity: 'household',
  id: HH,
  version,
  data: { villageCode: '25309-04', headName, address, note: '', memberCount: 0 },
});

function setup() {
  const store = new MemoryStore();
  const transport = new FakeTransport();
  const engine = new SyncEngine(store, transport, { deviceId: DEVICE });
  return { store, transport, engine };
}

describe('sync engine', () => {
  it('removes an envelope from the waiting list only when the server acknowledged it', async () => {
    const { store, transport, engine } = setup();
    await store.addEnvelope(await household('Lý Văn Tài'));
    transport.failPush = 1;
    await assert.rejects(engine.syncOnce(), (e: unknown) => e instanceof TransportError && e.kind === 'network');
    assert.deepEqual((await store.outbox()).map((e) => e.state), ['waiting'], 'a failed push leaves it waiting, not lost');
    const report = await engine.syncOnce();
    assert.equal(report.accepted, 1);
    assert.deepEqual((await store.outbox()).map((e) => e.state), ['sent']);
    assert.equal(await store.pruneSent('9999'), 1);
    assert.deepEqual(await store.outbox(), []);
  });

  it('sends again what was in flight when the app stopped, and a duplicate answer counts as acknowledged', async () => {
    const { store, transport, engine } = setup();
    const env = await household('Lý Văn Tài');
    await store.addEnvelope(env);
    await store.markSending([env.id]); // the app was killed here
    assert.equal(await engine.recover(), 1);
    transport.answer = (e) => ({ id: e.id, result: 'duplicate', version: 1 });
    const report = await engine.syncOnce();
    assert.equal(report.duplicates, 1);
    assert.equal(transport.pushed.flat().length, 1);
    assert.equal((await store.outbox())[0]?.state, 'sent');
  });

  it('keeps a conflict acknowledged and visible', async () => {
    const { store, transport, engine } = setup();
    await store.addEnvelope(await rename('Lý Văn Tài', 3));
    transport.answer = (e) => ({ id: e.id, result: 'conflict', version: 4, conflictIds: [12] });
    const report = await engine.syncOnce();
    assert.equal(report.conflicts, 1);
    assert.equal((await store.outbox())[0]?.state, 'conflict');
    assert.deepEqual(await store.waitingEnvelopes(), []);
  });

  it('marks a refused envelope "needs fixing" with the message, and retries a retryable refusal next round', async () => {
    const { store, transport, engine } = setup();
    const bad = await household('Lý Văn Tài');
    const later = await rename('Lý Văn Tải', 1);
    await store.addEnvelope(bad);
    await store.addEnvelope(later);
    transport.answer = (e) =>
      e.id === bad.id
        ? { id: e.id, result: 'rejected', code: 'sync.village_not_yours', message: 'Ấp này không thuộc tổ của bạn.', retryable: false }
        : { id: e.id, result: 'rejected', code: 'sync.file_missing', message: 'Thiếu ảnh.', retryable: true };
    const report = await engine.syncOnce();
    assert.equal(report.needsFixing, 1);
    assert.equal(report.retryLater, 1);
    const [first, second] = await store.outbox();
    assert.equal(first?.state, 'needs_fixing');
    assert.equal(first?.message, 'Ấp này không thuộc tổ của bạn.');
    assert.equal(second?.state, 'waiting');
    transport.answer = (e) => ({ id: e.id, result: 'accepted', version: 2 });
    await engine.syncOnce();
    assert.deepEqual((await store.outbox()).map((e) => e.state), ['needs_fixing', 'sent']);
  });

  it('uploads a photo before the envelope that refers to it, and again when the server lost it', async () => {
    const { store, transport, engine } = setup();
    const photo = { sha256: 'a'.repeat(64), type: 'image/jpeg' as const, bytes: 3 };
    const visit = await makeEnvelope({
      entity: 'visit',
      op: 'append',
      entityId: '0190a000-0000-7000-8000-0000000000bb',
      baseVersion: null,
      payload: { residentId: null, householdId: HH, actions: ['installed_vneid'], notes: '', photo },
      deviceId: DEVICE,
      memberId: 7,
    });
    await store.addEnvelope(visit, [{ ...photo, body: new Uint8Array([1, 2, 3]) }]);
    let calls = 0;
    transport.answer = (e) => (calls++ === 0 ? { id: e.id, result: 'rejected', code: 'sync.file_missing', message: 'Thiếu ảnh', retryable: true } : { id: e.id, result: 'accepted', version: null });
    await engine.syncOnce();
    assert.deepEqual(transport.uploads, [photo.sha256]);
    await engine.syncOnce();
    assert.deepEqual(transport.uploads, [photo.sha256, photo.sha256]);
    assert.equal((await store.outbox())[0]?.state, 'sent');
    assert.equal(await store.fileBody(photo.sha256), null, 'the photo is dropped once its record is acknowledged');
  });

  it('resumes a pull from the last page applied after the link drops', async () => {
    const { store, transport, engine } = setup();
    transport.pages = [
      { records: [pulledHousehold('A', 1)], cursor: '1', more: true },
      { records: [pulledHousehold('B', 2)], cursor: '2', more: true },
      { records: [pulledHousehold('C', 3)], cursor: '3', more: false },
    ];
    transport.failPullAfter = 2;
    await assert.rejects(engine.syncOnce());
    assert.equal(await store.getCursor(), '2');
    assert.equal((await store.record('household', HH))?.data.headName, 'B');
    transport.failPullAfter = Infinity;
    await engine.syncOnce();
    assert.deepEqual(transport.pulls, ['', '1', '2', '2']);
    assert.equal((await store.record('household', HH))?.data.headName, 'C');
    assert.equal(await store.getCursor(), '3');
    assert.ok(await store.getMeta('lastSyncAt'));
  });

  it('keeps the member\'s pending edit over a pulled copy, and takes the server copy once acknowledged', async () => {
    const { store, transport, engine } = setup();
    transport.pages = [{ records: [pulledHousehold('Server', 1, 'Tổ 2')], cursor: '1', more: false }];
    transport.failPush = 1;
    await store.applyPulledPage({ records: [pulledHousehold('Old', 1)], cursor: '', more: false });
    await store.addEnvelope(await rename('Mine', 1));
    await assert.rejects(engine.syncOnce());
    // A pull while the edit still waits: the server's other fields arrive, the typed name stays.
    await store.applyPulledPage({ records: [pulledHousehold('Server', 2, 'Tổ 2')], cursor: '1', more: false });
    let rec = await store.record('household', HH);
    assert.equal(rec?.data.headName, 'Mine');
    assert.equal(rec?.data.address, 'Tổ 2');
    assert.equal(rec?.server?.headName, 'Server');
    transport.pages = [{ records: [], cursor: '1', more: false }, { records: [pulledHousehold('Mine', 3, 'Tổ 2')], cursor: '2', more: false }];
    await engine.syncOnce();
    rec = await store.record('household', HH);
    assert.equal(rec?.data.headName, 'Mine');
    assert.equal(rec?.version, 3);
  });

  it('never lets an answer for another id acknowledge an envelope', async () => {
    const { store, transport, engine } = setup();
    await store.addEnvelope(await household('Lý Văn Tài'));
    transport.answer = () => ({ id: '0190a000-0000-7000-8000-00000000ffff', result: 'accepted', version: 1 });
    await engine.syncOnce();
    assert.deepEqual((await store.outbox()).map((e) => e.state), ['waiting']);
  });

  it('joins a round already running instead of sending twice', async () => {
    const { store, transport, engine } = setup();
    await store.addEnvelope(await household('Lý Văn Tài'));
    const [a, b] = await Promise.all([engine.syncOnce(), engine.syncOnce()]);
    assert.equal(a, b);
    assert.equal(transport.pushed.length, 1);
  });
});

describe('needs fixing → fixed or discarded', () => {
  const refuse = (ids: Set<string>) => (e: Envelope): PushResult =>
    ids.has(e.id) ? { id: e.id, result: 'rejected', code: 'sync.invalid', message: 'Thiếu tên chủ hộ. / The head name is missing.', retryable: false } : { id: e.id, result: 'accepted', version: 1 };

  it('sends the corrected create of a refused one (same entity id, new envelope id) and never the refused one again', async () => {
    const { store, transport, engine } = setup();
    const bad = await household('L');
    await store.addEnvelope(bad);
    transport.answer = refuse(new Set([bad.id]));
    await engine.syncOnce();
    const [refused] = await store.outbox();
    assert.equal(refused?.state, 'needs_fixing');
    assert.match(refused?.message ?? '', /Thiếu tên chủ hộ/);
    assert.equal(((await store.entry(bad.id))?.envelope.payload as { headName?: string } | undefined)?.headName, 'L', 'the form opens with what was sent');

    const fixed = await household('Lý Văn Tài', new Date('2026-11-25T03:00:00Z'));
    assert.notEqual(fixed.id, bad.id);
    assert.equal(await store.replaceEnvelope(bad.id, fixed), true);
    assert.deepEqual((await store.outbox()).map((e) => [e.envelope.id, e.state]), [[bad.id, 'discarded'], [fixed.id, 'waiting']]);
    assert.equal((await store.record('household', HH))?.data.headName, 'Lý Văn Tài');
    assert.equal(await store.replaceEnvelope(bad.id, await household('Again')), false, 'a discarded one cannot be fixed twice');
    assert.equal(await store.discardEnvelope(bad.id), false);

    transport.pushed = [];
    transport.answer = (e) => ({ id: e.id, result: 'accepted', version: 1 });
    const report = await engine.syncOnce();
    assert.equal(report.accepted, 1);
    assert.deepEqual(transport.pushed.flat().map((e) => [e.id, e.op, e.entityId]), [[fixed.id, 'create', HH]]);
    assert.deepEqual((await store.outbox()).map((e) => e.state), ['discarded', 'sent']);
    assert.equal(await store.pruneSent('9999'), 2, 'discarded ones are pruned like sent ones');
    assert.deepEqual(await store.outbox(), []);
  });

  it('only fixes or discards an envelope that needs fixing', async () => {
    const { store } = setup();
    const waiting = await household('Lý Văn Tài');
    await store.addEnvelope(waiting);
    assert.equal(await store.replaceEnvelope(waiting.id, await household('Other')), false);
    assert.equal(await store.discardEnvelope(waiting.id), false);
    assert.deepEqual((await store.outbox()).map((e) => e.state), ['waiting']);
    assert.equal((await store.record('household', HH))?.data.headName, 'Lý Văn Tài');
  });

  it('discarding a refused create removes the record; discarding a refused update leaves the server copy and the other pending edits', async () => {
    const { store, transport, engine } = setup();
    const create = await household('Lý Văn Tài');
    await store.addEnvelope(create);
    transport.answer = refuse(new Set([create.id]));
    await engine.syncOnce();
    assert.equal(await store.discardEnvelope(create.id), true);
    assert.equal(await store.record('household', HH), null, 'the server never had it: nothing is left of it');
    assert.deepEqual(await store.waitingEnvelopes(), []);

    await store.applyPulledPage({ records: [pulledHousehold('Server', 2, 'Tổ 2')], cursor: '1', more: false });
    const badRename = await rename('X', 2);
    await store.addEnvelope(badRename);
    const note = await makeEnvelope({ entity: 'household', op: 'update', entityId: HH, baseVersion: 2, payload: { note: 'nhà gần trường' }, deviceId: DEVICE, memberId: 7 });
    transport.answer = refuse(new Set([badRename.id]));
    transport.pages = [{ records: [], cursor: '1', more: false }];
    await store.addEnvelope(note);
    await engine.syncOnce();
    assert.deepEqual((await store.outbox()).map((e) => e.state).slice(-2), ['needs_fixing', 'sent']);
    let rec = await store.record('household', HH);
    assert.equal(rec?.data.headName, 'X', 'a refused edit stays on screen until it is fixed or discarded');
    assert.equal(await store.discardEnvelope(badRename.id), true);
    rec = await store.record('household', HH);
    assert.equal(rec?.data.headName, 'Server');
    assert.equal(rec?.data.address, 'Tổ 2');
    assert.equal(rec?.version, 2);
    // A later pull lays nothing of the discarded edit over the server copy.
    await store.applyPulledPage({ records: [pulledHousehold('Server', 3, 'Tổ 3')], cursor: '2', more: false });
    assert.equal((await store.record('household', HH))?.data.headName, 'Server');
  });

  it('a fixed update carries the corrected fields on the version the phone knows now', async () => {
    const { store, transport, engine } = setup();
    await store.applyPulledPage({ records: [pulledHousehold('Server', 4)], cursor: '1', more: false });
    const bad = await rename('X', 4);
    await store.addEnvelope(bad);
    transport.answer = refuse(new Set([bad.id]));
    transport.pages = [{ records: [], cursor: '1', more: false }];
    await engine.syncOnce();
    const fixed = await rename('Lý Văn Tài', 4);
    assert.equal(await store.replaceEnvelope(bad.id, fixed), true);
    const rec = await store.record('household', HH);
    assert.equal(rec?.data.headName, 'Lý Văn Tài');
    assert.equal(rec?.server?.headName, 'Server');
    transport.answer = (e) => ({ id: e.id, result: 'accepted', version: 5 });
    await engine.syncOnce();
    assert.equal((await store.record('household', HH))?.version, 5);
  });

  it('keeps the photo of a refused visit for its correction, and drops it when the visit is discarded', async () => {
    const { store, transport, engine } = setup();
    const photo = { sha256: 'b'.repeat(64), type: 'image/jpeg' as const, bytes: 3 };
    const visit = (notes: string) =>
      makeEnvelope({ entity: 'visit', op: 'append', entityId: '0190a000-0000-7000-8000-0000000000cc', baseVersion: null, payload: { residentId: null, householdId: HH, actions: ['installed_vneid'], notes, photo }, deviceId: DEVICE, memberId: 7 });
    const first = await visit('');
    await store.addEnvelope(first, [{ ...photo, body: new Uint8Array([1, 2, 3]) }]);
    transport.answer = refuse(new Set([first.id]));
    await engine.syncOnce();
    assert.ok(await store.fileBody(photo.sha256), 'a refused record keeps its photo');
    const second = await visit('sửa');
    assert.equal(await store.replaceEnvelope(first.id, second, [{ ...photo, body: new Uint8Array([1, 2, 3]) }]), true);
    assert.ok(await store.fileBody(photo.sha256), 'the correction refers to the same photo');
    assert.equal((await store.record('visit', second.entityId))?.data.notes, 'sửa');
    transport.answer = refuse(new Set([second.id]));
    await engine.syncOnce();
    assert.equal(await store.discardEnvelope(second.id), true);
    assert.equal(await store.fileBody(photo.sha256), null, 'nothing pending refers to it any more');
    assert.equal(await store.record('visit', second.entityId), null);
  });
});
