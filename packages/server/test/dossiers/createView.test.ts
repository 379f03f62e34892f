/**
 * A new dossier's answer is built from the rows its transaction wrote (no read-back): it must be
 * exactly what reading the dossier afterwards gives, and a replay of the same transactionId
 * (read back from the database) must give the same with `replayed: true`.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer, testContext, txid } from '../support/fixtures.ts';
import { createDossier, getDossier } from '../../src/modules/dossiers/service.ts';

describeEachEngine('dossier creation answer', (env) => {
  it('equals the dossier read back, for counter and online dossiers, with sealed personal data and form answers', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-15T09:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    for (const channel of [1, 2] as const) {
      const input = {
        transactionId: txid(),
        procedureCode: '1.001193',
        unitCode: '25309',
        channel,
        applicant: { fullName: 'Điểu Thị Lan', phone: '0912345678', idNumber: '070190000123', address: 'Ấp 4, Hưng Phước' },
        formData: { childFullName: 'Điểu Văn Bình' },
      };
      const created = await createDossier(ctx, actor, input);
      const read = await getDossier(ctx, actor, created.code, { audited: false });
      assert.deepEqual(created, read);
      assert.equal(created.applicant.phone, '0912345678');
      const replayed = await createDossier(ctx, actor, input);
      assert.deepEqual(replayed, { ...read, replayed: true });
    }
  });
});
