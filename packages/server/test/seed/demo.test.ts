/**
 * The small demo that `npm start` seeds on a fresh machine: the accounts the README names can
 * sign in, and the first demo citizen finds a supplement request and a fee waiting for her.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { testContext, TestClock } from '../support/fixtures.ts';
import { DEMO_OFFICERS, DEMO_PASSWORD, seedDemo } from '../../src/seed/demo.ts';
import { DEMO_CITIZENS } from '../../src/modules/people/demoCitizens.ts';
import { signIn } from '../../src/modules/auth/service.ts';
import { citizenDossierList } from '../../src/modules/dossiers/citizenDossiers.ts';
import { feeQuote } from '../../src/modules/payments/fees.ts';

describeEachEngine('the demo seed', (env) => {
  const ctx = () => testContext(env.db, new TestClock(new Date('2026-11-25T09:00:00+07:00')));

  it('seeds officers, citizens and dossiers through the real services', async () => {
    const r = await seedDemo(ctx(), 16);
    assert.equal(r.officers, DEMO_OFFICERS.length);
    assert.equal(r.dossiers, 18);
    const n = await env.db.kysely.selectFrom('dossiers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 18);
    // SEED_DEMO=true at the next start: nothing twice, no crash.
    assert.equal((await seedDemo(ctx(), 16)).dossiers, 0);
  });

  it('lets every demo officer sign in with the password the README gives', async () => {
    for (const o of DEMO_OFFICERS) {
      const s = await signIn(ctx(), { username: o.username, password: DEMO_PASSWORD, ip: '127.0.0.1', userAgent: 'test' });
      assert.equal(s.officer.username, o.username);
    }
  });

  it("gives the first demo citizen a supplement request and 16,000 đồng to pay", async () => {
    const c = ctx();
    const lan = DEMO_CITIZENS[0];
    const row = await env.db.kysely.selectFrom('citizens').select('id').where('id_hash', '=', c.vault.lookupHash('id', lan.idNumber)).executeTakeFirstOrThrow();
    const mine = await citizenDossierList(c, row.id);
    assert.deepEqual(mine.map((d) => d.status).sort(), [5, 6]);
    const waiting = mine.find((d) => d.status === 6);
    assert.ok(waiting);
    const d = await env.db.kysely
      .selectFrom('dossiers')
      .innerJoin('procedures', 'procedures.id', 'dossiers.procedure_id')
      .select(['procedures.fees', 'dossiers.channel', 'dossiers.form_data'])
      .where('dossiers.code', '=', waiting.code)
      .executeTakeFirstOrThrow();
    assert.equal(feeQuote(d.fees, { channel: d.channel, formData: d.form_data as Record<string, unknown> }).total, 16_000);
  });
});
