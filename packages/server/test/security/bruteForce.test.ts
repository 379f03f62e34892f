/**
 * Guessing passwords and codes: the limits hold exactly, also when the guesses arrive all at
 * once (each from its own address, so the per-address rate limits do not hide a race), and a
 * lock ends when documented (the test clock moves).
 *
 * Already tested elsewhere, one guess at a time: the officer lock after 5 wrong passwords or
 * codes and its end after 15 minutes (test/office/signIn.test.ts), the citizen's number lock
 * (test/people/signin.test.ts), per-address rate limits on the sign-in pages
 * (test/people/accountPages.test.ts, test/office/signIn.test.ts), 5 codes an hour per number
 * one after another (test/people/signin.test.ts, signup.test.ts). The field app signs in with
 * the officer's password (covered below); its PIN only unlocks data on the phone itself.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen } from '../support/citizens.ts';
import { COMMUNE, officerAt } from '../office/helpers.ts';
import { meta } from '../people/helpers.ts';
import { LOCK_MINUTES, MAX_FAILED_LOGINS, checkSecondFactor } from '../../src/modules/auth/service.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { generateSecret } from 'otplib';
import { totpCodeAt } from '../../src/modules/auth/totp.ts';
import { LIMITS } from '../../src/modules/people/limits.ts';
import { requestSignInCode, signInWithPassword, verifySignInCode } from '../../src/modules/people/signin.ts';

const BURST = 12;
const START = '2026-11-25T09:00:00+07:00';
let ipSeq = 0;
const nextIp = () => {
  ipSeq += 1;
  return `10.99.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
};

describeEachEngine('security: brute force limits, also under concurrent guesses', (env) => {
  let web: WebServer;
  const later = (minutes: number) => web.ctx.clock.set(new Date(web.ctx.now().getTime() + minutes * 60_000).toISOString());

  const login = async (username: string, password: string, totp?: string) => {
    const res = await fetch(`${web.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
      body: JSON.stringify({ username, password, ...(totp ? { totp } : {}) }),
    });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code };
  };
  const signInLog = async (userId: number) =>
    (await env.db.kysely.selectFrom('officer_sign_ins').select('outcome').where('user_id', '=', userId).execute()).map((r) => r.outcome);

  before(async () => {
    web = await startWebServer(env.db);
    web.ctx.clock.set(START);
  });
  after(async () => {
    await web?.close();
  });

  it(`checks at most ${MAX_FAILED_LOGINS} of ${BURST} concurrent wrong officer passwords, refuses the rest with 423 auth.locked, and opens after ${LOCK_MINUTES} minutes`, async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => login(o.username, `wrong password ${i}`)));
    const wrong = answers.filter((a) => a.status === 401 && a.code === 'auth.bad_credentials').length;
    const locked = answers.filter((a) => a.status === 423 && a.code === 'auth.locked').length;
    assert.equal(wrong, MAX_FAILED_LOGINS, JSON.stringify(answers));
    assert.equal(locked, BURST - MAX_FAILED_LOGINS);
    assert.equal((await signInLog(o.officer.id)).filter((x) => x === 'bad_password').length, MAX_FAILED_LOGINS, 'passwords actually checked');
    assert.deepEqual(await login(o.username, o.password), { status: 423, code: 'auth.locked' }, 'even the right password while locked');
    later(LOCK_MINUTES - 1);
    assert.equal((await login(o.username, o.password)).status, 423, 'still locked a minute before the end');
    later(1);
    assert.equal((await login(o.username, o.password)).status, 200, 'open again when the lock ends');
    web.ctx.clock.set(START);
  });

  it('lets the right password through a concurrent burst of wrong ones only while attempts are left, and then clears the count', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const answers = await Promise.all([login(o.username, o.password), ...Array.from({ length: MAX_FAILED_LOGINS - 2 }, () => login(o.username, 'wrong'))]);
    assert.equal(answers[0]?.status, 200);
    const row = await env.db.kysely.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', o.officer.id).executeTakeFirstOrThrow();
    assert.equal(row.locked_until, null);
    assert.ok(row.failed_logins <= MAX_FAILED_LOGINS - 2, `count ${row.failed_logins}`);
  });

  it(`checks at most ${MAX_FAILED_LOGINS} of ${BURST} concurrent wrong authenticator codes`, async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const secret = generateSecret();
    const right = await totpCodeAt(secret, web.ctx.now());
    const wrongCode = right === '000000' ? '111111' : '000000';
    await env.db.kysely.updateTable('users').set({ totp_secret_sealed: web.ctx.vault.seal({ secret }), totp_enabled_at: web.ctx.now() }).where('id', '=', o.officer.id).execute();
    const where = () => ({ ip: nextIp(), userAgent: 'burst' });
    const results = await Promise.allSettled(Array.from({ length: BURST }, () => checkSecondFactor(web.ctx, o.officer.id, wrongCode, where())));
    const statuses = results.map((r) => (r.status === 'rejected' ? (r.reason as { status?: number }).status : 200));
    assert.equal(statuses.filter((s) => s === 401).length, MAX_FAILED_LOGINS, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 423).length, BURST - MAX_FAILED_LOGINS, JSON.stringify(statuses));
    assert.equal((await signInLog(o.officer.id)).filter((x) => x === 'bad_code').length, MAX_FAILED_LOGINS);
    await assert.rejects(checkSecondFactor(web.ctx, o.officer.id, right, where()), { status: 423 }, 'even the right code while locked');
  });

  it(`checks at most ${LIMITS.passwordFailures} of ${BURST} concurrent wrong citizen passwords for one number, then locks it for ${LIMITS.lockMinutes} minutes`, async () => {
    const c = await makeCitizen(web.ctx);
    await env.db.kysely.updateTable('citizens').set({ password_hash: await hashPassword('mật khẩu đúng 123') }).where('id', '=', c.id).execute();
    const auditsBefore = await countAudit('citizen.sign_in_%', c.id);
    const outcomes = await Promise.all(Array.from({ length: BURST }, (_, i) => signInWithPassword(web.ctx, c.phone, `sai ${i}`, { ...meta(nextIp()), previousToken: null })));
    const checked = (await countAudit('citizen.sign_in_%', c.id)) - auditsBefore;
    assert.equal(checked, LIMITS.passwordFailures, `passwords checked: ${JSON.stringify(outcomes.map((o) => o.kind))}`);
    assert.equal(outcomes.filter((o) => o.kind === 'bad').length, LIMITS.passwordFailures - 1);
    assert.equal(outcomes.filter((o) => o.kind === 'locked').length, BURST - LIMITS.passwordFailures + 1);
    assert.equal((await signInWithPassword(web.ctx, c.phone, 'mật khẩu đúng 123', { ...meta(), previousToken: null })).kind, 'locked');
    later(LIMITS.lockMinutes);
    assert.equal((await signInWithPassword(web.ctx, c.phone, 'mật khẩu đúng 123', { ...meta(), previousToken: null })).kind, 'ok');
    web.ctx.clock.set(START);
  });

  it(`takes at most ${LIMITS.codeTries} of ${BURST} concurrent wrong SMS codes, after which even the right code is refused`, async () => {
    const c = await makeCitizen(web.ctx);
    const sent = await requestSignInCode(web.ctx, c.phone, meta(nextIp()));
    assert.equal(sent.kind, 'sent');
    if (sent.kind !== 'sent') return;
    const sms = await env.db.kysely.selectFrom('notify_outbox').select('body').where('recipient_hash', '=', web.ctx.vault.lookupHash('phone', c.phone)).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const right = /\b(\d{6})\b/.exec(sms.body)?.[1] ?? '';
    const wrongCode = right === '111111' ? '222222' : '111111';
    const outcomes = await Promise.all(Array.from({ length: BURST }, () => verifySignInCode(web.ctx, sent.token, wrongCode, { ...meta(nextIp()), previousToken: null })));
    assert.equal(outcomes.filter((o) => o.kind === 'wrong').length, LIMITS.codeTries - 1, JSON.stringify(outcomes));
    assert.equal(outcomes.filter((o) => o.kind === 'no_tries').length, BURST - LIMITS.codeTries + 1);
    assert.equal((await verifySignInCode(web.ctx, sent.token, right, { ...meta(), previousToken: null })).kind, 'no_tries');
  });

  it(`sends at most ${LIMITS.codesPerPhonePerHour} codes an hour to one number, also when ${BURST} requests arrive at once from different addresses`, async () => {
    const c = await makeCitizen(web.ctx);
    later(120); // earlier tests' sends to other numbers are out of the window anyway
    const outcomes = await Promise.all(Array.from({ length: BURST }, () => requestSignInCode(web.ctx, c.phone, meta(nextIp()))));
    assert.equal(outcomes.filter((o) => o.kind === 'sent').length, LIMITS.codesPerPhonePerHour, JSON.stringify(outcomes.map((o) => o.kind)));
    const sends = await env.db.kysely.selectFrom('otp_sends').select((eb) => eb.fn.countAll<string>().as('n')).where('phone_hash', '=', web.ctx.vault.lookupHash('phone', c.phone)).executeTakeFirstOrThrow();
    assert.equal(Number(sends.n), LIMITS.codesPerPhonePerHour);
    later(61);
    assert.equal((await requestSignInCode(web.ctx, c.phone, meta(nextIp()))).kind, 'sent', 'an hour later a code can be sent again');
    web.ctx.clock.set(START);
  });

  async function countAudit(actionLike: string, citizenId: number): Promise<number> {
    const r = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log WHERE action LIKE ${actionLike} AND entity = 'citizen' AND entity_id = ${String(citizenId)}`.execute(env.db.kysely);
    return Number(r.rows[0]?.n);
  }
});
