import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { checkCccd } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeOfficer, txid, unitId } from '../support/fixtures.ts';
import { addProvince, officerOn, signedIn, TODAY, type Client } from '../admin/support.ts';
import { createDossier } from '../../src/modules/dossiers/service.ts';
import { storeDocument } from '../../src/modules/dossiers/documents.ts';
import { queueMessage } from '../../src/modules/notify/outbox.ts';
import { exportSubject, parseSubjectQuery } from '../../src/modules/people/subjectExport.ts';
import { checkZip } from '../../src/modules/campaigns/zipGuard.ts';
import { writeZip } from '../../src/ops/zip.ts';
import { Problem } from '../../src/http/problem.ts';
import type { AppContext } from '../../src/context.ts';

const A = { idNumber: '075090001234', phone: '0912000111', fullName: 'Điểu Thị Xuyến', birthDate: '1990-03-04' };
const B = { idNumber: '075190005678', phone: '0912000222', fullName: 'Lâm Văn Khải', birthDate: '1990-07-08' };
const COMMUNE = '25309';

/** Every entry, after checking the archive's structure and each entry's CRC-32 against its content. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const entries = checkZip(buf, { maxEntries: 1000, maxUnpackedBytes: 50_000_000 });
  // The central directory's CRCs, in order, match the content.
  let p = buf.length - 22;
  while (buf.readUInt32LE(p) !== 0x06054b50) p--;
  let at = buf.readUInt32LE(p + 16);
  for (const [name, content] of entries) {
    assert.equal(buf.readUInt32LE(at + 16), crc32(content) >>> 0, `CRC of ${name}`);
    at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return entries;
}

interface Seeded {
  dossierA: string;
  dossierB: string;
  dossierElsewhere: string;
  paperA: Buffer;
  paperB: Buffer;
  photoA: Buffer;
}

async function seedPeople(ctx: AppContext, otherCommuneId: number): Promise<Seeded> {
  const db = ctx.db;
  const officer = await makeOfficer(db, [{ role: 'officer', unitCode: COMMUNE, on: TODAY }]);
  const dossierOf = async (p: typeof A) =>
    (await createDossier(ctx, officer, { transactionId: txid(), procedureCode: '1.001193', unitCode: COMMUNE, channel: 1, applicant: { fullName: p.fullName, phone: p.phone, idNumber: p.idNumber }, formData: { note: `của ${p.fullName}` } })).code;
  const dossierA = await dossierOf(A);
  const dossierB = await dossierOf(B);
  const idOf = async (code: string) => (await db.kysely.selectFrom('dossiers').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  const [aId, bId] = [await idOf(dossierA), await idOf(dossierB)];
  // The same person's dossier at a commune of another province: outside a province 75 admin's scope.
  const dossierElsewhere = `${dossierA}-X`;
  await db.raw((c) =>
    c.query(
      `INSERT INTO dossiers (code, province_code, procedure_id, sector_code, unit_id, channel, status, applicant_name, applicant_search, applicant_sealed, applicant_phone_hash, applicant_id_hash, form_data, submitted_at, received_at, due_at, phases, sla_value, sla_unit)
       SELECT $1, '99', procedure_id, sector_code, $2, channel, status, applicant_name, applicant_search, applicant_sealed, applicant_phone_hash, applicant_id_hash, form_data, submitted_at, received_at, due_at, phases, sla_value, sla_unit FROM dossiers WHERE id = $3`,
      [dossierElsewhere, otherCommuneId, aId],
    ),
  );

  const paperA = Buffer.from('%PDF-1.4 giấy khai sinh của Xuyến '.repeat(50));
  const paperB = Buffer.from('%PDF-1.4 giấy của Khải');
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  await db.transaction(async (trx) => {
    await storeDocument(trx, { dossierId: aId }, { filename: 'giấy khai sinh.pdf', contentType: 'application/pdf', data: paperA, sha256: sha(paperA) }, { kind: 'other', userId: officer.officer.id });
    await storeDocument(trx, { dossierId: bId }, { filename: 'giay-b.pdf', contentType: 'application/pdf', data: paperB, sha256: sha(paperB) }, { kind: 'other', userId: officer.officer.id });
    await queueMessage(trx, ctx.vault, { to: A.phone, text: 'Tin nhắn cho Xuyến', purpose: 'dossier_submitted', dossierId: aId, at: ctx.now() });
    await queueMessage(trx, ctx.vault, { to: B.phone, text: 'Tin nhắn cho Khải', purpose: 'dossier_submitted', dossierId: bId, at: ctx.now() });
  });

  const communeId = await unitId(db, COMMUNE, TODAY);
  const village = await db.raw(async (c) => (await c.query<{ id: number }>(`SELECT id FROM units WHERE level = 'village' AND ancestor_ids @> ARRAY[$1::int] ORDER BY id LIMIT 1`, [communeId]))[0]?.id);
  assert.ok(village, 'a village under the commune');
  const photoA = Buffer.from('ảnh chụp buổi hỗ trợ Xuyến'.repeat(20));
  const at = ctx.now();
  const users = officer.officer.id;
  await db.raw(async (c) => {
    await c.query(`INSERT INTO field_files (sha256, type, bytes, data, uploaded_by, uploaded_at) VALUES ($1, 'image/jpeg', $2, $3, $4, $5)`, [sha(photoA), photoA.length, photoA, users, at]);
    for (const [p, withVisit] of [[A, true], [B, false]] as const) {
      const household = randomUUID();
      const resident = randomUUID();
      await c.query(`INSERT INTO households (id, unit_id, version, data, field_meta, search, created_by, created_at, updated_at) VALUES ($1, $2, 1, $3, '{}', 'x', $4, $5, $5)`, [household, village, JSON.stringify({ headName: p.fullName }), users, at]);
      await c.query(
        `INSERT INTO residents (id, household_id, unit_id, version, data, personal_sealed, id_hash, phone_hashes, field_meta, search, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, 1, $4, $5, $6, $7, '{}', 'x', $8, $9, $9)`,
        [resident, household, village, JSON.stringify({ fullName: p.fullName }), ctx.vault.seal({ idNumber: p.idNumber, phones: [p.phone], birthDate: p.birthDate }), ctx.vault.lookupHash('id', p.idNumber), [ctx.vault.lookupHash('phone', p.phone)], users, at],
      );
      if (withVisit)
        await c.query(`INSERT INTO visits (id, unit_id, household_id, resident_id, member_id, actions, notes, photo_sha256, occurred_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, 'đã cài VNeID', $7, $8, $8)`, [
          randomUUID(),
          village,
          household,
          resident,
          users,
          ['help_vneid'],
          sha(photoA),
          at,
        ]);
      await c.query(
        `INSERT INTO blockers (id_hash, phone_hash, person_sealed, kind, source, note, unit_id, created_at, last_seen_at) VALUES ($1, $2, $3, 'no_smartphone', 'field', $4, $5, $6, $6)`,
        [ctx.vault.lookupHash('id', p.idNumber), ctx.vault.lookupHash('phone', p.phone), ctx.vault.seal({ fullName: p.fullName }), `vướng mắc của ${p.fullName}`, village, at],
      );
      await c.query(`INSERT INTO sms_inbound (sender_sealed, sender_hash, to_number, body, command, outcome, received_at) VALUES ($1, $2, '8088', $3, 'lookup', 'answered', $4)`, [
        ctx.vault.seal({ phone: p.phone }),
        ctx.vault.lookupHash('phone', p.phone),
        `HS ${p === A ? dossierA : dossierB}`,
        at,
      ]);
      await c.query(`INSERT INTO payments (dossier_id, fee_request_seq, reference, amount, status, method, recorded_by, paid_at, receipt_no) VALUES ($1, 1, $2, 50000, 'paid', 'counter', $3, $4, $5)`, [
        p === A ? aId : bId,
        `PAY-${p === A ? 'A' : 'B'}-${Date.now()}`,
        users,
        at,
        p === A ? 'BL-A-001' : 'BL-B-002',
      ]);
    }
    await c.query(
      `INSERT INTO citizens (id_hash, id_sealed, full_name, birth_date_sealed, phone_hash, phone_sealed, phone_ownership) VALUES ($1, $2, $3, $4, $5, $6, 'matched')`,
      [ctx.vault.lookupHash('id', A.idNumber), ctx.vault.seal({ idNumber: A.idNumber }), A.fullName, ctx.vault.seal({ birthDate: A.birthDate }), ctx.vault.lookupHash('phone', A.phone), ctx.vault.seal({ phone: A.phone })],
    );
  });
  return { dossierA, dossierB, dossierElsewhere, paperA, paperB, photoA };
}

describeEachEngine('data-subject export (Nghị định 13/2023)', (env) => {
  let web: WebServer;
  let admin: { id: number; username: string };
  let client: Client;
  let seeded: Seeded;

  const download = async (c: Client, form: Record<string, string>) => {
    const body = new URLSearchParams({ _csrf: c.csrf, ...form });
    const res = await fetch(`${web.baseUrl}/office/admin/people/export`, { method: 'POST', body: body.toString(), redirect: 'manual', signal: AbortSignal.timeout(90_000), headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'export-test' } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', body: Buffer.from(await res.arrayBuffer()) };
  };
  const dataOf = (zip: Map<string, Buffer>) => JSON.parse(zip.get('data.json')?.toString('utf8') ?? '{}') as Record<string, unknown> & { dossiers: { code: string; documents: { file: string }[]; payments: unknown[]; applicant: Record<string, unknown> }[] };

  it('has two people on file, in scope and out of it', { timeout: 120_000 }, async () => {
    assert.ok(checkCccd(A.idNumber).ok && checkCccd(B.idNumber).ok, 'the test numbers are valid');
    web = await startWebServer(env.db);
    const other = await addProvince(env.db, '99', 'Tỉnh Thử');
    admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin');
    client = await signedIn(web, admin.id);
    seeded = await seedPeople(web.ctx, other.communeId);
  });

  it('gives a province admin one ZIP with everything about the person and nothing about another', { timeout: 60_000 }, async () => {
    const form = await client.get('/office/admin/people/export');
    assert.equal(form.status, 200);
    assert.match(form.html, /name="_csrf"/);
    const res = await download(client, { cccd: '0750 9000 1234', phone: '' });
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/zip');
    assert.match(res.disposition, /^attachment; filename="du-lieu-ca-nhan-\d{8}-\d{6}\.zip"$/);
    const zip = unzip(res.body);
    const data = dataOf(zip);
    assert.equal(data.schemaVersion, 1);
    assert.equal(data.exportedAt, web.ctx.now().toISOString());
    assert.match(JSON.stringify(data.legalBasis), /13\/2023\/NĐ-CP/);
    assert.match(zip.get('README.txt')?.toString('utf8') ?? '', /Nghị định 13\/2023\/NĐ-CP[\s\S]*Decree 13\/2023/);

    const account = data.account as Record<string, unknown>[];
    assert.equal(account.length, 1);
    assert.deepEqual([account[0]?.idNumber, account[0]?.phone, account[0]?.birthDate], [A.idNumber, A.phone, A.birthDate]);
    assert.ok(!('password_hash' in (account[0] ?? {})));

    assert.deepEqual(data.dossiers.map((d) => d.code), [seeded.dossierA], 'the dossier of another province is outside the admin’s scope');
    const dossier = data.dossiers[0];
    assert.equal(dossier?.applicant.idNumber, A.idNumber);
    assert.equal(dossier?.payments.length, 1);
    const paper = dossier?.documents[0]?.file ?? '';
    assert.match(paper, /^files\/dossiers\/.+\/\d+-giấy khai sinh\.pdf$/);
    assert.deepEqual(zip.get(paper), seeded.paperA);

    const register = data.householdRegister as { personal: { idNumber: string } }[];
    assert.deepEqual(register.map((r) => r.personal.idNumber), [A.idNumber]);
    const visits = data.fieldVisits as { notes: string; photo: string }[];
    assert.equal(visits.length, 1);
    assert.deepEqual(zip.get(visits[0]?.photo ?? ''), seeded.photoA);
    assert.equal((data.blockers as unknown[]).length, 1);
    const sent = data.messagesSent as { body: string; to: string }[];
    assert.ok(sent.some((m) => m.body === 'Tin nhắn cho Xuyến'));
    assert.ok(sent.some((m) => m.body.includes(seeded.dossierA)), 'the receipt SMS of the dossier');
    assert.deepEqual(new Set(sent.map((m) => m.to)), new Set([A.phone]));
    assert.deepEqual((data.messagesReceived as { from: string }[]).map((m) => m.from), [A.phone]);

    // Nothing of the other person anywhere in the archive.
    const everything = [...zip.values()].map((b) => b.toString('utf8')).join('\n');
    for (const trace of [B.idNumber, B.phone, B.fullName, seeded.dossierB, 'BL-B-002', 'Tin nhắn cho Khải']) assert.ok(!everything.includes(trace), `no ${trace}`);
    assert.ok(![...zip.values()].some((b) => b.equals(seeded.paperB)));
  });

  it('finds the same person by phone number alone', async () => {
    const res = await download(client, { cccd: '', phone: '+84 912 000 111' });
    assert.equal(res.status, 200);
    const data = dataOf(unzip(res.body));
    assert.equal((data.account as unknown[]).length, 1);
    assert.deepEqual(data.dossiers.map((d) => d.code), [seeded.dossierA]);
  });

  it('audits every export with the keyed hash, never the number itself', async () => {
    const entries = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'people.subject_export').orderBy('id').execute();
    assert.equal(entries.length, 2);
    const first = entries[0];
    assert.equal(first?.actor_id, admin.id);
    assert.equal(first?.entity, 'person');
    assert.equal(first?.entity_id, web.ctx.vault.lookupHash('id', A.idNumber));
    assert.equal(first?.user_agent, 'export-test');
    assert.equal((first?.detail as { via: string }).via, 'office');
    assert.equal((first?.detail as { counts: { dossiers: number } }).counts.dossiers, 1);
    for (const e of entries) {
      const text = JSON.stringify(e);
      for (const secret of [A.idNumber, A.phone, '912000111', A.fullName]) assert.ok(!text.includes(secret), `no ${secret} in the audit entry`);
    }
  });

  it('refuses officers who are not a province administrator, and bad numbers', async () => {
    const officer = await officerOn(env.db, [{ role: 'officer', unitCode: COMMUNE }], 'motcua');
    const leader = await officerOn(env.db, [{ role: 'leader', unitCode: '75' }], 'lanhdao');
    for (const who of [officer, leader]) {
      const c = await signedIn(web, who.id);
      assert.equal((await c.get('/office/admin/people/export')).status, 403);
      const res = await download(c, { cccd: A.idNumber });
      assert.equal(res.status, 403);
      assert.notEqual(res.type, 'application/zip');
    }
    const bad = await download(client, { cccd: '12345', phone: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString('utf8'), /12 chữ số/);
    const none = await download(client, { cccd: '', phone: '' });
    assert.equal(none.status, 400);
    const withoutCsrf = await fetch(`${web.baseUrl}/office/admin/people/export`, { method: 'POST', body: `cccd=${A.idNumber}`, headers: { cookie: client.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(withoutCsrf.status, 403);
    const audited = await env.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'people.subject_export').execute();
    assert.equal(audited.length, 2, 'refused and invalid requests export nothing');
  });

  it('exports every unit from the command line, and the other province’s admin sees only their own dossiers', async () => {
    const all = await exportSubject(web.ctx, parseSubjectQuery({ cccd: A.idNumber }), 'all', { actorId: null, via: 'cli' });
    const data = dataOf(unzip(all.zip));
    assert.deepEqual(data.dossiers.map((d) => d.code).sort(), [seeded.dossierA, seeded.dossierElsewhere].sort());
    const otherAdmin = await officerOn(env.db, [{ role: 'admin', unitCode: '99' }], 'admin99');
    const res = await download(await signedIn(web, otherAdmin.id), { cccd: A.idNumber });
    assert.equal(res.status, 200);
    assert.deepEqual(dataOf(unzip(res.body)).dossiers.map((d) => d.code), [seeded.dossierElsewhere]);
    assert.throws(() => parseSubjectQuery({ cccd: '999090001234' }), (e: unknown) => e instanceof Problem && e.code === 'people.export.bad_cccd');
    assert.throws(() => parseSubjectQuery({}), (e: unknown) => e instanceof Problem && e.code === 'people.export.subject_required');
  });

  it('closes the server', async () => {
    await web.close();
  });
});

it('writes ZIP archives that read back entry for entry (stored and deflated, UTF-8 names)', () => {
  const entries = [
    { name: 'README.txt', data: 'Dữ liệu cá nhân\r\n'.repeat(100) },
    { name: 'files/ảnh.jpg', data: createHash('sha512').update('x').digest() },
    { name: '../../etc/passwd', data: 'no escape' },
    { name: 'empty.txt', data: '' },
  ];
  const zip = unzip(writeZip(entries));
  assert.deepEqual([...zip.keys()], ['README.txt', 'files/ảnh.jpg', 'etc/passwd', 'empty.txt']);
  assert.equal(zip.get('README.txt')?.toString('utf8'), entries[0]?.data);
  assert.deepEqual(zip.get('files/ảnh.jpg'), entries[1]?.data);
  assert.equal(zip.get('empty.txt')?.length, 0);
  assert.throws(() => writeZip([{ name: 'a', data: '1' }, { name: 'a', data: '2' }]));
});
