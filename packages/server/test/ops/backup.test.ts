/**
 * Backups, restore, verify and migrate-to, on both engines: a database with a year of Bình
 * Phước 2022 dossiers (bulk loaded, plus some taken through the real services), a chained audit
 * log, documents and a field photo as bytes, a village register with its triggers, sync changes
 * and awkward text, is backed up, checked, and restored into fresh empty databases of the same
 * engine and of the other one; every table must come back row for row (same SHA-256) and the
 * II.06a report for 2022 must be the same. Damaged files, a wrong passphrase and a non-empty
 * target must be refused without writing anything.
 */
import { before, after, it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Action } from '@causo/domain';
import { describeEachEngine, engines, pgliteTemplate, type Engine } from '../support/engines.ts';
import { makeOfficer, testContext, TestClock, txid } from '../support/fixtures.ts';
import { openDatabase, PGLITE_CONF, type Db } from '../../src/db/database.ts';
import { PG_PARSERS } from '../../src/db/types.ts';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { bulkLoadDossiers } from '../../src/modules/dossiers/bulkLoad.ts';
import { actOnDossier, createDossier } from '../../src/modules/dossiers/service.ts';
import { storeDocument } from '../../src/modules/dossiers/documents.ts';
import { audit } from '../../src/modules/audit/service.ts';
import { sealAuditChain, verifyAuditChain } from '../../src/modules/audit/chain.ts';
import { recordChange } from '../../src/modules/sync/changes.ts';
import { ii06aReport } from '../../src/modules/reports/service.ts';
import { syntheticDossiers, syntheticSource } from '../../src/bench/syntheticDossiers.ts';
import { BackupError, backupPassphrase, HEADER_BYTES, CHUNK_BYTES } from '../../src/ops/backup/crypto.ts';
import { databaseDigest, writeBackup } from '../../src/ops/backup/dump.ts';
import { readBackup, verifyBackupFile } from '../../src/ops/backup/read.ts';
import { copyDatabase, restoreRecords } from '../../src/ops/backup/restore.ts';
import { startScheduledBackups, BACKUP_FILE, type ScheduleDeps } from '../../src/ops/backup/schedule.ts';
import type { AppContext } from '../../src/context.ts';

const PASSPHRASE = 'mật khẩu sao lưu của xã 2022';
const DATA_KEY = 'causo-development-key-do-not-use-in-production-0000';
const YEAR_2022 = { from: '2022-01-01', to: '2022-12-31' };
const REPORT_NOW = new Date('2026-11-25T02:00:00Z');
const PG_URL = process.env.TEST_DATABASE_URL;
/**
 * scrypt cost for the files these library tests write: 2^14 instead of the default 2^17 (the
 * setting is in each file's header and read back from it; the commands below use the default).
 */
const LOG_N = 14;

