import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { findSession } from '../../src/modules/auth/sessions.ts';
import { LIMITS } from '../../src/modules/people/limits.ts';
import { requestSignInCode, resendSignInCode, signInWithPassword, signOutCitizen, verifySignInCode } from '../../src/modules/people/signin.ts';
import { makeCitizen } from '../support/citizens.ts';
import { countRows, lastCodeTo, meta } from './helpers.ts';

describeEachEngine('signing in', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let ctx: AppContext;
  const later = (seconds: number) => clock.set(new Date(clock.current.getTime() + seconds * 1000).toISOString());
  const PASSWORD = 'ba con trau vang';
  let lan: { id: number; phone: string };
  let son: { id: number; phone: string };

  it('starts', async () => {
    ctx = testContext(env.db, clock);
    lan = await makeCitizen(ctx, { fullName: 'Điểu Thị Lan', phone: '0912200001', idNumber: '070195200001', birthDate: '1995-09-03' });
    son = await makeCitizen(ctx, { fullName: 'Lâm Văn Sơn', phone: '0912200002', idNumber: '070203200002', birthDate: '2003-01-20' });
    await ctx.db.kysely.updateTable('citizens').set({ password_hash: await hashPassword(PASSWORD) }).where('id', '=', lan.id).execute();
  });

  it('signs in with phone and password, and signing out ends the session', async () => {
    const r = await signInWithPassword(ctx, '0912200001', PASSWORD, { ...meta(), previousToken: null });
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.equal(r.citizenId, lan.id);
    assert.equal((await findSession(ctx.db.kysely, r.session.token, ctx.now()))?.citizenId, lan.id);
    await signOutCitizen(ctx, r.session.token, '127.0.0.1');
    assert.equal(await findSession(ctx.db.kysely, r.session.token, ctx.now()), null, 'signing out ends the session');
  });

  it('answers an unknown number exactly as a wrong password', async () => {
    assert.deepEqual(await signInWithPassword(ctx, lan.phone, 'wrong password', { ...meta(), previousToken: null }), { kind: 'bad' });
    assert.deepEqual(await signInWithPassword(ctx, '0912299999', 'wrong password', { ...meta(), previousToken: null }), { kind: 'bad' });
    assert.deepEqual(await signInWithPassword(ctx, son.phone, 'any password', { ...meta(), previousToken: null }), { kind: 'bad' }, 'an account without a password answers the same');
  });

  it('locks a number for 15 minutes after 5 wrong passwords, known or not, and a code still works', async () => {
    later(3600);
    for (const phone of [lan.phone, '0912299998']) {
      for (let i = 1; i < LIMITS.passwordFailures; i++) assert.deepEqual(await signInWithPassword(ctx, phone, `wrong ${i}`, { ...meta(), previousToken: null }), { kind: 'bad' });
      assert.deepEqual(await signInWithPassword(ctx, phone, 'wrong 5', { ...meta(), previousToken: null }), { kind: 'locked', minutes: LIMITS.lockMinutes });
    }
    assert.deepEqual(await signInWithPassword(ctx, lan.phone, PASSWORD, { ...meta(), previousToken: null }), { kind: 'locked', minutes: LIMITS.lockMinutes }, 'even the right password waits');
    later(LIMITS.lockMinutes * 60 + 1);
    assert.equal((await signInWithPassword(ctx, lan.phone, PASSWORD, { ...meta(), previousToken: null })).kind, 'ok');
  });

  it('signs in without a password with a code sent by SMS', async () => {
    later(3600);
    const r = await requestSignInCode(ctx, son.phone, meta());
    assert.equal(r.kind, 'sent');
    if (r.kind !== 'sent') return;
    const code = await lastCodeTo(ctx, son.phone);
    assert.equal((await verifySignInCode(ctx, r.token, code === '000000' ? '111111' : '000000', { ...meta(), previousToken: null })).kind, 'wrong');
    const ok = await verifySignInCode(ctx, r.token, code, { ...meta(), previousToken: null });
    assert.equal(ok.kind, 'ok');
    assert.equal(ok.kind === 'ok' ? ok.citizenId : 0, son.id);
    assert.equal((await verifySignInCode(ctx, r.token, code, { ...meta(), previousToken: null })).kind, 'expired', 'a code works once');
  });

  it('asking a code for a number without an account sends nothing and no code opens it', async () => {
    const before = await countRows(ctx, 'notify_outbox');
    const r = await requestSignInCode(ctx, '0912299997', meta());
    assert.equal(r.kind, 'sent', 'the same answer as for an account');
    assert.equal(await countRows(ctx, 'notify_outbox'), before);
    if (r.kind !== 'sent') return;
    for (let left = 4; left >= 0; left--) {
      const v = await verifySignInCode(ctx, r.token, '123456', { ...meta(), previousToken: null });
      assert.deepEqual(v, left ? { kind: 'wrong', triesLeft: left } : { kind: 'no_tries', canResend: true });
    }
  });

  it('a sign-in code expires after 5 minutes and a new one waits 60 seconds', async () => {
    later(3600);
    const r = await requestSignInCode(ctx, son.phone, meta());
    if (r.kind !== 'sent') return assert.fail(r.kind);
    const code = await lastCodeTo(ctx, son.phone);
    assert.equal((await resendSignInCode(ctx, r.token, meta())).kind, 'wait');
    later(LIMITS.codeTtlMinutes * 60 + 1);
    assert.deepEqual(await verifySignInCode(ctx, r.token, code, { ...meta(), previousToken: null }), { kind: 'expired' });
    assert.deepEqual(await resendSignInCode(ctx, r.token, meta()), { kind: 'sent' });
    assert.equal((await verifySignInCode(ctx, r.token, await lastCodeTo(ctx, son.phone), { ...meta(), previousToken: null })).kind, 'ok');
  });

  it('limits codes to 5 an hour per phone number, across sign-in and sign-up', async () => {
    later(3600);
    for (let i = 0; i < LIMITS.codesPerPhonePerHour; i++) assert.equal((await requestSignInCode(ctx, son.phone, meta(`192.0.2.${i}`))).kind, 'sent');
    const r = await requestSignInCode(ctx, son.phone, meta('192.0.2.200'));
    assert.equal(r.kind, 'too_many_codes');
  });

  it('limits codes asked from one IP address to 30 an hour, whatever the numbers', async () => {
    later(3600);
    const ip = '100.64.0.1';
    for (let i = 0; i < LIMITS.codesPerIpPerHour; i++) assert.equal((await requestSignInCode(ctx, `09123${String(i).padStart(5, '0')}`, meta(ip))).kind, 'sent');
    const r = await requestSignInCode(ctx, '0912399999', meta(ip));
    assert.equal(r.kind, 'too_many_codes');
    assert.equal((await requestSignInCode(ctx, '0912399999', meta('100.64.0.2'))).kind, 'sent', 'another address is not affected');
  });

  it('a new sign-in ends the session the browser had before', async () => {
    later(3600);
    const first = await signInWithPassword(ctx, lan.phone, PASSWORD, { ...meta(), previousToken: null });
    if (first.kind !== 'ok') return assert.fail(first.kind);
    const second = await signInWithPassword(ctx, lan.phone, PASSWORD, { ...meta(), previousToken: first.session.token });
    assert.equal(second.kind, 'ok');
    assert.equal(await findSession(ctx.db.kysely, first.session.token, ctx.now()), null);
  });
});
