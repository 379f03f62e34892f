/**
 * The objects and callers of the route-access walk (routeAccess.test.ts), shared with the
 * fuzz tests (fuzz*.test.ts): officers of every kind inside and outside commune 25309, a
 * dossier in processing with a scan, a citizen's online dossier and draft, a team with a
 * phone and an open sync conflict, and a province campaign; one signed-in session each.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import { unitId } from '../support/fixtures.ts';
import { makeCitizen } from '../support/citizens.ts';
import { TODAY, addProvince, officerOn } from '../admin/support.ts';
import { onlineDossier, scanPng } from '../office/helpers.ts';
import { photo } from '../apply/helpers.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { receiveAtCounter } from '../../src/modules/dossiers/counterIntake.ts';
import { prepareUpload } from '../../src/modules/dossiers/documents.ts';
import { actOnDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { addDraftDocument, startDraft } from '../../src/modules/dossiers/drafts.ts';
import { createCampaign } from '../../src/modules/campaigns/campaignService.ts';
import { PRINCIPALS, principal, type Principal, type Who } from './routeAccessSupport.ts';

export const INSIDE = '25309'; // Xã Hưng Phước, Đồng Nai (in force from 2025-07-01)
export const OUTSIDE = '25308'; // Xã Thiện Hưng, another commune of the same province
export const PROCEDURE = '1.001193'; // birth registration: has a document question

/** The objects the routes are asked about. */
export interface Fixtures {
  /** Received at the counter of 25309 by its officer, now being processed (status 4). */
  dossier: string;
  /** A scan stored with that dossier. */
  documentId: number;
  /** Submitted online by the owning citizen to 25309 (status 1). */
  online: string;
  /** The owning citizen's unsent application, with one uploaded paper. */
  draftId: number;
  draftDocumentId: number;
  firstQuestion: string;
  /** An officer of 25309 (managed by the administrator of province 75). */
  userId: number;
  /** Commune 25309 as in force today. */
  unitId: number;
  /** A community digital technology team on village 25309-01, its member's phone, and an open sync conflict there. */
  village: string;
  deviceId: string;
  conflictId: number;
  /** A campaign of province 75 covering all of it (version 1, no targets), made by its leader. */
  campaign: number;
}

export type OfficerWho = Exclude<Who, 'anonymous' | 'citizen' | 'otherCitizen'>;

export interface RouteFixtures {
  fixtures: Fixtures;
  principals: Map<Who, Principal>;
  /** User ids of the officer principals. */
  officers: Record<OfficerWho, number>;
}

