import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { SUBMIT_TO_KEY, smsLength, type AddressAnswer } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import type { AppContext } from '../../src/context.ts';
import { Problem } from '../../src/http/problem.ts';
import type { CitizenActor } from '../../src/modules/dossiers/citizenDossiers.ts';
import {
  addDraftDocument,
  answerQuestion,
  deleteDraft,
  loadOwnDraft,
  openDraftsOf,
  pickAddress,
  startDraft,
  submitDraft,
} from '../../src/modules/dossiers/drafts.ts';
import { openFormData } from '../../src/modules/dossiers/formData.ts';
import { MAX_IMAGE_SIDE } from '../../src/modules/dossiers/documents.ts';
import { FAKE_JPEG, HOME, PDF, fillDraft, photo, pickWholeAddress } from './helpers.ts';

const BIRTH = '1.001193'; // Đăng ký khai sinh: has an address and a required paper
const DEATH = '1.000656'; // Đăng ký khai tử: no address, so "where to submit" is asked

const problemCode = (code: string) => (e: unknown) => e instanceof Problem && e.code === code;

describeEachEngine('applications being filled in (drafts)', (env) => {
  let ctx: AppContext;
  let hoa: TestCitizen;
  let lanh: TestCitizen;
  let actor: CitizenActor;
  let other: CitizenActor;

  before(async () => {
    ctx = testContext(env.db, new TestClock(new Date('2026-11-25T09:00:00+07:00')));
    hoa = await makeCitizen(ctx, { fullName: 'Điểu Thị Hoa' });
    lanh = await makeCitizen(ctx, { fullName: 'Điểu Lành' });
    actor = { citizenId: hoa.id, ip: '127.0.0.1' };
    other = { citizenId: lanh.id, ip: '127.0.0.1' };
  });

  const counterTotals = async () => {
    const r = await env.db.kysely
      .selectFrom('ii06a_counters')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('received_online'), eb.lit(0)).as('online'),
        eb.fn.coalesce(eb.fn.sum<number>('received_direct'), eb.lit(0)).as('direct'),
        eb.fn.coalesce(eb.fn.sum<number>('open_delta'), eb.lit(0)).as('open'),
        eb.fn.coalesce(eb.fn.sum<number>('overdue_delta'), eb.lit(0)).as('overdue'),
      ])
      .executeTakeFirstOrThrow();
    return { online: Number(r.online), direct: Number(r.direct), open: Number(r.open), overdue: Number(r.overdue) };
  };

  it('saves each answer on the server as soon as it is given, and resumes at the first unanswered question', async () => {
    const { id, firstQuestion } = await startDraft(ctx, actor, BIRTH);
    assert.equal(firstQuestion, 'childFullName');
    assert.deepEqual(await answerQuestion(ctx, actor, id, 'childFullName', '  Điểu Thị  Mai '), { ok: true, next: 'childSex' });
    // A new request, as after a dropped connection: the answer is there.
    const state = await loadOwnDraft(ctx, hoa.id, id);
    assert.equal(state.answers.childFullName, 'Điểu Thị Mai');
    const list = await openDraftsOf(ctx, hoa.id);
    const mine = list.find((d) => d.id === id);
    assert.ok(mine);
    assert.equal(mine.answered, 1);
    assert.equal(mine.total, state.questions.length);
    assert.equal((await env.db.kysely.selectFrom('drafts').select('current_step').where('id', '=', id).executeTakeFirstOrThrow()).current_step, 'childSex');
  });

  it('refuses a wrong answer without saving it, and says why with a catalogue key', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    const r = await answerQuestion(ctx, actor, id, 'childBirthDate', { day: '26', month: '11', year: '2026' });
    assert.deepEqual(r, { ok: false, error: { key: 'apply.error.date_future' } });
    assert.equal((await loadOwnDraft(ctx, hoa.id, id)).answers.childBirthDate, undefined);
  });

  it('keeps ID numbers, phones and dates of birth sealed in the database', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    await answerQuestion(ctx, actor, id, 'motherIdNumber', '070 203 001 234');
    await answerQuestion(ctx, actor, id, 'childBirthDate', { day: '20', month: '11', year: '2026' });
    await answerQuestion(ctx, actor, id, 'motherFullName', 'Điểu Thị Hoa');
    const row = await env.db.kysely.selectFrom('drafts').select(['answers', 'answers_sealed']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(Object.keys(row.answers), ['motherFullName']);
    assert.ok(row.answers_sealed && !row.answers_sealed.includes('070203001234'));
    const state = await loadOwnDraft(ctx, hoa.id, id);
    assert.equal(state.answers.motherIdNumber, '070203001234');
    assert.equal(state.answers.childBirthDate, '2026-11-20');
  });

  it("answers 'not found' for another citizen's draft, whatever they try", async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    await assert.rejects(loadOwnDraft(ctx, lanh.id, id), problemCode('draft.not_found'));
    await assert.rejects(answerQuestion(ctx, other, id, 'childFullName', 'Kẻ lạ'), problemCode('draft.not_found'));
    await assert.rejects(addDraftDocument(ctx, other, id, 'birthCertificate', { filename: 'a.pdf', data: PDF }), problemCode('draft.not_found'));
    await assert.rejects(deleteDraft(ctx, other, id), problemCode('draft.not_found'));
    await assert.rejects(submitDraft(ctx, other, id), problemCode('draft.not_found'));
    await assert.rejects(loadOwnDraft(ctx, hoa.id, 987654321), problemCode('draft.not_found'));
    assert.ok(!(await openDraftsOf(ctx, lanh.id)).some((d) => d.id === id));
  });

  it('picks the address from the units in force today, down to a village that moved in the 2025 reform', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    // Phước Thiện (25310) was merged into Hưng Phước: it is no longer offered.
    await assert.rejects(pickAddress(ctx, actor, id, 'residence', 1, '25310'), problemCode('request.invalid'));
    // A village cannot be picked before its commune.
    await assert.rejects(pickAddress(ctx, actor, id, 'residence', 2, HOME.village), problemCode('request.invalid'));
    const half = await pickAddress(ctx, actor, id, 'residence', 1, HOME.commune);
    assert.equal(half.complete, false, 'Hưng Phước has villages: one must be chosen');
    const done = await pickAddress(ctx, actor, id, 'residence', 2, HOME.village);
    assert.equal(done.complete, true);
    const state = await loadOwnDraft(ctx, hoa.id, id);
    const address = state.answers.residence as AddressAnswer;
    assert.deepEqual(address.units.map((u) => [u.level, u.name]), [
      ['province', 'Tỉnh Đồng Nai'],
      ['commune', 'Xã Hưng Phước'],
      ['village', 'Ấp Tân Phước'],
    ]);
    const commune = await env.db.kysely.selectFrom('units').select(['id', 'valid_from']).where('code', '=', HOME.commune).where('valid_from', '=', '2025-07-01').executeTakeFirstOrThrow();
    assert.equal(state.unitId, commune.id, 'the commune of the address receives the dossier');
    // Choosing another commune drops the village chosen under the old one.
    const again = await pickAddress(ctx, actor, id, 'residence', 1, '25308');
    assert.equal(again.complete, false);
    assert.deepEqual(((await loadOwnDraft(ctx, hoa.id, id)).answers.residence as AddressAnswer).units.map((u) => u.code), ['75', '25308']);
  });

  it('takes photos and PDFs, downscales a huge photo, and refuses a text file named .jpg', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    await assert.rejects(addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'giay-chung-sinh.jpg', data: FAKE_JPEG }), problemCode('upload.bad_type'));
    await assert.rejects(addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'rong.jpg', data: Buffer.alloc(0) }), problemCode('upload.empty'));
    const broken = Buffer.concat([(await photo(64, 64)).subarray(0, 40)]);
    await assert.rejects(addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'hong.jpg', data: broken }), problemCode('upload.unreadable'));
    const big = await photo(4000, 3000);
    const photoId = await addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'chup.jpg', data: big });
    await addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'giay.pdf', data: PDF });
    const stored = await env.db.kysely.selectFrom('documents').select(['id', 'data', 'content_type', 'filename']).where('draft_id', '=', id).orderBy('id').execute();
    assert.equal(stored.length, 2);
    const meta = await sharp(stored[0]?.data).metadata();
    assert.equal(stored[0]?.id, photoId);
    assert.ok((meta.width ?? 0) <= MAX_IMAGE_SIDE && (meta.height ?? 0) <= MAX_IMAGE_SIDE, `${meta.width}×${meta.height}`);
    assert.equal(meta.width, MAX_IMAGE_SIDE, 'the long side is brought down to the limit, not below');
    assert.equal(stored[1]?.content_type, 'application/pdf');
    assert.ok(Buffer.from(stored[1]?.data ?? []).equals(PDF), 'a PDF is kept as sent');
    const state = await loadOwnDraft(ctx, hoa.id, id);
    assert.deepEqual(state.answers.birthCertificate, ['chup.jpg', 'giay.pdf']);
  });

  it('will not send an application while a required answer is missing', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    await fillDraft(ctx, actor, id, { skip: ['birthCertificate'] });
    await assert.rejects(submitDraft(ctx, actor, id), (e: unknown) => e instanceof Problem && e.code === 'draft.incomplete' && e.errors?.[0]?.path === 'birthCertificate');
  });

  it('sends once even when sent twice: one dossier, papers moved, one SMS, II.06a counters untouched', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    await fillDraft(ctx, actor, id);
    await addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'trang-2.pdf', data: PDF });
    const countersBefore = await counterTotals();

    const [a, b] = await Promise.all([submitDraft(ctx, actor, id), submitDraft(ctx, actor, id)]);
    assert.equal(a.code, b.code);
    const third = await submitDraft(ctx, actor, id);
    assert.deepEqual(third, { code: a.code, replayed: true });

    const dossiers = await env.db.kysely.selectFrom('dossiers').selectAll().where('citizen_id', '=', hoa.id).execute();
    assert.equal(dossiers.length, 1);
    const d = dossiers[0];
    assert.ok(d);
    assert.equal(d.code, a.code);
    assert.equal(d.status, 1, 'submitted online, not yet received');
    assert.equal(d.channel, 2);
    assert.equal(d.received_at, null);
    assert.equal(d.applicant_name, 'Điểu Thị Hoa');
    const unit = await env.db.kysely.selectFrom('units').select(['code', 'valid_from']).where('id', '=', d.unit_id).executeTakeFirstOrThrow();
    assert.deepEqual(unit, { code: HOME.commune, valid_from: '2025-07-01' });
    assert.match(d.code, /^H75\.25309-261125-\d{4}$/);

    // Personal answers are sealed in the dossier too, and an officer's read opens them.
    const formData = d.form_data as Record<string, unknown>;
    assert.equal(formData.motherIdNumber, undefined);
    assert.equal(typeof formData._sealed, 'string');
    const opened = openFormData(ctx, formData);
    assert.equal(opened.motherIdNumber, '070203001234');
    assert.equal(opened.childFullName, 'Điểu Thị Mai');
    assert.equal((opened.residence as { text: string }).text, 'Ấp Tân Phước, Xã Hưng Phước, Tỉnh Đồng Nai');

    const papers = await env.db.kysely.selectFrom('documents').select(['dossier_id', 'kind']).where('draft_id', '=', id).execute();
    assert.equal(papers.length, 2);
    assert.ok(papers.every((p) => p.dossier_id === d.id && p.kind === 'birthCertificate'));

    const sms = await env.db.kysely.selectFrom('notify_outbox').selectAll().where('dossier_id', '=', d.id).execute();
    assert.equal(sms.length, 1);
    assert.equal(sms[0]?.purpose, 'dossier_submitted');
    assert.equal(sms[0]?.citizen_id, hoa.id);
    assert.equal(sms[0]?.recipient_hash, ctx.vault.lookupHash('phone', hoa.phone), "sent to the citizen's own phone");
    assert.ok(sms[0]?.body.includes(d.code));
    assert.ok(smsLength(sms[0]?.body ?? '').parts <= 2, sms[0]?.body);

    assert.deepEqual(await counterTotals(), countersBefore, 'an online dossier counts only once the one-stop receives it');

    const draft = await env.db.kysely.selectFrom('drafts').select(['submitted_dossier_id', 'submitted_at']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(draft.submitted_dossier_id, d.id);
    assert.ok(!(await openDraftsOf(ctx, hoa.id)).some((x) => x.id === id), 'no longer in progress');
    await assert.rejects(answerQuestion(ctx, actor, id, 'childFullName', 'Đổi tên'), problemCode('draft.submitted'));
    await assert.rejects(deleteDraft(ctx, actor, id), problemCode('draft.submitted'));
  });

  it('asks where to submit when the form has no address, and sends it there', async () => {
    const { id, firstQuestion } = await startDraft(ctx, other, DEATH);
    assert.equal(firstQuestion, SUBMIT_TO_KEY);
    const picked = await pickWholeAddress(ctx, other, id, SUBMIT_TO_KEY, { commune: '25308' });
    assert.deepEqual(picked.units.map((u) => u.code), ['75', '25308'], 'stops at the commune');
    await fillDraft(ctx, other, id, { skip: [SUBMIT_TO_KEY] });
    const { code } = await submitDraft(ctx, other, id);
    const d = await env.db.kysely.selectFrom('dossiers').select(['unit_id', 'form_data']).where('code', '=', code).executeTakeFirstOrThrow();
    const unit = await env.db.kysely.selectFrom('units').select('code').where('id', '=', d.unit_id).executeTakeFirstOrThrow();
    assert.equal(unit.code, '25308');
    assert.equal((d.form_data as Record<string, unknown>)[SUBMIT_TO_KEY], undefined);
  });

  it('deletes an unsent draft with its papers', async () => {
    const { id } = await startDraft(ctx, actor, BIRTH);
    await addDraftDocument(ctx, actor, id, 'birthCertificate', { filename: 'a.pdf', data: PDF });
    await deleteDraft(ctx, actor, id);
    await assert.rejects(loadOwnDraft(ctx, hoa.id, id), problemCode('draft.not_found'));
    assert.equal((await env.db.kysely.selectFrom('documents').select('id').where('draft_id', '=', id).execute()).length, 0);
  });
});
