/** Sessions expire: refused at once after their time, and swept from the table later. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { createSession, deleteExpiredSessions, findSession, findSessionWithOfficer } from '../../src/modules/auth/sessions.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';

describeEachEngine('session expiry', (env) => {
  it('refuses an expired session and sweeps only the expired ones', async () => {
    const { officer } = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const t0 = new Date('2026-11-25T08:00:00+07:00');
    const short = await env.db.transaction((trx) => createSession(trx, { userId: officer.id }, { ttlHours: 1, ip: null, userAgent: null, now: t0 }));
    const long = await env.db.transaction((trx) => createSession(trx, { userId: officer.id }, { ttlHours: 12, ip: null, userAgent: null, now: t0 }));
    const later = new Date(t0.getTime() + 2 * 3_600_000);
    assert.equal(await findSession(env.db.kysely, short.token, later), null);
    assert.ok(await findSession(env.db.kysely, long.token, later));
    assert.equal(await deleteExpiredSessions(env.db.kysely, later), 1);
    assert.ok(await findSession(env.db.kysely, long.token, later));
    assert.equal(await deleteExpiredSessions(env.db.kysely, later), 0);
  });

  it('reads the officer with the session in one statement, as loadOfficer does, and none once deactivated', async () => {
    const { officer } = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }, { role: 'leader', unitCode: '693' }]);
    const now = new Date('2026-11-25T08:00:00+07:00');
    const s = await env.db.transaction((trx) => createSession(trx, { userId: officer.id }, { ttlHours: 1, ip: null, userAgent: null, now }));
    const found = await findSessionWithOfficer(env.db.kysely, s.token, now);
    const loaded = await loadOfficer(env.db.kysely, officer.id);
    assert.ok(found?.officer && loaded);
    const byUnit = (a: { unitId: number; role: string }, b: { unitId: number; role: string }) => a.unitId - b.unitId || a.role.localeCompare(b.role);
    assert.deepEqual({ ...found.officer, roles: [...found.officer.roles].sort(byUnit) }, { ...loaded, roles: [...loaded.roles].sort(byUnit) });
    assert.equal(found.csrfToken, s.csrfToken);
    await env.db.kysely.updateTable('users').set({ active: false }).where('id', '=', officer.id).execute();
    const after = await findSessionWithOfficer(env.db.kysely, s.token, now);
    assert.equal(after?.officer, null);
    assert.equal(await findSessionWithOfficer(env.db.kysely, 'no-such-token', now), null);
  });
});