export async function makeRouteFixtures(db: Db, ctx: AppContext): Promise<RouteFixtures> {
  const principals = new Map<Who, Principal>();
  // Officers of every kind. Province 68 is another province in force; 70 was merged into 75.
  await addProvince(db, '68', 'Tỉnh Lâm Đồng');
  const officer = await officerOn(db, [{ role: 'officer', unitCode: INSIDE }]);
  const officers: Record<OfficerWho, number> = {
    officer: officer.id,
    outsideOfficer: (await officerOn(db, [{ role: 'officer', unitCode: OUTSIDE }])).id,
    specialist: (await officerOn(db, [{ role: 'specialist', unitCode: INSIDE }])).id,
    provinceLeader: (await officerOn(db, [{ role: 'leader', unitCode: '75' }])).id,
    communeAdmin: (await officerOn(db, [{ role: 'admin', unitCode: INSIDE }])).id,
    provinceAdmin: (await officerOn(db, [{ role: 'admin', unitCode: '75' }])).id,
    otherProvinceAdmin: (await officerOn(db, [{ role: 'admin', unitCode: '68' }])).id,
    retiredProvinceAdmin: (await officerOn(db, [{ role: 'admin', unitCode: '70', on: '2022-08-15' }])).id,
  };

  // A dossier received at the counter of 25309 with a scanned paper, through the intake service, then taken into processing.
  const loaded = await loadOfficer(db.kysely, officer.id);
  assert.ok(loaded);
  const actor: Actor = { officer: loaded, ip: '127.0.0.1' };
  const scan = await prepareUpload({ filename: 'to-khai.png', data: await scanPng() }, ctx.config.UPLOAD_MAX_BYTES);
  const received = await receiveAtCounter(ctx, actor, {
    transactionId: randomUUID(),
    unitCode: INSIDE,
    procedureCode: PROCEDURE,
    applicant: { fullName: 'Điểu Thị Lan', phone: '0912345678' },
    answers: { childFullName: 'Điểu Văn Tâm' },
    papersReceived: ['Giấy chứng sinh'],
    resultDelivery: 'desk',
    scans: [{ kind: 'scan', label: 'Giấy tờ khác (bản quét tại quầy)', file: scan }],
  });
  const processing = await actOnDossier(ctx, actor, received.code, { action: 'start_processing', transactionId: randomUUID() });
  assert.equal(processing.status, 4);
  const doc = await db.kysely.selectFrom('documents as d').innerJoin('dossiers as x', 'x.id', 'd.dossier_id').select('d.id').where('x.code', '=', received.code).executeTakeFirstOrThrow();

  // A citizen with a dossier sent online and an application in progress with a photo of a paper.
  const owner = await makeCitizen(ctx);
  const other = await makeCitizen(ctx, { fullName: 'K’Ho Thị Lành' });
  const online = await onlineDossier(ctx, { citizen: owner });
  const me = { citizenId: owner.id, ip: '127.0.0.1' };
  const draft = await startDraft(ctx, me, PROCEDURE);
  const draftDocumentId = await addDraftDocument(ctx, me, draft.id, 'birthCertificate', { filename: 'giay-chung-sinh.jpg', data: await photo(400, 300) });

  // A team on village 25309-01 with a member's phone, and a conflict of two phones' edits there.
  const village = '25309-01';
  const villageId = await unitId(db, village, TODAY);
  const member = await officerOn(db, [{ role: 'member', unitCode: village }]);
  const deviceId = randomUUID();
  const conflictId = await db.transaction(async (trx) => {
    await trx.insertInto('teams').values({ unit_id: villageId, name: 'Tổ CNSCĐ ấp Phước Tiến', created_at: ctx.now() }).execute();
    await trx.insertInto('devices').values({ id: deviceId, user_id: member.id, label: 'Máy thử quyền', registered_at: ctx.now(), last_seen_at: ctx.now() }).execute();
    const envelopeId = randomUUID();
    const entityId = randomUUID();
    await trx
      .insertInto('sync_envelopes')
      .values({ id: envelopeId, device_id: deviceId, member_id: member.id, entity: 'household', entity_id: entityId, op: 'update', base_version: 1, occurred_at: ctx.now(), received_at: ctx.now(), payload_hash: 'a'.repeat(64), content_hash: 'b'.repeat(64), result: 'conflict', result_version: 1, payload_sealed: ctx.vault.seal({}) })
      .execute();
    const c = await trx
      .insertInto('sync_conflicts')
      .values({ unit_id: villageId, entity: 'household', entity_id: entityId, field: 'headName', values_sealed: ctx.vault.seal({ kept: 'Điểu Văn A', other: 'Điểu Văn Á' }), envelope_id: envelopeId, member_id: member.id, incoming_won: false, kept_at: ctx.now(), kept_envelope: null, other_at: ctx.now(), other_envelope: envelopeId, other_member_id: member.id, created_at: ctx.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(c.id);
  });

  const leader = await loadOfficer(db.kysely, officers.provinceLeader);
  assert.ok(leader);
  const campaign = await createCampaign(ctx, { officer: leader, ip: '127.0.0.1' }, { name: 'Chiến dịch của tỉnh', description: '', startsOn: '2026-11-01', endsOn: '2027-01-31', ownerUnit: '75', coveredUnits: [], indicators: ['smartphone_pct', 'households_visited'] });

  const fixtures: Fixtures = {
    campaign: campaign.id,
    village,
    deviceId,
    conflictId,
    dossier: received.code,
    documentId: doc.id,
    online: online.code,
    draftId: draft.id,
    draftDocumentId,
    firstQuestion: draft.firstQuestion,
    userId: officer.id,
    unitId: await unitId(db, INSIDE, TODAY),
  };

  for (const who of PRINCIPALS) {
    const owned = who === 'anonymous' ? null : who === 'citizen' ? { citizenId: owner.id } : who === 'otherCitizen' ? { citizenId: other.id } : { userId: officers[who] };
    principals.set(who, await principal(db, who, owned, ctx.now));
  }
  return { fixtures, principals, officers };
}
