import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { unitId } from '../support/fixtures.ts';
import { findUnitByCode } from '../../src/modules/units/queries.ts';
import { TODAY, assertHas, officerOn, signedIn, summaryOf, type Client } from './support.ts';

describeEachEngine('administration: units and the 2025 reform', (env) => {
  let web: WebServer;
  let client: Client;

  it('lists the units of a province by level', async () => {
    web = await startWebServer(env.db);
    client = await signedIn(web, (await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin')).id);
    const dn = await client.get('/office/admin/units?level=commune');
    assertHas(dn.html, /Xã Hưng Phước/);
    assert.doesNotMatch(dn.html, /Huyện Bù Đốp/);
    const bp = await unitId(env.db, '70', '2022-08-15');
    const old = await client.get(`/office/admin/units?province=${bp}&level=district`);
    assertHas(old.html, /Huyện Bù Đốp/);
    assertHas(old.html, /từ 01\/01\/2020 đến 30\/06\/2025/);
  });

  it('previews a merger without changing anything, then applies it and audits it', async () => {
    const locHung = await unitId(env.db, '25303', TODAY);
    const preview = await client.post(`/office/admin/units/${locHung}/replace`, { step: 'preview', newCodes: '25309', kind: 'full', effective: '2026-12-01' });
    assert.equal(preview.status, 200, summaryOf(preview.html));
    assertHas(preview.html, /Xã Lộc Hưng sẽ kết thúc ngày 30\/11\/2026 \(trước đây: chưa có ngày kết thúc\)/);
    assertHas(preview.html, /Xã Lộc Hưng → Xã Hưng Phước \(25309\): Toàn bộ, từ 01\/12\/2026/);
    assertHas(preview.html, /name="step" value="confirm"/);
    const unchanged = await env.db.kysely.selectFrom('units').select('valid_to').where('id', '=', locHung).executeTakeFirstOrThrow();
    assert.equal(unchanged.valid_to, null);

    const done = await client.post(`/office/admin/units/${locHung}/replace`, { step: 'confirm', newCodes: '25309', kind: 'full', effective: '2026-12-01' });
    assert.equal(done.status, 303, summaryOf(done.html));
    const unit = await env.db.kysely.selectFrom('units').select('valid_to').where('id', '=', locHung).executeTakeFirstOrThrow();
    assert.equal(unit.valid_to, '2026-11-30');
    assert.equal(await findUnitByCode(env.db.kysely, '25303', '2026-12-01'), undefined);
    assert.ok(await findUnitByCode(env.db.kysely, '25303', '2026-11-30'));
    const hungPhuoc = await unitId(env.db, '25309', TODAY);
    const pair = await env.db.kysely.selectFrom('unit_replacements').selectAll().where('old_unit_id', '=', locHung).execute();
    assert.deepEqual(pair, [{ old_unit_id: locHung, new_unit_id: hungPhuoc, kind: 'full', effective: '2026-12-01' }]);
    const entry = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'unit.replace').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(entry.entity_id, String(locHung));
    assert.deepEqual((entry.detail as { newUnits: string[] }).newUnits, ['25309']);
    const page = await client.get(done.location ?? '');
    assertHas(page.html, /Đã ghi nhận đơn vị được thay thế/);
    assertHas(page.html, /Xã Hưng Phước \(25309\)<\/a> – Toàn bộ, từ 01\/12\/2026/);
  });

  it('ends what is still in force under a split commune, and says so before', async () => {
    // Thiện Hưng (2022) split between Hưng Phước and Thanh Bình on 1 March 2025 (a made-up case).
    const thienHung = await unitId(env.db, '25312', '2022-08-15');
    const form = { newCodes: '25309, 25308', kind: 'partial', effective: '2025-03-01' };
    const preview = await client.post(`/office/admin/units/${thienHung}/replace`, { ...form, step: 'preview' });
    assertHas(preview.html, /5 đơn vị cấp dưới còn hoạt động sau ngày đó cũng sẽ kết thúc cùng ngày/);
    assert.equal((await client.post(`/office/admin/units/${thienHung}/replace`, { ...form, step: 'confirm' })).status, 303);
    const villages = await env.db.kysely.selectFrom('units').select('valid_to').where('parent_id', '=', thienHung).execute();
    assert.equal(villages.length, 5);
    assert.ok(villages.every((v) => v.valid_to === '2025-02-28'));
    const pairs = await env.db.kysely.selectFrom('unit_replacements').select(['kind', 'effective']).where('old_unit_id', '=', thienHung).execute();
    assert.ok(pairs.some((p) => p.kind === 'partial' && p.effective === '2025-03-01'));
  });

  it('refuses invalid dates and replacements, saying what to do, and changes nothing', async () => {
    const locThanh = await unitId(env.db, '25294', TODAY);
    const old2022 = await unitId(env.db, '25305', '2022-08-15');
    const cases: [number, Record<string, string>, RegExp][] = [
      [locThanh, { newCodes: '25309', kind: 'full', effective: '2026-02-30' }, /href="#f-effective">Ngày hiệu lực chưa đúng/],
      [locThanh, { newCodes: '25309', kind: 'full', effective: '2025-06-01' }, /phải sau ngày đơn vị bắt đầu \(01\/07\/2025\)/],
      [old2022, { newCodes: '25309', kind: 'full', effective: '2026-01-01' }, /Đơn vị đã kết thúc ngày 30\/06\/2025/],
      [locThanh, { newCodes: '99999', kind: 'full', effective: '2026-12-01' }, /Không có đơn vị mã 99999 hoạt động vào ngày 01\/12\/2026/],
      [locThanh, { newCodes: '25309, 25308', kind: 'full', effective: '2026-12-01' }, /href="#f-kind">Thay thế toàn bộ chỉ có một đơn vị mới/],
      [locThanh, { newCodes: '25294', kind: 'full', effective: '2026-12-01' }, /chính là đơn vị cũ/],
      [locThanh, { newCodes: '', kind: 'full', effective: '2026-12-01' }, /Hãy ghi mã của đơn vị mới/],
    ];
    for (const [id, form, expected] of cases) {
      for (const step of ['preview', 'confirm']) {
        const res = await client.post(`/office/admin/units/${id}/replace`, { ...form, step });
        assert.equal(res.status, 400, `${JSON.stringify(form)}: ${summaryOf(res.html)}`);
        assertHas(res.html, expected);
      }
    }
    const unit = await env.db.kysely.selectFrom('units').select('valid_to').where('id', '=', locThanh).executeTakeFirstOrThrow();
    assert.equal(unit.valid_to, null);
    assert.deepEqual(await env.db.kysely.selectFrom('unit_replacements').select('kind').where('old_unit_id', '=', locThanh).execute(), []);
  });

  it('stops', async () => {
    await web.close();
  });
});
