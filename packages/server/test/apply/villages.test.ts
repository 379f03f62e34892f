import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { villagesAfterReform } from '../../src/modules/units/seed.ts';
import { listUnits, findUnitByCode, replacementsOf } from '../../src/modules/units/queries.ts';

it('moves each village under the commune that absorbed its own, keeping numbers where the code was kept', () => {
  const v = (communeCode: string, n: string, name: string) => ({ communeCode, code: `${communeCode}-${n}`, name, type: 'ap' as const });
  const moves = villagesAfterReform(
    [v('25310', '01', 'Ấp Tân Phước'), v('25309', '02', 'Ấp Bù Tam'), v('25309', '01', 'Ấp Phước Tiến'), v('25999', '01', 'Ấp Chia Đôi')],
    [
      { old_code: '25309', old_name: 'Xã Hưng Phước', new_code: '25309', new_name: 'Xã Hưng Phước', kind: 'full' },
      { old_code: '25310', old_name: 'Xã Phước Thiện', new_code: '25309', new_name: 'Xã Hưng Phước', kind: 'full' },
      { old_code: '25999', old_name: 'Xã Tách', new_code: '25308', new_name: 'Xã Thiện Hưng', kind: 'partial' },
    ],
  );
  assert.deepEqual(
    moves.map((m) => [m.old.code, m.new.code, m.new.name]),
    [
      ['25309-01', '25309-01', 'Ấp Phước Tiến'],
      ['25309-02', '25309-02', 'Ấp Bù Tam'],
      ['25310-01', '25309-03', 'Ấp Tân Phước'],
    ],
    'a village of a split commune is not guessed',
  );
});

describeEachEngine('villages after the 2025 reform', (env) => {
  it('offers today the villages of the new communes, and keeps the 2022 ones for old dossiers', async () => {
    const db = env.db.kysely;
    const hungPhuoc = await findUnitByCode(db, '25309', '2026-11-25');
    assert.ok(hungPhuoc);
    assert.equal(hungPhuoc.province_code, '75');
    const today = await listUnits(db, { parentId: hungPhuoc.id, date: '2026-11-25', limit: 100, offset: 0 });
    assert.equal(today.length, 9, 'its own 5 villages and the 4 of Phước Thiện');
    assert.ok(today.every((u) => u.level === 'village' && u.code.startsWith('25309-') && u.valid_from === '2025-07-01' && u.agency_code === `H75.${u.code}`));
    assert.ok(today.every((u) => u.ancestor_ids[0] === u.id && u.ancestor_ids.includes(hungPhuoc.id)));
    assert.equal(today.find((u) => u.code === '25309-06')?.name, 'Ấp Tân Phước');

    const old = await findUnitByCode(db, '25310-01', '2022-08-15');
    assert.equal(old?.name, 'Ấp Tân Phước');
    assert.equal(await findUnitByCode(db, '25310-01', '2026-11-25'), undefined, 'the old code is not in force any more');
    const moved = await replacementsOf(db, old?.id ?? 0);
    assert.deepEqual(moved.map((r) => [r.old_code, r.new_code, r.effective]), [['25310-01', '25309-06', '2025-07-01']]);

    const thienHung = await findUnitByCode(db, '25308', '2026-11-25');
    const thienHungVillages = await listUnits(db, { parentId: thienHung?.id ?? 0, date: '2026-11-25', limit: 100, offset: 0 });
    assert.equal(thienHungVillages.length, 14, 'Thanh Bình, Thiện Hưng and Thanh Hòa together');
  });
});