/** A freshly initialised PGlite cluster, made once: cloning it is much faster than initdb for every target. */
let emptyCluster: Promise<Blob> | null = null;
function emptyClusterImage(): Promise<Blob> {
  emptyCluster ??= (async () => {
    const p = await PGlite.create({ parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
    const image = await p.dumpDataDir('none');
    await p.close();
    return image;
  })();
  return emptyCluster;
}

/** A new database with nothing in it (no schema): PGlite in memory, or a new database on the server. */
async function emptyDatabase(engine: Engine, owner?: string): Promise<{ db: Db; url?: string; dispose: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openDatabase({ pglite: await PGlite.create({ loadDataDir: await emptyClusterImage(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF }) });
    return { db, dispose: () => db.close() };
  }
  const base = new URL(PG_URL ?? '');
  const name = `causo_bk_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${owner ? ` OWNER ${owner}` : ''}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  if (owner) url.username = owner;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  return {
    db,
    url: url.toString(),
    dispose: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: base.toString() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Spends transaction ids (the way a busy installation has), so the restore must move the target's counter. */
async function spendXids(db: Db, n: number): Promise<void> {
  await db.raw(async (c) => {
    await c.query('CREATE TEMP TABLE IF NOT EXISTS bk_spend (x int)');
    await c.exec(`DO $$ BEGIN FOR i IN 1..${n} LOOP BEGIN INSERT INTO bk_spend VALUES (1); RAISE EXCEPTION USING ERRCODE = 'P0001'; EXCEPTION WHEN raise_exception THEN NULL; END; END LOOP; END $$`);
    await c.query('DROP TABLE bk_spend');
  });
}

const bytesOfEveryValue = (n: number) => {
  const b = randomBytes(n);
  for (let i = 0; i < 256; i++) b[i] = i; // NUL, quotes, backslashes, newlines and high bytes
  return b;
};

/** A realistic installation: 300 bulk-loaded 2022 dossiers, 8 through the services, files, a register, sync, audit. */
async function seed(db: Db): Promise<void> {
  const clock = new TestClock(new Date('2022-03-01T08:00:00+07:00'));
  const ctx = testContext(db, clock);
  const admin = await makeOfficer(db, [{ role: 'admin', unitCode: '70' }]);
  const calendar = await ctx.calendar.calendar();
  const src = await syntheticSource(db, '70', '2022-06-01', calendar);
  await bulkLoadDossiers(db, syntheticDossiers(src, calendar, { count: 300, year: 2022, tag: 'bk', seed: 2022 }), { actorId: admin.officer.id, transactionPrefix: 'bk' });
  const stories: [string, 1 | 2 | 3, [Action, string][]][] = [
    ['2022-03-01T08:00:00+07:00', 1, [['start_processing', '2022-03-01T09:00:00+07:00'], ['finish', '2022-03-02T08:00:00+07:00']]],
    ['2022-04-04T08:00:00+07:00', 2, [['receive', '2022-04-04T08:10:00+07:00'], ['start_processing', '2022-04-04T09:00:00+07:00'], ['finish', '2022-04-20T15:00:00+07:00']]],
    ['2022-05-05T08:00:00+07:00', 1, [['request_supplement', '2022-05-05T09:00:00+07:00']]],
    ['2022-06-06T08:00:00+07:00', 1, [['request_withdrawal', '2022-06-06T09:00:00+07:00'], ['stop', '2022-06-07T09:00:00+07:00']]],
    ['2022-07-07T08:00:00+07:00', 3, [['start_processing', '2022-07-07T09:00:00+07:00']]],
    ['2022-08-08T08:00:00+07:00', 2, [['refuse', '2022-08-08T09:00:00+07:00']]],
    ['2022-09-09T08:00:00+07:00', 1, []],
    ['2022-12-30T16:00:00+07:00', 1, [['start_processing', '2022-12-30T16:30:00+07:00']]],
  ];
  let firstId = 0;
  for (const [at, channel, steps] of stories) {
    clock.set(at);
    const d = await createDossier(ctx, admin, { transactionId: txid(), procedureCode: '1.001193', unitCode: '25312', channel, applicant: { fullName: 'Điểu Thị "Lan", con ông Brah\\Điểu', phone: '0912345678' }, formData: { note: 'dòng 1\ndòng 2, "trích dẫn" \\ 😀' } });
    firstId ||= (await db.kysely.selectFrom('dossiers').select('id').where('code', '=', d.code).executeTakeFirstOrThrow()).id;
    for (const [action, when] of steps) {
      clock.set(when);
      await actOnDossier(ctx, admin, d.code, { action, transactionId: txid(), ...(action === 'stop' || action === 'refuse' ? { reason: 'lý do, "có" dấu phẩy' } : {}), ...(action === 'request_supplement' ? { missingDocuments: ['Giấy tờ'] } : {}) });
    }
  }
  // Papers as bytes: every byte value, and 1.3 MB of incompressible ones (the backup spans several chunks).
  const users = admin.officer.id;
  const paper = bytesOfEveryValue(4096);
  await db.transaction((trx) => storeDocument(trx, { dossierId: firstId }, { filename: 'giấy "khai" sinh,\n.pdf', contentType: 'application/pdf', data: paper, sha256: createHash('sha256').update(paper).digest('hex') }, { kind: 'other', label: '', userId: users }));
  await db.raw((c) =>
    c.query(
      `INSERT INTO documents (dossier_id, kind, filename, content_type, byte_size, sha256, data, uploaded_by_user)
       SELECT $1, 'scan', 'ảnh chụp.jpg', 'image/jpeg', length(b), encode(sha256(b), 'hex'), b, $2
         FROM (SELECT string_agg(sha256(i::text::bytea), ''::bytea ORDER BY i) AS b FROM generate_series(1, 40000) i) x`,
      [firstId, users],
    ),
  );
  // A village register (its triggers fill register_dirty), a visit with a photo, and the sync log.
  const village = (await db.kysely.selectFrom('units').select('id').where('level', '=', 'village').orderBy('id').executeTakeFirstOrThrow()).id;
  const photo = bytesOfEveryValue(2000);
  const photoSha = createHash('sha256').update(photo).digest('hex');
  const household = randomUUID();
  const resident = randomUUID();
  const at = new Date('2022-10-01T03:00:00Z');
  await db.raw(async (c) => {
    await c.query(`INSERT INTO field_files (sha256, type, bytes, data, uploaded_by, uploaded_at) VALUES ($1, 'image/jpeg', $2, $3, $4, $5)`, [photoSha, photo.length, photo, users, at]);
    await c.query(`INSERT INTO households (id, unit_id, version, data, field_meta, search, created_by, created_at, updated_at) VALUES ($1, $2, 1, $3, '{}', 'nong van tuan', $4, $5, $5)`, [household, village, JSON.stringify({ headName: 'Nông Văn Tuấn', address: 'Tổ 3, "ấp" 4' }), users, at]);
    await c.query(`INSERT INTO residents (id, household_id, unit_id, version, data, personal_sealed, id_hash, phone_hashes, field_meta, search, created_by, created_at, updated_at)
                   VALUES ($1, $2, $3, 2, $4, 'v1.sealed', NULL, $5, '{"fullName": {"v": 2}}', 'nong van tuan', $6, $7, $7)`, [resident, household, village, JSON.stringify({ fullName: 'Nông Văn Tuấn' }), ['h1', 'h"2', 'h,3', ''], users, at]);
    await c.query(`INSERT INTO visits (id, unit_id, household_id, resident_id, member_id, actions, notes, photo_sha256, occurred_at, received_at) VALUES ($1, $2, $3, NULL, $4, $5, '', $6, $7, $7)`, [randomUUID(), village, household, users, ['visit', 'help "vneid"'], photoSha, at]);
    await c.query(`INSERT INTO register_days (unit_id, day, households, residents, adults) VALUES ($1, '2022-10-01', 1, 1, 1)`, [village]);
    await c.query(`INSERT INTO settings (key, value, updated_by) VALUES ($1, $2, $3)`, ['bk.test "khóa", \\ với\ndòng mới', JSON.stringify({ emoji: '😀', quote: '"', backslash: '\\', nul: 'không có NUL', n: 1.5e-7, big: 12345678901234567890 }), users]);
  });
  // Sync changes after spending ids, so a fresh target is behind the source's transaction counter.
  await spendXids(db, 3000);
  for (let i = 0; i < 5; i++) await recordChange(db.kysely, village, 'household', household);
  for (let i = 0; i < 12; i++) await audit(db.kysely, { actorId: users, action: 'bk.test', entity: 'thing', entityId: i, detail: { i, text: 'dấu "ngoặc"\n' }, ip: '10.0.0.1' });
  await sealAuditChain(db);
  for (let i = 0; i < 3; i++) await audit(db.kysely, { actorId: null, action: 'bk.unsealed', entity: 'thing', entityId: i, ip: null });
  // Sequences ahead of their largest id (a rolled-back insert), as in live use.
  await db.raw((c) => c.query(`SELECT nextval('register_dirty_id_seq') FROM generate_series(1, 7)`));
}

const report = (db: Db) => Promise.all([ii06aReport(db.kysely, { period: YEAR_2022, unitCode: '70', by: 'unit' }, REPORT_NOW), ii06aReport(db.kysely, { period: YEAR_2022, unitCode: '70', by: 'sector' }, REPORT_NOW)]);
const seqValue = async (db: Db, seq: string) => db.raw(async (c) => (await c.query<{ v: string }>(`SELECT last_value::text AS v FROM ${seq}`))[0]?.v);

/** Everything a restored database must show exactly as the original did. */
async function assertSameAsOriginal(restored: Db, original: { digest: Awaited<ReturnType<typeof databaseDigest>>; report: unknown; head: unknown; seqs: (string | undefined)[] }): Promise<void> {
  const digest = await databaseDigest(restored);
  assert.deepEqual(digest, original.digest, 'every table row for row');
  assert.deepEqual(await report(restored), original.report, 'II.06a for 2022');
  const chain = await verifyAuditChain(restored, { seal: false });
  assert.deepEqual(chain.breaks, []);
  assert.deepEqual(chain.head, original.head, 'the audit chain as it was, not chained again');
  assert.deepEqual([await seqValue(restored, 'dossiers_id_seq'), await seqValue(restored, 'register_dirty_id_seq')], original.seqs);
  // Every restored sync change is visible to a pull, and a new one sorts after all of them.
  const sync = await restored.raw((c) => c.query<{ all: number; visible: number }>(`SELECT count(*)::int AS all, count(*) FILTER (WHERE xid < pg_snapshot_xmin(pg_current_snapshot()))::int AS visible FROM sync_changes`));
  assert.equal(sync[0]?.visible, sync[0]?.all);
  const highest = (await restored.raw((c) => c.query<{ m: string }>(`SELECT max(xid)::text AS m FROM sync_changes`)))[0]?.m ?? '0';
  const village = (await restored.kysely.selectFrom('units').select('id').where('level', '=', 'village').orderBy('id').executeTakeFirstOrThrow()).id;
  await recordChange(restored.kysely, village, 'household', 'after-restore');
  const fresh = (await restored.raw((c) => c.query<{ x: string }>(`SELECT xid::text AS x FROM sync_changes WHERE entity_id = 'after-restore'`)))[0]?.x ?? '0';
  assert.ok(BigInt(fresh) > BigInt(highest), `a change after the restore (${fresh}) sorts after the restored ones (${highest})`);
}

async function rowsIn(db: Db): Promise<number> {
  return (await databaseDigest(db)).reduce((n, t) => n + t.rows, 0);
}

describeEachEngine('backup, verify and restore', (env) => {
  const dir = mkdtempSync(join(tmpdir(), 'causo-backup-test-'));
  const file = join(dir, 'causo.backup');
  let original: Parameters<typeof assertSameAsOriginal>[1];
  const other: Engine | null = env.engine === 'pglite' ? (PG_URL ? 'postgres' : null) : 'pglite';
  // The file format does not depend on the engine: its checks run once, in the first engine's suite.
  const formatChecks = { skip: env.engine !== engines()[0] };

  before(async () => {
    await seed(env.db);
    original = {
      digest: await databaseDigest(env.db),
      report: await report(env.db),
      head: (await verifyAuditChain(env.db, { seal: false })).head,
      seqs: [await seqValue(env.db, 'dossiers_id_seq'), await seqValue(env.db, 'register_dirty_id_seq')],
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an encrypted, compressed backup whose manifest has every table with its row count and SHA-256', async () => {
    const w = await writeBackup(env.db, file, PASSPHRASE, { dataKey: DATA_KEY, logN: LOG_N });
    assert.deepEqual(w.manifest.tables.map((t) => t.name).sort(), original.digest.map((t) => t.name).sort());
    assert.deepEqual([...w.manifest.tables].sort((a, b) => a.name.localeCompare(b.name)), [...original.digest].sort((a, b) => a.name.localeCompare(b.name)));
    assert.equal(w.manifest.engine, env.engine);
    assert.equal(w.manifest.schemaVersion, Math.max(...listMigrations().map((m) => m.version)));
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 8).toString('ascii'), 'CAUSOBK1');
    assert.ok(bytes.length > CHUNK_BYTES, 'several chunks');
    assert.ok(!bytes.includes(Buffer.from('Điểu Thị')), 'nothing readable in the file');
    assert.ok(readdirSync(dir).every((f) => !f.includes('.partial')));
    // Parents before children: units before dossiers before dossier_actions and documents.
    const order = w.manifest.tables.map((t) => t.name);
    assert.ok(order.indexOf('units') < order.indexOf('dossiers') && order.indexOf('dossiers') < order.indexOf('dossier_actions') && order.indexOf('drafts') < order.indexOf('documents'));
  });

  it('verifies the file: every chunk, the manifest, each table\'s count and hash', async () => {
    const v = await verifyBackupFile(file, PASSPHRASE);
    assert.equal(v.manifest.rows, original.digest.reduce((n, t) => n + t.rows, 0));
    assert.equal(v.header.engine, env.engine);
  });

  it('restores into a fresh empty database of the same engine, all or nothing: a file cut short leaves not a row; the whole file gives every table row for row, the II.06a report for 2022, the audit chain', async () => {
    const cut = join(dir, 'cut-restore.backup');
    const bytes = readFileSync(file);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const target = await emptyDatabase(env.engine);
    try {
      await assert.rejects(() => restoreRecords(target.db, readBackup(cut, PASSPHRASE), { dataKey: DATA_KEY }), (e: unknown) => e instanceof BackupError && e.code === 'truncated');
      assert.equal(await rowsIn(target.db), 0);
      // The same database (migrated by the first attempt, still empty) then takes the whole backup.
      const s = await restoreRecords(target.db, readBackup(file, PASSPHRASE), { dataKey: DATA_KEY });
      assert.equal(s.manifest.rows, original.digest.reduce((n, t) => n + t.rows, 0));
      await assertSameAsOriginal(target.db, original);
    } finally {
      await target.dispose();
    }
  });

  it(`copies into the other engine (${other ?? 'not available'}): PGlite → PostgreSQL directly (migrate-to), PostgreSQL → PGlite from the file`, { skip: other === null }, async () => {
    if (!other) return;
    const target = await emptyDatabase(other);
    try {
      if (env.engine === 'pglite') await copyDatabase(env.db, target.db, { dataKey: DATA_KEY });
      else await restoreRecords(target.db, readBackup(file, PASSPHRASE), { dataKey: DATA_KEY });
      await assertSameAsOriginal(target.db, original);
    } finally {
      await target.dispose();
    }
  });

  it('says so when the passphrase is wrong, missing or too short', formatChecks, async () => {
    await assert.rejects(() => verifyBackupFile(file, 'another passphrase entirely'), (e: unknown) => e instanceof BackupError && e.code === 'wrong_passphrase' && /wrong passphrase/.test(e.message));
    assert.throws(() => backupPassphrase({}), /BACKUP_PASSPHRASE is not set/);
    assert.throws(() => backupPassphrase({ BACKUP_PASSPHRASE: 'short pass' }), /too short/);
  });

  it('fails verification of a truncated file, one cut at a chunk boundary, and one with a single flipped byte', formatChecks, async () => {
    const bytes = readFileSync(file);
    const check = async (name: string, content: Buffer, code: string, pattern: RegExp) => {
      const f = join(dir, name);
      writeFileSync(f, content);
      await assert.rejects(() => verifyBackupFile(f, PASSPHRASE), (e: unknown) => e instanceof BackupError && e.code === code && pattern.test(e.message));
    };
    await check('cut.backup', bytes.subarray(0, bytes.length - 100), 'truncated', /truncated/);
    await check('boundary.backup', bytes.subarray(0, HEADER_BYTES + 5 + CHUNK_BYTES + 16), 'truncated', /without its last chunk/);
    const flipped = Buffer.from(bytes);
    const at = HEADER_BYTES + 5 + 1000;
    flipped[at] = (flipped[at] ?? 0) ^ 0x01;
    await check('flipped.backup', flipped, 'damaged', /chunk 0 fails authentication/);
    const flippedLast = Buffer.from(bytes);
    flippedLast[bytes.length - 20] = (flippedLast[bytes.length - 20] ?? 0) ^ 0x80;
    await check('flipped-last.backup', flippedLast, 'damaged', /fails authentication/);
    await check('extra.backup', Buffer.concat([bytes, Buffer.from('x')]), 'damaged', /after its last chunk/);
    await check('other.backup', Buffer.from('PGDMP not ours'), 'not_a_backup', /not a Cầu Số backup/);
  });

  it('refuses a database that is not empty, and changes nothing in it', async () => {
    await assert.rejects(
      () => restoreRecords(env.db, readBackup(file, PASSPHRASE)),
      (e: unknown) => e instanceof BackupError && e.code === 'not_empty' && /is not empty \(rows in audit_log, calendar_days, /.test(e.message) && /nothing was changed/.test(e.message),
    );
    assert.deepEqual(await databaseDigest(env.db), original.digest);
  });

  it('refuses, before writing anything, a backup whose personal data was sealed under another DATA_KEY', async () => {
    const target = await emptyDatabase(env.engine);
    try {
      await assert.rejects(() => restoreRecords(target.db, readBackup(file, PASSPHRASE), { dataKey: 'x'.repeat(40) }), (e: unknown) => e instanceof BackupError && e.code === 'data_key');
      assert.equal(await rowsIn(target.db), 0);
    } finally {
      await target.dispose();
    }
  });

  it('loads a backup made before the latest migration into its own schema, then migrates it', async () => {
    const latest = Math.max(...listMigrations().map((m) => m.version));
    const older = await emptyDatabase(env.engine);
    const target = await emptyDatabase(env.engine);
    try {
      await migrate(older.db, { upTo: latest - 1 });
      await older.db.raw((c) => c.query(`INSERT INTO sectors (code, name_vi, name_en) VALUES ('bk', 'Lĩnh vực thử', 'Test sector')`));
      const f = join(dir, 'older.backup');
      const w = await writeBackup(older.db, f, PASSPHRASE, { logN: LOG_N });
      assert.equal(w.manifest.schemaVersion, latest - 1);
      const s = await restoreRecords(target.db, readBackup(f, PASSPHRASE));
      assert.equal(s.migratedAfter.length, 1);
      assert.equal((await migrate(target.db)).applied.length, 0);
      assert.equal((await target.db.kysely.selectFrom('sectors').select('name_vi').where('code', '=', 'bk').executeTakeFirstOrThrow()).name_vi, 'Lĩnh vực thử');
    } finally {
      await older.dispose();
      await target.dispose();
    }
  });

  if (env.engine === 'postgres')
    it('restores as the database owner without superuser rights (foreign keys checked while loading)', async () => {
      const role = `causo_bk_owner_${randomBytes(3).toString('hex')}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      try {
        const target = await emptyDatabase('postgres', role);
        try {
          const su = await target.db.raw((c) => c.query<{ su: string }>(`SELECT current_setting('is_superuser') AS su`));
          assert.equal(su[0]?.su, 'off');
          await restoreRecords(target.db, readBackup(file, PASSPHRASE), { dataKey: DATA_KEY });
          assert.deepEqual(await databaseDigest(target.db), original.digest);
        } finally {
          await target.dispose();
        }
      } finally {
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.end();
      }
    });

  it('writes scheduled backups and keeps only the newest N', async () => {
    // The app server hands it its context (type-checked here).
    const fromContext = (ctx: AppContext): ScheduleDeps => ctx;
    void fromContext;
    const sched = join(dir, 'scheduled');
    let minute = 0;
    const written: string[] = [];
    const failures: unknown[] = [];
    const log = {
      info: (o: { file?: string }) => void (o.file && written.push(o.file)),
      warn: () => undefined,
      error: (o: { err?: unknown }) => void failures.push(o.err),
    } as unknown as Parameters<typeof startScheduledBackups>[0]['log'];
    const s = startScheduledBackups({ db: env.db, log, now: () => new Date(Date.UTC(2026, 10, 25, 1, minute++)) }, { dir: sched, everyHours: 0.5 / 3600, keep: 2, passphrase: PASSPHRASE, logN: LOG_N });
    try {
      const deadline = Date.now() + 30_000;
      while (written.length < 3 && !failures.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await s.stop();
    }
    assert.deepEqual(failures, []);
    assert.ok(written.length >= 3, `3 backups written (${written.length})`);
    const files = readdirSync(sched).sort();
    assert.equal(files.length, 2);
    assert.ok(files.every((f) => BACKUP_FILE.test(f)));
    assert.deepEqual(files, written.slice(-2).map((f) => f.slice(sched.length + 1)));
    assert.match(files[0] ?? '', /^causo-20261125-01\d\d\.backup$/);
    const v = await verifyBackupFile(join(sched, files[1] ?? ''), PASSPHRASE);
    assert.equal(v.manifest.rows, original.digest.reduce((n, t) => n + t.rows, 0));
  });
});

