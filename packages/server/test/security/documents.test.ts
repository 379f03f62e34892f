/**
 * Papers (uploaded documents) by address: traversal tricks and other people's ids get a 4xx,
 * never a file. Papers live in the database and are found by number, so there is no path to
 * escape; these tests keep it that way.
 *
 * Already tested elsewhere (IDOR): every route for the owner, another citizen, officers inside
 * and outside the unit, administrators of other provinces (test/http/routeAccess.test.ts); the
 * dossier page and its papers refused to an officer of another commune
 * (test/office/dossierPage.test.ts); every page of another citizen's draft
 * (test/apply/applyPages.test.ts); envelopes for a village outside the team and pulls limited
 * to the team's villages (test/sync/push.test.ts).
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import { COMMUNE, OTHER_COMMUNE, PageClient, officerAt, scanPng, type TestOfficer } from '../office/helpers.ts';
import { photo } from '../apply/helpers.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { receiveAtCounter } from '../../src/modules/dossiers/counterIntake.ts';
import { prepareUpload } from '../../src/modules/dossiers/documents.ts';
import { addDraftDocument, startDraft } from '../../src/modules/dossiers/drafts.ts';

const PROCEDURE = '1.001193';

/** Ways to say "some other file" in a path segment. */
const TRICKS = (id: number) => [
  `../${id}`,
  `..%2f${id}`,
  `%2e%2e%2f${id}`,
  `%2e%2e/${id}`,
  `..%5c${id}`,
  `${id}%00`,
  `${id}%00.png`,
  `${id}%2f..`,
  '%2fetc%2fpasswd',
  '..%2f..%2f..%2f..%2fetc%2fpasswd',
  'C:%5cWindows%5cwin.ini',
  `${id}.0`,
  `0${id}`.length > 16 ? '0' : `+${id}`,
  `-${id}`,
  `0x${id.toString(16)}`,
  `${id}e0`,
  `%20${id}`,
  '99999999999999999999',
  'a'.repeat(64),
];

