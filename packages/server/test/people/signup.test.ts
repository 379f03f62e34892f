import { it } from 'node:test';
import assert from 'node:assert/strict';
import { smsLength } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { completeSignup, resendSignupCode, startSignup, verifySignupCode } from '../../src/modules/people/signup.ts';
import { findSession } from '../../src/modules/auth/sessions.ts';
import { LIMITS } from '../../src/modules/people/limits.ts';
import { countRows, lastCodeTo, lastSmsTo, meta, SIM_NOT_OWNED, TEST_PEOPLE, TIMING_OUT, UNKNOWN_NUMBER, useTestRegister } from './helpers.ts';

async function codeSent(ctx: AppContext, who: (typeof TEST_PEOPLE)[keyof typeof TEST_PEOPLE], ip?: string): Promise<string> {
  const r = await startSignup(ctx, who, { ...meta(ip), next: null });
  assert.equal(r.kind, 'code_sent');
  return r.kind === 'code_sent' ? r.token : '';
}

describeEachEngine('opening an account', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let ctx: AppContext;
  const later = (seconds: number) => clock.set(new Date(clock.current.getTime() + seconds * 1000).toISOString());

  it('starts', () => {
    ctx = testContext(env.db, clock);
    useTestRegister(ctx);
  });

  it('opens an account with a password when the phone is in the person’s own name', async () => {
    const token = await codeSent(ctx, TEST_PEOPLE.an);
    const sms = await lastSmsTo(ctx, TEST_PEOPLE.an.phone);
    assert.equal(sms?.purpose, 'otp');
    assert.match(sms?.body ?? '', /\b\d{6}\b/);
    assert.deepEqual({ ...smsLength(sms?.body ?? ''), length: 0 }, { encoding: 'UCS-2', parts: 1, length: 0, perPart: 70 }, 'the code fits one SMS');
    const code = await lastCodeTo(ctx, TEST_PEOPLE.an.phone);
    const wrong = code === '000000' ? '111111' : '000000';
    assert.deepEqual(await verifySignupCode(ctx, token, wrong, meta()), { kind: 'wrong', triesLeft: 4 });
    assert.deepEqual(await verifySignupCode(ctx, token, code, meta()), { kind: 'ok' });
    const done = await completeSignup(ctx, token, { method: 'password', password: 'mua lua chin vang' }, meta());
    assert.equal(done.kind, 'created');
    if (done.kind !== 'created') return;
    const c = await ctx.db.kysely.selectFrom('citizens').selectAll().where('id', '=', done.citizenId).executeTakeFirstOrThrow();
    assert.equal(c.full_name, 'Nguyễn Văn An');
    assert.equal(c.phone_ownership, 'matched');
    assert.equal(c.phone_checked_by, 'simulator', 'the record says which register answered');
    assert.match(c.password_hash ?? '', /^\$argon2id\$/);
    assert.equal(c.id_hash, ctx.vault.lookupHash('id', TEST_PEOPLE.an.idNumber));
    assert.deepEqual(ctx.vault.open(c.phone_sealed), { phone: TEST_PEOPLE.an.phone });
    assert.ok(!c.id_sealed.includes(TEST_PEOPLE.an.idNumber), 'the ID number is sealed');
    const session = await findSession(ctx.db.kysely, done.session.token, ctx.now());
    assert.equal(session?.citizenId, done.citizenId);
    assert.equal(await ctx.db.kysely.selectFrom('signups').select('id').where('id_hash', '=', c.id_hash).executeTakeFirst(), undefined, 'the sign-up’s copy of the details is gone');
    const actions = (await ctx.db.kysely.selectFrom('audit_log').select('action').where('entity', '=', 'citizen').where('entity_id', '=', String(done.citizenId)).execute()).map((a) => a.action);
    assert.ok(actions.includes('citizen.account_created'));
  });

  it('records a blocker and creates nothing else when the SIM is registered to someone else', async () => {
    const before = { signups: await countRows(ctx, 'signups'), sms: await countRows(ctx, 'notify_outbox') };
    const r = await startSignup(ctx, SIM_NOT_OWNED, { ...meta(), next: null });
    assert.deepEqual(r, { kind: 'not_owner', answer: 'mismatched' });
    const b = await ctx.db.kysely.selectFrom('blockers').selectAll().where('id_hash', '=', ctx.vault.lookupHash('id', SIM_NOT_OWNED.idNumber)).executeTakeFirstOrThrow();
    assert.equal(b.kind, 'sim_not_owner');
    assert.equal(b.source, 'portal');
    assert.equal(b.status, 'open');
    assert.equal(b.register, 'simulator');
    assert.deepEqual(ctx.vault.open(b.person_sealed), SIM_NOT_OWNED, 'the team member can see who to call');
    assert.equal(await countRows(ctx, 'signups'), before.signups);
    assert.equal(await countRows(ctx, 'notify_outbox'), before.sms);
    // Trying again adds to the same open blocker.
    await startSignup(ctx, SIM_NOT_OWNED, { ...meta(), next: null });
    const again = await ctx.db.kysely.selectFrom('blockers').select(['id', 'occurrences']).where('id_hash', '=', b.id_hash).execute();
    assert.deepEqual(again, [{ id: b.id, occurrences: 2 }]);
  });

  it('records a blocker when the register does not know the number', async () => {
    assert.deepEqual(await startSignup(ctx, UNKNOWN_NUMBER, { ...meta(), next: null }), { kind: 'not_owner', answer: 'unknown_number' });
    const b = await ctx.db.kysely.selectFrom('blockers').select(['kind', 'note']).where('id_hash', '=', ctx.vault.lookupHash('id', UNKNOWN_NUMBER.idNumber)).executeTakeFirstOrThrow();
    assert.equal(b.kind, 'sim_not_owner');
    assert.match(b.note, /unknown/);
  });

  it('stores nothing at all when the register does not answer in time', async () => {
    const tables = ['signups', 'blockers', 'otp_sends', 'otp_challenges', 'notify_outbox', 'audit_log', 'citizens'] as const;
    const before = await Promise.all(tables.map((t) => countRows(ctx, t)));
    assert.deepEqual(await startSignup(ctx, TIMING_OUT, { ...meta(), next: null }), { kind: 'unavailable' });
    assert.deepEqual(await Promise.all(tables.map((t) => countRows(ctx, t))), before);
  });

  it('a code stops working after 5 minutes', async () => {
    const token = await codeSent(ctx, TEST_PEOPLE.bich);
    const code = await lastCodeTo(ctx, TEST_PEOPLE.bich.phone);
    later(LIMITS.codeTtlMinutes * 60 + 1);
    assert.deepEqual(await verifySignupCode(ctx, token, code, meta()), { kind: 'expired' });
  });

  it('a code allows 5 tries, then only a new code helps', async () => {
    later(3600); // a fresh hour for this phone's codes
    const token = await codeSent(ctx, TEST_PEOPLE.bich);
    const code = await lastCodeTo(ctx, TEST_PEOPLE.bich.phone);
    const wrong = code === '999999' ? '888888' : '999999';
    for (let left = 4; left >= 1; left--) assert.deepEqual(await verifySignupCode(ctx, token, wrong, meta()), { kind: 'wrong', triesLeft: left });
    assert.deepEqual(await verifySignupCode(ctx, token, wrong, meta()), { kind: 'no_tries', canResend: true });
    assert.deepEqual(await verifySignupCode(ctx, token, code, meta()), { kind: 'no_tries', canResend: true }, 'even the right code is refused now');
    later(LIMITS.resendWaitSeconds);
    assert.deepEqual(await resendSignupCode(ctx, token, meta()), { kind: 'sent' });
    const fresh = await lastCodeTo(ctx, TEST_PEOPLE.bich.phone);
    assert.deepEqual(await verifySignupCode(ctx, token, fresh, meta()), { kind: 'ok' });
  });

  it('a new code needs a 60-second wait, replaces the old one, and only 3 are given', async () => {
    later(3600);
    const token = await codeSent(ctx, TEST_PEOPLE.phuc);
    const first = await lastCodeTo(ctx, TEST_PEOPLE.phuc.phone);
    const early = await resendSignupCode(ctx, token, meta());
    assert.equal(early.kind, 'wait');
    assert.ok(early.kind === 'wait' && early.seconds > 0 && early.seconds <= LIMITS.resendWaitSeconds);
    for (let i = 0; i < LIMITS.resends; i++) {
      later(LIMITS.resendWaitSeconds);
      assert.deepEqual(await resendSignupCode(ctx, token, meta()), { kind: 'sent' }, `resend ${i + 1}`);
    }
    later(LIMITS.resendWaitSeconds);
    assert.deepEqual(await resendSignupCode(ctx, token, meta()), { kind: 'limit' });
    const latest = await lastCodeTo(ctx, TEST_PEOPLE.phuc.phone);
    if (latest !== first) assert.equal((await verifySignupCode(ctx, token, first, meta())).kind, 'wrong', 'the old code no longer works');
    assert.deepEqual(await verifySignupCode(ctx, token, latest, meta()), { kind: 'ok' });
  });

  it('does not reveal an account that already exists: same answer, the SMS says to sign in, nothing completes', async () => {
    later(3600);
    const r = await startSignup(ctx, TEST_PEOPLE.an, { ...meta(), next: null });
    assert.equal(r.kind, 'code_sent', 'the same outcome as for a new person');
    if (r.kind !== 'code_sent') return;
    const sms = await lastSmsTo(ctx, TEST_PEOPLE.an.phone);
    assert.doesNotMatch(sms?.body ?? '', /\d{6}/, 'no code is sent');
    assert.match(sms?.body ?? '', /đã có tài khoản/);
    for (const code of ['000000', '123456', '999999']) assert.equal((await verifySignupCode(ctx, r.token, code, meta())).kind, 'wrong');
    assert.deepEqual(await completeSignup(ctx, r.token, { method: 'sms', password: null }, meta()), { kind: 'not_verified' });
    const citizens = await ctx.db.kysely.selectFrom('citizens').select('id').where('id_hash', '=', ctx.vault.lookupHash('id', TEST_PEOPLE.an.idNumber)).execute();
    assert.equal(citizens.length, 1);
  });

  it('limits codes to 5 an hour for one phone number', async () => {
    later(3600);
    for (let i = 0; i < LIMITS.codesPerPhonePerHour; i++) await codeSent(ctx, TEST_PEOPLE.hoa, `198.51.100.${i}`);
    const r = await startSignup(ctx, TEST_PEOPLE.hoa, { ...meta('198.51.100.99'), next: null });
    assert.equal(r.kind, 'too_many_codes');
    assert.ok(r.kind === 'too_many_codes' && r.waitMinutes >= 59 && r.waitMinutes <= 60, JSON.stringify(r));
    later(3600);
    await codeSent(ctx, TEST_PEOPLE.hoa);
  });

  it('opens a passwordless account that signs in by SMS code', async () => {
    later(3600);
    const token = await codeSent(ctx, TEST_PEOPLE.hoa);
    assert.deepEqual(await verifySignupCode(ctx, token, await lastCodeTo(ctx, TEST_PEOPLE.hoa.phone), meta()), { kind: 'ok' });
    const done = await completeSignup(ctx, token, { method: 'sms', password: null }, meta());
    assert.equal(done.kind, 'created');
    const c = await ctx.db.kysely.selectFrom('citizens').select(['password_hash']).where('phone_hash', '=', ctx.vault.lookupHash('phone', TEST_PEOPLE.hoa.phone)).executeTakeFirstOrThrow();
    assert.equal(c.password_hash, null);
    assert.deepEqual(await completeSignup(ctx, token, { method: 'sms', password: null }, meta()), { kind: 'gone' }, 'a finished sign-up cannot be replayed');
  });

  it('a sign-up in progress expires after 30 minutes', async () => {
    later(3600);
    const token = await codeSent(ctx, TEST_PEOPLE.bich);
    later(LIMITS.signupTtlMinutes * 60 + 1);
    assert.deepEqual(await verifySignupCode(ctx, token, '123456', meta()), { kind: 'gone' });
  });
});