/**
 * The commands as an operator types them: an embedded installation in a folder (the test
 * template: migrated, with the reference data) backed up, checked, restored, and moved to
 * PostgreSQL. Each command is a separate process, so this block sticks to what only the command
 * line does (options, messages, exit codes); the library tests above cover the rest.
 */
describe('causo backup, restore and migrate-to commands', () => {
  const CAUSO = fileURLToPath(new URL('../../../../bin/causo.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'causo-backup-cli-'));
  const file = join(dir, 'x.backup');
  const causo = (args: string[], env: Record<string, string | undefined>) => {
    const base: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'silent', SEED_DEMO: 'false', BACKUP_PASSPHRASE: PASSPHRASE, DATA_DIR: join(dir, 'data') };
    delete base.DATABASE_URL;
    const r = spawnSync(process.execPath, [CAUSO, ...args], { env: { ...base, ...env }, encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  let digest: Awaited<ReturnType<typeof databaseDigest>>;
  const rows = () => digest.reduce((n, t) => n + t.rows, 0).toLocaleString('en');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up and verifies an embedded installation; refuses without a passphrase or with a wrong one, never printing it', async () => {
    const db = await openDatabase({ pglite: await PGlite.create(join(dir, 'data'), { loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF }) });
    await audit(db.kysely, { actorId: null, action: 'cli.test', entity: 'thing', entityId: 1, ip: null });
    digest = await databaseDigest(db);
    await db.close();

    const none = causo(['backup', '--out', file], { BACKUP_PASSPHRASE: '' });
    assert.equal(none.status, 78, none.out);
    assert.match(none.out, /BACKUP_PASSPHRASE is not set/);
    const made = causo(['backup', '--out', file], {});
    assert.equal(made.status, 0, made.out);
    assert.match(made.out, new RegExp(`backup written: .*x\\.backup .*\\n.*schema version \\d+: \\d+ tables, ${rows()} rows`));
    assert.ok(!made.out.includes(PASSPHRASE));
    const ok = causo(['backup', '--verify', file], {});
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.out, new RegExp(`backup OK: .*\\n.*schema version \\d+\\n.*tables, ${rows()} rows`));
    const wrong = causo(['backup', '--verify', file], { BACKUP_PASSPHRASE: 'not the right passphrase' });
    assert.equal(wrong.status, 1);
    assert.match(wrong.out, /^backup verification FAILED: wrong passphrase/m);
    assert.ok(!wrong.out.includes('not the right passphrase'));
  });

  it('restores the file into an empty database', async () => {
    const pgTarget = engines().includes('postgres') ? await emptyDatabase('postgres') : null;
    const env = pgTarget ? { DATABASE_URL: pgTarget.url } : { DATA_DIR: join(dir, 'restored') };
    try {
      const restored = causo(['restore', file], env);
      assert.equal(restored.status, 0, restored.out);
      assert.match(restored.out, new RegExp(`restored .* into (postgres|pglite):.*\\n\\s+\\d+ tables, ${rows()} rows`));
      const back = pgTarget?.db ?? (await openDatabase({ dataDir: join(dir, 'restored') }));
      try {
        assert.deepEqual(await databaseDigest(back), digest);
      } finally {
        if (!pgTarget) await back.close();
      }
    } finally {
      await pgTarget?.dispose();
    }
  });

  it('migrate-to copies the embedded installation into an empty PostgreSQL database and says what to set next', { skip: !engines().includes('postgres') }, async () => {
    const target = await emptyDatabase('postgres');
    try {
      const r = causo(['migrate-to', target.url ?? ''], {});
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, new RegExp(`copied pglite:.* to postgres://.*\\n\\s+\\d+ tables, ${rows()} rows`));
      assert.match(r.out, /set DATABASE_URL=postgres:\/\//);
      assert.deepEqual(await databaseDigest(target.db), digest);
    } finally {
      await target.dispose();
    }
  });
});
