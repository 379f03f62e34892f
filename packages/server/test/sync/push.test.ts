/**
 * The sync protocol's push and pull on both engines: acknowledgements, harmless duplicates,
 * refused id reuse, field-level conflicts kept with both values, append-only records,
 * authorization by village, assisted applications becoming online dossiers, and portal
 * blockers reaching the team.
 */
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { uuidv7, type HouseholdFields, type PulledRecord } from '@causo/domain';
import { householdInsert } from '../../src/modules/teams/records.ts';
import { describeEachEngine } from '../support/engines.ts';
import { testContext, TestClock } from '../support/fixtures.ts';
import { push } from '../../src/modules/sync/push.ts';
import { pull } from '../../src/modules/sync/pull.ts';
import { recordChange } from '../../src/modules/sync/changes.ts';
import { recordPortalBlocker } from '../../src/modules/people/blockers.ts';
import type { FieldMember } from '../../src/modules/sync/fieldAuth.ts';
import type { AppContext } from '../../src/context.ts';
import { envelope, household, makeMember, resident, secondDevice, settled, OTHER_VILLAGE, VILLAGE } from './support.ts';

async function pullAll(ctx: AppContext, m: FieldMember, cursor?: string, limit = 500): Promise<{ records: PulledRecord[]; cursor: string; pages: number }> {
  const records: PulledRecord[] = [];
  let pages = 0;
  await settled(ctx.db);
  for (;;) {
    const page = await pull(ctx, m, cursor, limit);
    pages++;
    records.push(...page.records);
    cursor = page.cursor;
    if (!page.more) return { records, cursor, pages };
  }
}