describeEachEngine('security: papers by address (path traversal, other people’s ids)', (env) => {
  let web: WebServer;
  let officer: TestOfficer;
  let outsider: TestOfficer;
  let alice: TestCitizen;
  let bob: TestCitizen;
  const f = { dossierDoc: 0, otherUnitDoc: 0, aliceDraft: 0, aliceDoc: 0, bobDraft: 0, bobDoc: 0, files: [] as Buffer[] };

  before(async () => {
    web = await startWebServer(env.db);
    const ctx = web.ctx;
    officer = await officerAt(ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    outsider = await officerAt(ctx, [{ role: 'officer', unitCode: OTHER_COMMUNE }]);
    const receive = async (o: TestOfficer, unitCode: string) => {
      const loaded = await loadOfficer(env.db.kysely, o.officer.id);
      assert.ok(loaded);
      const data = await scanPng(200 + f.files.length, 300);
      f.files.push(data);
      const r = await receiveAtCounter(ctx, { officer: loaded, ip: '127.0.0.1' }, {
        transactionId: randomUUID(),
        unitCode,
        procedureCode: PROCEDURE,
        applicant: { fullName: 'Điểu Thị Lan', phone: '0912345678' },
        answers: { childFullName: 'Điểu Văn Tâm' },
        papersReceived: ['Giấy chứng sinh'],
        resultDelivery: 'desk',
        scans: [{ kind: 'scan', label: 'Bản quét', file: await prepareUpload({ filename: 'scan.png', data }, ctx.config.UPLOAD_MAX_BYTES) }],
      });
      const doc = await env.db.kysely.selectFrom('documents as d').innerJoin('dossiers as x', 'x.id', 'd.dossier_id').select('d.id').where('x.code', '=', r.code).executeTakeFirstOrThrow();
      return doc.id;
    };
    f.dossierDoc = await receive(officer, COMMUNE);
    f.otherUnitDoc = await receive(outsider, OTHER_COMMUNE);
    alice = await makeCitizen(ctx);
    bob = await makeCitizen(ctx, { fullName: 'K’Ho Văn Bình' });
    const draftWithDoc = async (c: TestCitizen) => {
      const me = { citizenId: c.id, ip: '127.0.0.1' };
      const draft = await startDraft(ctx, me, PROCEDURE);
      const data = await photo(300 + f.files.length, 200);
      f.files.push(data);
      return { draft: draft.id, doc: await addDraftDocument(ctx, me, draft.id, 'birthCertificate', { filename: 'giay.jpg', data }) };
    };
    ({ draft: f.aliceDraft, doc: f.aliceDoc } = await draftWithDoc(alice));
    ({ draft: f.bobDraft, doc: f.bobDoc } = await draftWithDoc(bob));
  });
  after(async () => {
    await web?.close();
  });

  const fetchAs = async (cookie: string, path: string) => {
    const res = await fetch(web.baseUrl + path, { headers: { cookie }, redirect: 'manual' });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
  };
  /** A refusal: 4xx, and not one byte of any stored paper in the answer. */
  const refused = (where: string, r: { status: number; body: Buffer }) => {
    assert.ok(r.status >= 400 && r.status < 500, `${where}: ${r.status}`);
    for (const file of f.files) assert.equal(r.body.includes(file.subarray(0, 64)), false, `${where}: a stored paper came back`);
  };

  it('the officer gets their own unit’s paper (so the refusals below are about the address)', async () => {
    const c = new PageClient(web.baseUrl);
    await c.signIn(officer.username, officer.password);
    const r = await fetchAs(`causo_session=${c.jar.causo_session ?? ''}`, `/office/documents/${f.dossierDoc}`);
    assert.equal(r.status, 200);
    assert.match(r.type, /^image\//);
  });

  it('refuses traversal tricks, other units’ papers and draft papers on /office/documents/:id', async () => {
    const c = new PageClient(web.baseUrl);
    await c.signIn(officer.username, officer.password);
    const cookie = `causo_session=${c.jar.causo_session ?? ''}`;
    for (const t of TRICKS(f.dossierDoc)) refused(`/office/documents/${t}`, await fetchAs(cookie, `/office/documents/${t}`));
    refused('another commune’s paper', await fetchAs(cookie, `/office/documents/${f.otherUnitDoc}`));
    refused('a citizen’s unsent paper', await fetchAs(cookie, `/office/documents/${f.aliceDoc}`));
  });

  it('refuses a citizen another citizen’s draft paper, also through their own draft’s address, and traversal tricks', async () => {
    const mine = alice.cookie;
    assert.equal((await fetchAs(mine, `/apply/d/${f.aliceDraft}/file/${f.aliceDoc}`)).status, 200);
    refused('Bob’s paper through Alice’s draft', await fetchAs(mine, `/apply/d/${f.aliceDraft}/file/${f.bobDoc}`));
    refused('Bob’s paper through Bob’s draft', await fetchAs(mine, `/apply/d/${f.bobDraft}/file/${f.bobDoc}`));
    refused('a dossier’s paper through Alice’s draft', await fetchAs(mine, `/apply/d/${f.aliceDraft}/file/${f.dossierDoc}`));
    for (const t of TRICKS(f.bobDoc)) refused(`/apply/d/${f.aliceDraft}/file/${t}`, await fetchAs(mine, `/apply/d/${f.aliceDraft}/file/${t}`));
    for (const t of TRICKS(f.bobDraft)) refused(`/apply/d/${t}/file/${f.bobDoc}`, await fetchAs(mine, `/apply/d/${t}/file/${f.bobDoc}`));
  });

  it('does not let a citizen remove another citizen’s draft paper through their own draft', async () => {
    const c = new PageClient(web.baseUrl, alice.cookie);
    const page = await c.get(`/apply/d/${f.aliceDraft}/q/birthCertificate`);
    assert.equal(page.status, 200);
    const res = await c.post(`/apply/d/${f.aliceDraft}/q/birthCertificate/remove/${f.bobDoc}`, {});
    assert.ok(res.status >= 400 && res.status < 500, `${res.status}`);
    const still = await env.db.kysely.selectFrom('documents').select('id').where('id', '=', f.bobDoc).executeTakeFirst();
    assert.ok(still, 'Bob’s paper is still there');
    assert.equal((await fetchAs(bob.cookie, `/apply/d/${f.bobDraft}/file/${f.bobDoc}`)).status, 200);
  });

  it('refuses a field photo upload to an address that is not a SHA-256', async () => {
    for (const t of ['..%2f..%2fx', `${'a'.repeat(63)}%00`, `${'a'.repeat(64)}%2f..`, 'A'.repeat(64)]) {
      const res = await fetch(`${web.baseUrl}/api/v1/sync/files/${t}`, { method: 'PUT', headers: { 'content-type': 'image/png', authorization: 'Bearer x' }, body: new Uint8Array(f.files[0] ?? Buffer.alloc(1)) });
      assert.ok(res.status >= 400 && res.status < 500, `${t}: ${res.status}`);
    }
  });
});