describeEachEngine('sync push and pull', (env) => {
  let ctx: ReturnType<typeof testContext>;
  let m: FieldMember;
  before(async () => {
    ctx = testContext(env.db, new TestClock(new Date('2026-11-25T09:00:00+07:00')));
    m = await makeMember(ctx, env.db);
  });

  it('acknowledges a new record once; the same envelope again is a duplicate; the same id with other content is refused', async () => {
    const h = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    assert.deepEqual(await push(ctx, m, [h]), [{ id: h.id, result: 'accepted', version: 1 }]);
    assert.deepEqual(await push(ctx, m, [h]), [{ id: h.id, result: 'duplicate', version: 1 }]);
    const changed = { ...h, payload: household({ headName: 'Người Khác' }) };
    const [r] = await push(ctx, m, [{ ...changed, payloadHash: (await envelope(m, { entity: 'household', op: 'create', payload: changed.payload })).payloadHash }]);
    assert.equal(r?.result, 'rejected');
    assert.equal(r?.result === 'rejected' && r.code, 'sync.id_reused');
    const stored = await env.db.kysely.selectFrom('households').select(['data']).where('id', '=', h.entityId).executeTakeFirstOrThrow();
    assert.equal((stored.data as { headName: string }).headName, 'Hoàng Văn Thử');
  });

  it('refuses a payload that does not match its hash, a bad shape, and a village outside the team, storing nothing', async () => {
    const good = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    const tampered = { ...good, payload: household({ headName: 'Đổi Trên Đường' }) };
    const bad = await envelope(m, { entity: 'household', op: 'create', payload: household({ villageCode: 'x' }) });
    const outside = await envelope(m, { entity: 'household', op: 'create', payload: household({ villageCode: OTHER_VILLAGE }) });
    const results = await push(ctx, m, [tampered, bad, outside]);
    assert.deepEqual(results.map((r) => (r.result === 'rejected' ? [r.code, r.retryable] : r.result)), [['sync.hash_mismatch', true], ['sync.invalid', false], ['sync.not_in_team', false]]);
    const n = await env.db.kysely.selectFrom('sync_envelopes').select('id').where('id', 'in', [tampered.id, bad.id, outside.id]).execute();
    assert.equal(n.length, 0);
  });

  it('keeps both values when two phones edit the same field: the later device time wins, the other is a conflict', async () => {
    const other = await secondDevice(ctx, env.db, m);
    const h = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    await push(ctx, m, [h]);
    const early = await envelope(m, { entity: 'household', op: 'update', entityId: h.entityId, baseVersion: 1, occurredAt: '2026-11-25T08:00:00+07:00', payload: { headName: 'Tên Sửa Sớm', address: 'Tổ 4' } });
    const late = await envelope(other, { entity: 'household', op: 'update', entityId: h.entityId, baseVersion: 1, occurredAt: '2026-11-25T08:30:00+07:00', payload: { headName: 'Tên Sửa Muộn', note: 'ghi chú' } });
    // The later edit arrives first; the earlier one then meets it.
    assert.equal((await push(ctx, other, [late]))[0]?.result, 'accepted');
    const [r] = await push(ctx, m, [early]);
    assert.equal(r?.result, 'conflict');
    const row = await env.db.kysely.selectFrom('households').select(['data', 'version']).where('id', '=', h.entityId).executeTakeFirstOrThrow();
    // headName: the later device time is kept; address (untouched by the other phone) is applied.
    assert.deepEqual(row.data, { villageCode: VILLAGE, headName: 'Tên Sửa Muộn', address: 'Tổ 4', note: 'ghi chú' });
    assert.equal(row.version, 3);
    const c = await env.db.kysely.selectFrom('sync_conflicts').selectAll().where('entity_id', '=', h.entityId).execute();
    assert.equal(c.length, 1);
    assert.equal(c[0]?.field, 'headName');
    assert.equal(c[0]?.incoming_won, false);
    assert.deepEqual(ctx.vault.open(c[0]?.values_sealed ?? ''), { kept: 'Tên Sửa Muộn', other: 'Tên Sửa Sớm' });
    const { records } = await pullAll(ctx, m);
    const conflict = records.find((x) => x.entity === 'conflict' && x.data.entityId === h.entityId);
    assert.ok(conflict, 'the conflict reaches the phones');
  });

  it("does not call a phone's own chain of offline edits a conflict", async () => {
    const h = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    const e1 = await envelope(m, { entity: 'household', op: 'update', entityId: h.entityId, baseVersion: 1, payload: { note: 'một' } });
    const e2 = await envelope(m, { entity: 'household', op: 'update', entityId: h.entityId, baseVersion: 1, payload: { note: 'hai' } });
    const results = await push(ctx, m, [h, e1, e2]);
    assert.deepEqual(results.map((r) => r.result), ['accepted', 'accepted', 'accepted']);
    const row = await env.db.kysely.selectFrom('households').select(['data', 'version']).where('id', '=', h.entityId).executeTakeFirstOrThrow();
    assert.equal((row.data as { note: string }).note, 'hai');
    assert.equal(row.version, 3);
  });

  it('stores residents with personal fields sealed, and appends visits, blockers and follow-ups', async () => {
    const h = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    const r = await envelope(m, { entity: 'resident', op: 'create', payload: resident(h.entityId, { idNumber: '070080001234', phones: ['0912345678'], birthDate: '1980-03-02' }) });
    const v = await envelope(m, { entity: 'visit', op: 'append', payload: { residentId: r.entityId, householdId: h.entityId, actions: ['installed_vneid'], notes: 'Cài VNeID', photo: null } });
    const b = await envelope(m, { entity: 'blocker', op: 'append', payload: { residentId: r.entityId, householdId: h.entityId, reason: 'sim_not_owner', note: 'SIM đứng tên con' } });
    const f = await envelope(m, { entity: 'follow_up', op: 'append', payload: { blockerId: b.entityId, householdId: h.entityId, residentId: r.entityId, dueDate: '2026-11-30', assigneeId: m.officer.id, note: 'Đưa ra cửa hàng nhà mạng' } });
    const elsewhere = await makeMember(ctx, env.db, [OTHER_VILLAGE]);
    const notMember = await envelope(m, { entity: 'follow_up', op: 'append', payload: { blockerId: null, householdId: h.entityId, residentId: null, dueDate: '2026-11-30', assigneeId: elsewhere.officer.id, note: '' } });
    const res = await push(ctx, m, [h, r, v, b, f, notMember]);
    assert.deepEqual(res.map((x) => x.result), ['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected']);
    const row = await env.db.kysely.selectFrom('residents').selectAll().where('id', '=', r.entityId).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row.data).includes('070080001234'));
    assert.ok(!row.personal_sealed.includes('0912345678'));
    const solved = await envelope(m, { entity: 'blocker_resolution', op: 'append', payload: { blockerId: b.entityId, how: 'Đã đăng ký lại SIM chính chủ' } });
    const done = await envelope(m, { entity: 'follow_up_done', op: 'append', payload: { followUpId: f.entityId, note: 'xong' } });
    assert.deepEqual((await push(ctx, m, [solved, done])).map((x) => x.result), ['accepted', 'accepted']);
    const { records } = await pullAll(ctx, m);
    const blocker = records.find((x) => x.entity === 'blocker' && x.id === b.entityId);
    assert.equal(blocker?.entity === 'blocker' && blocker.data.status, 'resolved');
    const person = records.find((x) => x.entity === 'resident' && x.id === r.entityId);
    assert.deepEqual(person?.entity === 'resident' && person.data.phones, ['0912345678']);
    const fu = records.find((x) => x.entity === 'follow_up' && x.id === f.entityId);
    assert.ok(fu?.entity === 'follow_up' && fu.data.doneAt !== null);
  });

  it('turns an assisted application into an online dossier flagged as assisted, and refuses one with missing answers', async () => {
    const h = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    const r = await envelope(m, { entity: 'resident', op: 'create', payload: resident(h.entityId, { idNumber: '070080001235', phones: ['0912345679'] }) });
    await push(ctx, m, [h, r]);
    // Extract of civil-status records: text, choice, date, number and phone questions, no papers.
    const simple = await env.db.kysely.selectFrom('procedures').select(['code', 'form']).where('code', '=', '2.000635').executeTakeFirstOrThrow();
    const answers: Record<string, unknown> = {};
    for (const q of simple.form as { key: string; type: string; required: boolean; options?: { value: string }[] }[]) {
      if (!q.required) continue;
      answers[q.key] = { text: 'Hoàng Văn Thử', choice: q.options?.[0]?.value, date: '1980-03-02', number: '2', phone: '0912345679', id_number: '070080001235' }[q.type];
    }
    const consent = { kind: 'checkbox', agreed: true, name: 'Hoàng Văn Thử' };
    const app = await envelope(m, { entity: 'application', op: 'append', payload: { residentId: r.entityId, procedureCode: simple.code, answers, consent, mode: 'on_behalf' } });
    const [res] = await push(ctx, m, [app]);
    if (res?.result === 'rejected') assert.fail(res.message);
    const d = await env.db.kysely
      .selectFrom('assisted_applications as a')
      .innerJoin('dossiers as d', 'd.id', 'a.dossier_id')
      .select(['d.channel', 'd.status', 'd.assisted_by', 'd.assist_mode', 'd.applicant_name'])
      .where('a.id', '=', app.entityId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(d, { channel: 2, status: 1, assisted_by: m.officer.id, assist_mode: 'on_behalf', applicant_name: 'Hoàng Văn Thử' });
    assert.equal((await push(ctx, m, [app]))[0]?.result, 'duplicate');
    assert.equal(Number((await env.db.kysely.selectFrom('assisted_applications').select((eb) => eb.fn.countAll<string>().as('n')).where('id', '=', app.entityId).executeTakeFirstOrThrow()).n), 1);
    const required = (simple.form as { required: boolean; type: string }[]).some((q) => q.required && (q.type === 'text' || q.type === 'choice'));
    if (required) {
      const empty = await envelope(m, { entity: 'application', op: 'append', payload: { residentId: r.entityId, procedureCode: simple.code, answers: {}, consent, mode: 'alongside' } });
      const [bad] = await push(ctx, m, [empty]);
      assert.equal(bad?.result === 'rejected' && bad.code, 'sync.application_invalid');
    }
    const { records } = await pullAll(ctx, m);
    const pulled = records.find((x) => x.entity === 'application' && x.id === app.entityId);
    assert.ok(pulled?.entity === 'application' && pulled.data.dossierCode);
  });

  it("brings a portal blocker to the team whose register holds the person's ID number", async () => {
    const h = await envelope(m, { entity: 'household', op: 'create', payload: household() });
    const r = await envelope(m, { entity: 'resident', op: 'create', payload: resident(h.entityId, { idNumber: '070085009999', phones: ['0987111222'], fullName: 'Lò Thị Cổng' }) });
    await push(ctx, m, [h, r]);
    const start = await pullAll(ctx, m);
    await env.db.transaction((trx) =>
      recordPortalBlocker(trx, ctx.vault, { person: { idNumber: '070085009999', fullName: 'Lò Thị Cổng', birthDate: '1985-01-01', phone: '0987000111' }, kind: 'sim_not_owner', note: 'telecom', register: 'simulator', now: ctx.now(), ip: null }),
    );
    const { records } = await pullAll(ctx, m, start.cursor);
    const b = records.find((x) => x.entity === 'blocker');
    assert.ok(b?.entity === 'blocker');
    assert.equal(b.data.source, 'portal');
    assert.equal(b.data.residentId, r.entityId);
    assert.equal(b.data.personName, 'Lò Thị Cổng');
  });

  it('pulls in pages that resume from the cursor, and only the villages of the team', async () => {
    const outsider = await makeMember(ctx, env.db, [OTHER_VILLAGE]);
    const mine = [];
    for (let i = 0; i < 30; i++) mine.push(await envelope(m, { entity: 'household', op: 'create', payload: household({ headName: `Hộ Số ${i}` }) }));
    await push(ctx, m, mine);
    const whole = await pullAll(ctx, m);
    const paged = await pullAll(ctx, m, undefined, 7);
    assert.ok(paged.pages > 4);
    assert.deepEqual(new Set(paged.records.map((x) => `${x.entity}:${x.id}:${x.version}`)), new Set(whole.records.map((x) => `${x.entity}:${x.id}:${x.version}`)));
    const theirs = await pullAll(ctx, outsider);
    assert.equal(theirs.records.filter((x) => x.entity === 'household').length, 0);
    const again = await pull(ctx, m, whole.cursor, 500);
    assert.deepEqual(again.records, []);
  });

  it('never lets a cursor skip a change committed out of order by concurrent writers', async (t) => {
    if (env.engine === 'pglite') return t.skip('PGlite has one connection: transactions cannot interleave there');
    const start = (await pullAll(ctx, m)).cursor;
    const unit = m.villages[0]?.id ?? 0;
    const insertHousehold = async (trx: Parameters<Parameters<typeof env.db.transaction>[0]>[0], headName: string) => {
      const id = uuidv7();
      await trx.insertInto('households').values(householdInsert(id, unit, household({ headName }) as HouseholdFields, { at: ctx.now(), receivedAt: ctx.now(), createdBy: null, envelopeId: null, deviceId: null })).execute();
      await recordChange(trx, unit, 'household', id);
      return id;
    };
    let releaseA: () => void = () => undefined;
    const aMayCommit = new Promise<void>((r) => (releaseA = r));
    let aWrote: (id: string) => void = () => undefined;
    const aHasWritten = new Promise<string>((r) => (aWrote = r));
    // A writes first (lower sequence number) but commits after B.
    const a = env.db.transaction(async (trx) => {
      aWrote(await insertHousehold(trx, 'Người Ghi Chậm'));
      await aMayCommit;
    });
    const slow = await aHasWritten;
    const fast = await env.db.transaction((trx) => insertHousehold(trx, 'Người Ghi Nhanh'));
    const during = await pull(ctx, m, start, 500);
    // While A runs, B is held back too: handing it out would move the cursor past A's change.
    assert.deepEqual(during.records.map((x) => x.id), []);
    releaseA();
    await a;
    await settled(env.db);
    const after = await pull(ctx, m, during.cursor, 500);
    assert.deepEqual(after.records.map((x) => x.id).sort(), [slow, fast].sort());
  });
});
