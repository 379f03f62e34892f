/**
 * Authorization is checked on the server for every route. The table below says, for every
 * route the router holds, who may use it; the walk sends one request per route and principal
 * (anonymous, two citizens, officers of each role inside and outside the unit subtree of
 * commune 25309, administrators of this, another and a merged province) and checks that the
 * answer got past authorization exactly when the table says so. The first test compares the
 * table with the router itself: a new route without an entry fails, and so does a stale entry.
 *
 * Requests are shaped so that an allowed caller is stopped by the handler's own checks after
 * authorization where that is possible (an action the dossier's status does not allow, a form
 * with a field missing), so the walk changes little; where an allowed request does write (a
 * comment, a dossier created through the API, a draft), the last test accounts for it and
 * checks that no denied request wrote anything.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { STEP_CARDS } from '@causo/field/cards';
import { DESCRIBE, PRINCIPALS, send, verdictOf, type Body, type Principal, type Verdict, type Who } from './routeAccessSupport.ts';
import { INSIDE, PROCEDURE, makeRouteFixtures, type Fixtures } from './routeFixtures.ts';

const PERIOD = 'from=2026-10-15&to=2026-11-14';

/** Who may use a route. */
type Rule =
  | 'everyone'
  | 'citizens' // any signed-in citizen
  | 'owner' // the citizen whose dossier or draft it is; anyone else's is "not found"
  | 'officers' // any signed-in officer, whatever their roles
  | 'subtree' // any role on a unit whose subtree holds commune 25309
  | 'reception' // admin or one-stop officer role covering 25309 (receive, fees_paid, counter intake)
  | 'assigners' // admin, officer or leader covering 25309 (hand a dossier to a specialist)
  | 'intakeDesk' // admin or officer role on any unit with a commune in force
  | 'supervisors' // any admin, leader or officer role on any unit (each sees the teams and conflicts of their own subtree)
  | 'teamSupervisors' // admin, leader or officer covering village 25309-01 (its team page, its conflicts)
  | 'campaignCreators' // leader or admin role on a unit in force (the new-campaign form)
  | 'campaignConcerned' // admin, leader or officer on a unit the province-75 campaign concerns (25309, 25308, 75)
  | 'campaignViewers' // admin, leader or officer covering commune 25309 (the campaign's targets there)
  | 'campaignEditors' // leader or admin covering commune 25309 (set, split, import its targets; own a campaign there)
  | 'campaignOwners' // leader or admin covering province 75, the campaign's owner (change the campaign)
  | 'dashboards' // admin, leader or officer covering commune 25309 (its dashboard, downloads and JSON)
  | 'deviceAdmins' // admin covering village 25309-01 (report a team member's phone lost)
  | 'phones' // a team member's signed-in phone (bearer token bound to its device): no principal here has one; test/sync/fieldApi.test.ts covers them
  | 'metricsScrapers' // Prometheus, with METRICS_TOKEN or from this host: no principal here (each comes from another address); test/http/metrics.test.ts covers it
  | 'provinceAdmins' // the administrator of any province in force
  | 'thisProvinceAdmin'; // the administrator of the province the object belongs to (75)

const OFFICERS: readonly Who[] = ['officer', 'outsideOfficer', 'specialist', 'provinceLeader', 'communeAdmin', 'provinceAdmin', 'otherProvinceAdmin', 'retiredProvinceAdmin'];
const ALLOWED: Record<Rule, readonly Who[]> = {
  everyone: PRINCIPALS,
  citizens: ['citizen', 'otherCitizen'],
  owner: ['citizen'],
  officers: OFFICERS,
  subtree: ['officer', 'specialist', 'provinceLeader', 'communeAdmin', 'provinceAdmin'],
  reception: ['officer', 'communeAdmin', 'provinceAdmin'],
  assigners: ['officer', 'provinceLeader', 'communeAdmin', 'provinceAdmin'],
  intakeDesk: ['officer', 'outsideOfficer', 'communeAdmin', 'provinceAdmin', 'otherProvinceAdmin'],
  supervisors: ['officer', 'outsideOfficer', 'provinceLeader', 'communeAdmin', 'provinceAdmin', 'otherProvinceAdmin', 'retiredProvinceAdmin'],
  teamSupervisors: ['officer', 'provinceLeader', 'communeAdmin', 'provinceAdmin'],
  campaignCreators: ['provinceLeader', 'communeAdmin', 'provinceAdmin', 'otherProvinceAdmin'],
  campaignConcerned: ['officer', 'outsideOfficer', 'provinceLeader', 'communeAdmin', 'provinceAdmin'],
  campaignViewers: ['officer', 'provinceLeader', 'communeAdmin', 'provinceAdmin'],
  campaignEditors: ['provinceLeader', 'communeAdmin', 'provinceAdmin'],
  campaignOwners: ['provinceLeader', 'provinceAdmin'],
  dashboards: ['officer', 'provinceLeader', 'communeAdmin', 'provinceAdmin'],
  deviceAdmins: ['communeAdmin', 'provinceAdmin'],
  phones: [],
  metricsScrapers: [],
  provinceAdmins: ['provinceAdmin', 'otherProvinceAdmin'],
  thisProvinceAdmin: ['provinceAdmin'],
};

interface RouteCase {
  rule: Rule;
  /** The address to request (path and query); the route's own pattern when omitted. */
  path?: (f: Fixtures) => string;
  /** Form fields for pages, JSON for the API; built for each request (fresh transaction ids). */
  body?: (f: Fixtures) => Body;
  /** Later phases run after earlier ones: requests that remove what other routes read come last. */
  phase?: 1 | 2;
  /** The request ends its session (sign-out): it gets a session of its own. */
  endsSession?: true;
  /** Statuses that this route answers everyone for a reason other than authorization. */
  alsoAllowed?: readonly number[];
}

const form = (fields: Record<string, string> = {}) => () => fields;
const dossierPath = (suffix = '') => (f: Fixtures) => `/office/dossiers/${encodeURIComponent(f.dossier)}${suffix}`;
const myPath = (suffix = '') => (f: Fixtures) => `/my/${encodeURIComponent(f.online)}${suffix}`;
const draftPath = (suffix = '') => (f: Fixtures) => `/apply/d/${f.draftId}${suffix}`;

/** Every route of the router (HEAD aside), and who may use it. */
const EXPECTED: Record<string, RouteCase> = {
  // ---- operations and documents ------------------------------------------------------------
  'GET /assets/app.js': { rule: 'everyone' },
  'GET /healthz': { rule: 'everyone' },
  'GET /readyz': { rule: 'everyone' },
  'GET /openapi.json': { rule: 'everyone' },

  // ---- JSON API: sign-in ------------------------------------------------------------------
  'POST /api/v1/auth/login': { rule: 'everyone', body: form() }, // no credentials: 400 after the guard
  'POST /api/v1/auth/logout': { rule: 'officers', endsSession: true },
  'GET /api/v1/auth/me': { rule: 'officers' },

  // ---- the field app and its sync API (docs/sync.md) -------------------------------------------
  'GET /field': { rule: 'everyone' },
  'GET /field/': { rule: 'everyone' },
  'GET /field/:file': { rule: 'everyone', path: () => '/field/manifest.webmanifest' },
  'POST /api/v1/field/sign-in': { rule: 'everyone', body: form() }, // no credentials: 400 after the guard
  'POST /api/v1/field/sign-out': { rule: 'phones' },
  'GET /api/v1/field/bootstrap': { rule: 'phones' },
  'POST /api/v1/sync/push': { rule: 'phones', body: () => ({ deviceId: '0193c1e0-0000-7000-8000-000000000000', envelopes: [{}] }) },
  'GET /api/v1/sync/pull': { rule: 'phones' },
  'PUT /api/v1/sync/files/:sha256': { rule: 'phones', path: () => `/api/v1/sync/files/${'a'.repeat(64)}` },

  // ---- JSON API: reference data (public) and the calendar ------------------------------------
  'GET /api/v1/units': { rule: 'everyone', path: () => '/api/v1/units?level=province' },
  'GET /api/v1/units/:code': { rule: 'everyone', path: () => `/api/v1/units/${INSIDE}` },
  'GET /api/v1/procedures': { rule: 'everyone', path: () => '/api/v1/procedures?limit=5' },
  'GET /api/v1/procedures/:code': { rule: 'everyone', path: () => `/api/v1/procedures/${PROCEDURE}` },
  'GET /api/v1/sectors': { rule: 'everyone' },
  'GET /api/v1/calendar/days': { rule: 'everyone', path: () => '/api/v1/calendar/days?year=2026' },
  // Writes a day for an allowed caller; the DELETE below removes it again.
  // The calendar API once let the administrator of a merged province (70, into 75 on 2025-07-01)
  // through; it now uses the same check as /office/admin/calendar.
  'PUT /api/v1/calendar/days/:date': { rule: 'provinceAdmins', path: () => '/api/v1/calendar/days/2099-12-31', body: () => ({ kind: 'holiday', nameVi: 'Ngày thử quyền', nameEn: 'Access test day' }), phase: 1 },
  'DELETE /api/v1/calendar/days/:date': { rule: 'provinceAdmins', path: () => '/api/v1/calendar/days/2099-12-31', phase: 2 },
  'GET /api/v1/calendar/office-hours': { rule: 'everyone' },
  'PUT /api/v1/calendar/office-hours': { rule: 'provinceAdmins', body: () => ({ officeHours: 'not office hours' }) }, // 400 after the guard
  'GET /api/v1/calendar/due-date': { rule: 'everyone', path: () => `/api/v1/calendar/due-date?receivedAt=${encodeURIComponent('2026-11-25T09:00:00+07:00')}&value=5&unit=working_days` },

  // ---- JSON API: dossiers, payments, reports -------------------------------------------------
  // Creates a dossier for an allowed caller (counted by the last test).
  'POST /api/v1/dossiers': {
    rule: 'reception',
    body: () => ({ transactionId: randomUUID(), procedureCode: PROCEDURE, unitCode: INSIDE, channel: 1, applicant: { fullName: 'Người thử quyền' } }),
  },
  'GET /api/v1/dossiers': { rule: 'subtree', path: () => `/api/v1/dossiers?unit=${INSIDE}` }, // without ?unit any officer lists their own units (checked below)
  'GET /api/v1/dossiers/:code': { rule: 'subtree', path: (f) => `/api/v1/dossiers/${encodeURIComponent(f.dossier)}` },
  // `receive` on a dossier in processing: the role check passes for admin/officer, then 409.
  'POST /api/v1/dossiers/:code/actions': { rule: 'reception', path: (f) => `/api/v1/dossiers/${encodeURIComponent(f.dossier)}/actions`, body: () => ({ action: 'receive', transactionId: randomUUID() }) },
  // fees_paid is for admin/officer; the dossier owes nothing, so 409 after the check.
  'POST /api/v1/dossiers/:code/payments/counter': {
    rule: 'reception',
    path: (f) => `/api/v1/dossiers/${encodeURIComponent(f.dossier)}/payments/counter`,
    body: () => ({ amount: 50_000, receiptNo: 'BL-0001', transactionId: randomUUID() }),
  },
  'GET /api/v1/reports/ii06a': { rule: 'subtree', path: () => `/api/v1/reports/ii06a?unit=${INSIDE}&${PERIOD}` },
  'GET /api/v1/dashboards': { rule: 'dashboards', path: () => `/api/v1/dashboards?unit=${INSIDE}` },
  // The gateway's callback: public, its signature is the authentication (none here: refused in its own words, 200).
  'GET /api/v1/payments/vnpay/ipn': { rule: 'everyone' },
  'GET /metrics': { rule: 'metricsScrapers' },
  // The SMS provider's callbacks: public, signed (unsigned here: refused before anything is read, 400).
  'POST /api/v1/notify/sms/receipts': { rule: 'everyone', body: () => ({ receipts: [{ id: 'p-1', status: 'delivered' }] }) },
  'POST /api/v1/notify/sms/inbound': { rule: 'everyone', body: () => ({ from: '0912345678', to: '8088', text: 'HS' }) },

  // ---- portal: catalogue and help --------------------------------------------------------------
  'GET /': { rule: 'everyone' },
  'GET /services': { rule: 'everyone' },
  'GET /services/search': { rule: 'everyone', path: () => '/services/search?q=khai%20sinh' },
  'GET /services/:code': { rule: 'everyone', path: () => `/services/${PROCEDURE}` },
  'GET /glossary': { rule: 'everyone' },
  'GET /help': { rule: 'everyone' },

  // ---- portal: opening an account (a signed-in citizen is sent on to /my) ----------------------
  'GET /account/new': { rule: 'everyone' },
  'GET /account/new/details': { rule: 'everyone' },
  'POST /account/new/details': { rule: 'everyone', body: form() },
  'GET /account/new/sim': { rule: 'everyone' },
  'GET /account/new/code': { rule: 'everyone' },
  'POST /account/new/code': { rule: 'everyone', body: form({ code: '123456' }) },
  'POST /account/new/code/resend': { rule: 'everyone', body: form() },
  'GET /account/new/password': { rule: 'everyone' },
  'POST /account/new/password': { rule: 'everyone', body: form() },
  'GET /account/new/done': { rule: 'citizens' },

  // ---- portal: signing in and out -------------------------------------------------------------
  'GET /sign-in': { rule: 'everyone' },
  'POST /sign-in': { rule: 'everyone', body: form() },
  'GET /sign-in/code': { rule: 'everyone' },
  'POST /sign-in/code': { rule: 'everyone', body: form() },
  'GET /sign-in/code/enter': { rule: 'everyone' },
  'POST /sign-in/code/enter': { rule: 'everyone', body: form() },
  'POST /sign-in/code/resend': { rule: 'everyone', body: form() },
  'POST /sign-out': { rule: 'everyone', endsSession: true },
  'GET /signed-out': { rule: 'everyone' },

  // ---- operators: the SMS outbox ----------------------------------------------------------------
  'GET /office/dev/sms': { rule: 'provinceAdmins' },
  'GET /office/notifications': { rule: 'provinceAdmins' },

  // ---- portal: applying online ------------------------------------------------------------------
  'GET /apply': { rule: 'citizens' },
  'GET /apply/:procedureCode': { rule: 'citizens', path: () => `/apply/${PROCEDURE}` },
  'POST /apply/:procedureCode': { rule: 'citizens', path: () => `/apply/${PROCEDURE}` }, // starts a draft of one's own
  'GET /apply/d/:draftId': { rule: 'owner', path: draftPath() },
  'GET /apply/d/:draftId/q/:key': { rule: 'owner', path: (f) => `/apply/d/${f.draftId}/q/${f.firstQuestion}` },
  'POST /apply/d/:draftId/q/:key': { rule: 'owner', path: (f) => `/apply/d/${f.draftId}/q/${f.firstQuestion}`, body: form({ then: 'later' }) }, // nothing typed: saved for later, unchanged
  'POST /apply/d/:draftId/q/:key/remove/:documentId': { rule: 'owner', path: (f) => `/apply/d/${f.draftId}/q/birthCertificate/remove/${f.draftDocumentId}`, phase: 1 },
  'GET /apply/d/:draftId/file/:documentId': { rule: 'owner', path: (f) => `/apply/d/${f.draftId}/file/${f.draftDocumentId}` },
  'GET /apply/d/:draftId/check': { rule: 'owner', path: draftPath('/check') },
  'POST /apply/d/:draftId/submit': { rule: 'owner', path: draftPath('/submit') }, // incomplete: sent back to the questions
  'POST /apply/d/:draftId/delete': { rule: 'owner', path: draftPath('/delete'), phase: 2 },
  'GET /apply/done/:code': { rule: 'owner', path: (f) => `/apply/done/${encodeURIComponent(f.online)}` },

  // ---- portal: following a dossier -----------------------------------------------------------------
  'GET /track': { rule: 'everyone' },
  'POST /track': { rule: 'everyone', body: form() },
  'GET /my': { rule: 'citizens' },
  'GET /my/:code': { rule: 'owner', path: myPath() },
  'GET /my/:code/supplement': { rule: 'owner', path: myPath('/supplement') }, // the owner's answers below are 409 "not now" (status 1)
  'POST /my/:code/supplement': { rule: 'owner', path: myPath('/supplement'), body: form({ transactionId: randomUUID() }) }, // nothing asked for: 409
  'GET /my/:code/withdraw': { rule: 'owner', path: myPath('/withdraw') },
  'POST /my/:code/withdraw': { rule: 'owner', path: myPath('/withdraw'), body: form() }, // not yet received: 409
  'GET /my/:code/pay': { rule: 'owner', path: myPath('/pay') },
  'POST /my/:code/pay': { rule: 'owner', path: myPath('/pay'), body: form() }, // nothing due: 409
  'GET /my/:code/pay/return': { rule: 'owner', path: myPath('/pay/return') }, // unsigned: 400
  // The sandbox gateway's own page (a stand-in for the bank): public by nature.
  'GET /sandbox/pay': { rule: 'everyone' },
  'POST /sandbox/pay': { rule: 'everyone', body: form({ ref: 'no-such-payment' }) }, // no choice: 400

  // ---- back office: signing in, the officer's account -------------------------------------------------
  'GET /office/sign-in': { rule: 'everyone' },
  'POST /office/sign-in': { rule: 'everyone', body: form() },
  'GET /office/sign-in/code': { rule: 'everyone' },
  // Without a password step pending the page answers everyone 401 "sign in again": not a guard.
  'POST /office/sign-in/code': { rule: 'everyone', body: form({ code: '123456' }), alsoAllowed: [401] },
  'POST /office/sign-out': { rule: 'everyone', endsSession: true },
  'GET /office/account': { rule: 'officers' },
  'GET /office/account/totp': { rule: 'officers' },
  'POST /office/account/totp': { rule: 'officers', body: form() },
  'POST /office/account/totp/disable': { rule: 'officers', body: form() },

  // ---- back office: queues and the dossier page ----------------------------------------------------------
  'GET /office': { rule: 'officers' }, // each sees the queues of their own units (checked below)
  'GET /office/dossiers/:code': { rule: 'subtree', path: dossierPath() },
  'POST /office/dossiers/:code/actions/:action': { rule: 'reception', path: dossierPath('/actions/receive'), body: () => ({ transactionId: randomUUID() }) }, // role check, then 409
  'POST /office/dossiers/:code/assign': { rule: 'assigners', path: dossierPath('/assign'), body: (f) => ({ assignee: String(f.userId) }) }, // not a specialist: 400 after the check
  'POST /office/dossiers/:code/comments': { rule: 'subtree', path: dossierPath('/comments'), body: form({ comment: 'Ghi chú kiểm tra quyền truy cập' }) },
  'GET /office/documents/:id': { rule: 'subtree', path: (f) => `/office/documents/${f.documentId}` },

  // ---- back office: counter intake and printed forms -------------------------------------------------------
  'GET /office/intake': { rule: 'intakeDesk' },
  'GET /office/intake/new': { rule: 'reception', path: () => `/office/intake/new?unit=${INSIDE}&procedure=${PROCEDURE}` },
  'POST /office/intake/new': { rule: 'reception', body: form({ unit: INSIDE, procedure: PROCEDURE }) }, // no transaction id: 400 after the check
  'GET /office/intake/received/:code': { rule: 'subtree', path: (f) => `/office/intake/received/${encodeURIComponent(f.dossier)}` },
  'GET /office/dossiers/:code/forms/01.pdf': { rule: 'subtree', path: dossierPath('/forms/01.pdf') },
  'GET /office/dossiers/:code/forms/02.pdf': { rule: 'subtree', path: dossierPath('/forms/02.pdf') }, // 409: no supplement asked
  'GET /office/dossiers/:code/forms/03.pdf': { rule: 'subtree', path: dossierPath('/forms/03.pdf') }, // 409: not refused
  'GET /office/dossiers/:code/forms/04.pdf': { rule: 'subtree', path: dossierPath('/forms/04.pdf') }, // 409: not late
  'GET /office/dossiers/:code/forms/04': { rule: 'subtree', path: dossierPath('/forms/04') },
  'POST /office/dossiers/:code/forms/04/sms': { rule: 'subtree', path: dossierPath('/forms/04/sms'), body: form() }, // 409: not late

  // ---- back office: reports ---------------------------------------------------------------------------------
  'GET /office/reports/ii06a': { rule: 'subtree', path: () => `/office/reports/ii06a?unit=${INSIDE}&${PERIOD}` },
  'GET /office/reports/ii06a.xlsx': { rule: 'subtree', path: () => `/office/reports/ii06a.xlsx?unit=${INSIDE}&${PERIOD}` },
  'GET /office/reports/ii06a.csv': { rule: 'subtree', path: () => `/office/reports/ii06a.csv?unit=${INSIDE}&${PERIOD}` },
  'GET /office/reports/ii06a.pdf': { rule: 'subtree', path: () => `/office/reports/ii06a.pdf?unit=${INSIDE}&${PERIOD}` },

  // ---- back office: dashboards (specialists have none) ------------------------------------------------------
  'GET /office/dashboard': { rule: 'dashboards', path: () => `/office/dashboard?unit=${INSIDE}` },
  'GET /office/dashboard/export': { rule: 'dashboards', path: () => `/office/dashboard/export?unit=${INSIDE}&table=children&format=csv` },
  'GET /office/dashboard/summary.pdf': { rule: 'dashboards', path: () => `/office/dashboard/summary.pdf?unit=${INSIDE}` },
  'GET /office/activity': { rule: 'dashboards', path: () => `/office/activity?unit=${INSIDE}` },
  'GET /office/activity/export': { rule: 'dashboards', path: () => `/office/activity/export?unit=${INSIDE}&table=overdue&format=csv` },

  // ---- public performance pages (no sign-in; aggregates only, small numbers withheld) -----------------------
  'GET /performance': { rule: 'everyone' },
  'GET /performance/:code': { rule: 'everyone', path: () => `/performance/${INSIDE}` },
  'GET /performance.csv': { rule: 'everyone' },

  // ---- back office: community digital technology teams ------------------------------------------------------
  'GET /office/teams': { rule: 'supervisors' }, // each sees the teams of their own subtree (checked below)
  'GET /office/teams/conflicts': { rule: 'supervisors' }, // commune or above; each sees their own subtree
  'POST /office/teams/conflicts/:id': { rule: 'teamSupervisors', path: (f) => `/office/teams/conflicts/${f.conflictId}`, body: form() }, // no choice: 400 after the check
  'GET /office/teams/:villageCode': { rule: 'teamSupervisors', path: (f) => `/office/teams/${f.village}` },
  // Writes: the commune's admin (first in PRINCIPALS order) marks it lost; the province's admin then gets 409 "already lost".
  'POST /office/teams/:villageCode/devices/:deviceId/lost': { rule: 'deviceAdmins', path: (f) => `/office/teams/${f.village}/devices/${f.deviceId}/lost`, phase: 2 },

  // ---- step cards (public: residents and officers print them) ----------------------------------------------
  // ---- back office and API: campaigns and their targets (forms that fail after the guard: 400) ------------
  'GET /office/campaigns': { rule: 'supervisors' }, // each sees the campaigns concerning their own units
  'GET /office/campaigns/new': { rule: 'campaignCreators' },
  'POST /office/campaigns/new': { rule: 'campaignCreators', body: form() },
  'GET /office/campaigns/:id/edit': { rule: 'campaignOwners', path: (f) => `/office/campaigns/${f.campaign}/edit` },
  'POST /office/campaigns/:id/edit': { rule: 'campaignOwners', path: (f) => `/office/campaigns/${f.campaign}/edit`, body: form() }, // no version: 400
  'GET /office/campaigns/:id': { rule: 'campaignViewers', path: (f) => `/office/campaigns/${f.campaign}?unit=${INSIDE}` },
  'POST /office/campaigns/:id/targets': { rule: 'campaignEditors', path: (f) => `/office/campaigns/${f.campaign}/targets`, body: form({ unit: INSIDE, version: '1', [`t.${INSIDE}.households_visited`]: 'nhiều' }) },
  'POST /office/campaigns/:id/split': { rule: 'campaignEditors', path: (f) => `/office/campaigns/${f.campaign}/split`, body: form({ unit: INSIDE, indicator: '', version: '1' }) }, // no target to split
  'GET /office/campaigns/:id/targets.xlsx': { rule: 'campaignViewers', path: (f) => `/office/campaigns/${f.campaign}/targets.xlsx?unit=${INSIDE}` },
  'GET /office/campaigns/:id/import': { rule: 'campaignEditors', path: (f) => `/office/campaigns/${f.campaign}/import?unit=${INSIDE}` },
  'POST /office/campaigns/:id/targets/import': { rule: 'campaignEditors', path: (f) => `/office/campaigns/${f.campaign}/targets/import`, body: form({ unit: INSIDE }) }, // no file
  'GET /api/v1/campaigns': { rule: 'campaignViewers', path: () => `/api/v1/campaigns?unit=${INSIDE}` }, // without ?unit any supervisor lists their own
  'POST /api/v1/campaigns': { rule: 'campaignEditors', body: () => ({ name: 'Chiến dịch thử quyền', startsOn: '2026-12-01', endsOn: '2026-11-01', ownerUnit: INSIDE, indicators: ['smartphone_pct'] }) }, // ends before it starts
  'GET /api/v1/campaigns/:id': { rule: 'campaignConcerned', path: (f) => `/api/v1/campaigns/${f.campaign}` },
  'PUT /api/v1/campaigns/:id/targets': { rule: 'campaignEditors', path: (f) => `/api/v1/campaigns/${f.campaign}/targets`, body: () => ({ version: 1, targets: [{ unit: INSIDE, indicator: 'households_visited', target: 2.5 }] }) }, // not a whole number

  'GET /step-cards': { rule: 'everyone' },
  'GET /step-cards/:slug': { rule: 'everyone', path: () => `/step-cards/${STEP_CARDS[0]?.slug ?? ''}` },

  // ---- back office: administration (empty or invalid forms: 400 after the guard) ---------------------------
  'GET /office/admin': { rule: 'provinceAdmins' },
  'GET /office/admin/users': { rule: 'provinceAdmins' }, // each sees their own province's officers
  'GET /office/admin/users/new': { rule: 'provinceAdmins' },
  'POST /office/admin/users/new': { rule: 'provinceAdmins', body: form() },
  'GET /office/admin/users/:id': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}` },
  'POST /office/admin/users/:id/roles': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}/roles`, body: form() },
  'POST /office/admin/users/:id/roles/remove': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}/roles/remove`, body: form() },
  'POST /office/admin/users/:id/status': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}/status`, body: form() },
  'POST /office/admin/users/:id/contact': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}/contact`, body: form() },
  'GET /office/admin/users/:id/password': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}/password` },
  'POST /office/admin/users/:id/password': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/users/${f.userId}/password`, body: form() },
  // The procedure catalogue and the working calendar are one for the whole platform.
  'GET /office/admin/procedures': { rule: 'provinceAdmins' },
  'GET /office/admin/procedures/:code': { rule: 'provinceAdmins', path: () => `/office/admin/procedures/${PROCEDURE}` },
  'POST /office/admin/procedures/:code': { rule: 'provinceAdmins', path: () => `/office/admin/procedures/${PROCEDURE}`, body: form() },
  'GET /office/admin/calendar': { rule: 'provinceAdmins' },
  'POST /office/admin/calendar/days': { rule: 'provinceAdmins', body: form() },
  'POST /office/admin/calendar/days/remove': { rule: 'provinceAdmins', body: form() },
  'POST /office/admin/calendar/office-hours': { rule: 'provinceAdmins', body: form({ officeHours: 'not office hours' }) },
  'GET /office/admin/units': { rule: 'provinceAdmins' },
  'GET /office/admin/units/:id': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/units/${f.unitId}` },
  'POST /office/admin/units/:id/replace': { rule: 'thisProvinceAdmin', path: (f) => `/office/admin/units/${f.unitId}/replace`, body: form() },
  'GET /office/admin/audit': { rule: 'provinceAdmins' }, // scoped to the admin's province
  'GET /office/admin/people/export': { rule: 'provinceAdmins' },
  'POST /office/admin/people/export': { rule: 'provinceAdmins', body: form() }, // empty form: 400 after the guard
};

interface Outcome {
  route: string;
  who: Who;
  path: string;
  status: number;
  excerpt: string;
  ip: string;
  expected: 'allowed' | 'denied';
  verdict: Verdict;
}

const countOf = async (q: Promise<{ n: string | number | bigint }>): Promise<number> => Number((await q).n);

describeEachEngine('every route checks who may use it', (env) => {
  let web: WebServer;
  let f: Fixtures;
  const principals = new Map<Who, Principal>();
  const outcomes: Outcome[] = [];
  let communeAdminId = 0;
  let baseline: { dossiers: number; users: number; comments: number; assignments: number; payments: number; officeHours: string; states: { code: string; status: number; version: number }[] };

  const states = async () =>
    (await env.db.kysely.selectFrom('dossiers').select(['code', 'status', 'version']).where('code', 'in', [f.dossier, f.online]).orderBy('code').execute()).map((r) => ({ code: r.code, status: r.status, version: r.version }));
  const counts = async () => {
    const k = env.db.kysely;
    const n = (table: 'dossiers' | 'users' | 'dossier_comments' | 'dossier_assignments' | 'payments') => countOf(k.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow());
    return { dossiers: await n('dossiers'), users: await n('users'), comments: await n('dossier_comments'), assignments: await n('dossier_assignments'), payments: await n('payments') };
  };
  const officeHours = async () => JSON.stringify((await env.db.kysely.selectFrom('settings').select('value').where('key', '=', 'calendar.office_hours').executeTakeFirst())?.value ?? null);

  before(async () => {
    web = await startWebServer(env.db);
    const made = await makeRouteFixtures(env.db, web.ctx);
    f = made.fixtures;
    communeAdminId = made.officers.communeAdmin;
    for (const [who, p] of made.principals) principals.set(who, p);
    baseline = { ...(await counts()), officeHours: await officeHours(), states: await states() };
  });

  after(async () => {
    await web?.close();
  });

  it('has an entry in the table for every route of the router, and none for a route that is gone', () => {
    const registered = web.app.registeredRoutes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    assert.equal(new Set(registered).size, registered.length, 'a route is registered twice');
    const missing = registered.filter((r) => !(r in EXPECTED));
    const stale = Object.keys(EXPECTED).filter((k) => !registered.includes(k));
    assert.deepEqual(missing, [], `routes without an entry in EXPECTED (say who may use them):\n  ${missing.join('\n  ')}`);
    assert.deepEqual(stale, [], `entries in EXPECTED for routes the router does not have:\n  ${stale.join('\n  ')}`);
    // The router's own flags agree with the table where they say anything.
    for (const r of web.app.registeredRoutes.filter((x) => x.method !== 'HEAD')) {
      const rule = EXPECTED[`${r.method} ${r.url}`]?.rule;
      if (r.citizen) assert.ok(rule === 'citizens' || rule === 'owner', `${r.method} ${r.url} is marked citizen but the table says ${rule}`);
      if (r.public) assert.equal(rule, 'everyone', `${r.method} ${r.url} is marked public but the table says ${rule}`);
      if (r.url.startsWith('/api/') && !r.public) assert.notEqual(rule, 'everyone', `${r.method} ${r.url} needs an officer (not marked public) but the table says everyone`);
    }
  });

  it('lets exactly the principals the table names past authorization, on every route, and never fails with 5xx', async (t) => {
    const started = Date.now();
    const routes = Object.entries(EXPECTED).sort(([, a], [, b]) => (a.phase ?? 0) - (b.phase ?? 0));
    for (const [route, c] of routes) {
      const [method = '', pattern = ''] = route.split(' ');
      const path = c.path ? c.path(f) : pattern;
      assert.ok(!path.includes('/:'), `${route}: give a concrete path`);
      const ask = async (p: Principal): Promise<Outcome> => {
        const session = c.endsSession ? await p.fresh() : p.session;
        const answer = await send(web.baseUrl, session, method, path, c.body?.(f));
        const expected = ALLOWED[c.rule].includes(p.who) ? 'allowed' : 'denied';
        return { route, who: p.who, path, status: answer.status, excerpt: answer.excerpt, ip: answer.ip, expected, verdict: verdictOf(answer, path, c.alsoAllowed) };
      };
      const callers = PRINCIPALS.map((w) => principals.get(w) as Principal);
      // Reads and refused writes go to everyone at once; the removals of later phases one at a
      // time, the owner last (PRINCIPALS order), so their delete comes after everyone else's try.
      if (c.phase) for (const p of callers) outcomes.push(await ask(p));
      else outcomes.push(...(await Promise.all(callers.map(ask))));
    }
    t.diagnostic(`${outcomes.length} requests (${routes.length} routes × ${PRINCIPALS.length} principals) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const wrong = outcomes
      .filter((o) => o.verdict !== o.expected)
      .map((o) => `${o.route} as ${o.who} (${DESCRIBE[o.who]}): expected ${o.expected.toUpperCase()}, got ${o.status}${o.verdict === 'broken' ? ' (broken)' : ''} for ${o.path} — ${o.excerpt}`);
    assert.deepEqual(wrong, [], `${wrong.length} request(s) answered against the table:\n  ${wrong.join('\n  ')}`);
  });

  it('wrote nothing for a denied request, and only what the allowed requests were meant to', async () => {
    assert.ok(outcomes.length > 0, 'the walk did not run');
    // Requests are told apart by their client address in the audit trail: allowed reads of the dossier left theirs.
    const reads = outcomes.filter((o) => o.route === 'GET /api/v1/dossiers/:code' && o.verdict === 'allowed').map((o) => o.ip);
    const audited = await env.db.kysely.selectFrom('audit_log').select('ip').where('action', '=', 'dossier.read').where('ip', 'in', reads).execute();
    assert.equal(audited.length, reads.length, 'the audit trail does not record the address each request came from');
    const denied = outcomes.filter((o) => o.verdict === 'denied');
    const ips = denied.map((o) => o.ip);
    const written = ips.length ? await env.db.kysely.selectFrom('audit_log').select(['ip', 'action', 'entity_id']).where('ip', 'in', ips).execute() : [];
    const byIp = new Map(denied.map((o) => [o.ip, o]));
    assert.deepEqual(
      written.map((w) => `${w.action} ${w.entity_id ?? ''} by ${byIp.get(w.ip ?? '')?.route} as ${byIp.get(w.ip ?? '')?.who}`),
      [],
      'denied requests left entries in the audit trail',
    );

    // The dossiers the walk acted on did not move: every allowed action was one the status refuses.
    assert.deepEqual(await states(), baseline.states);
    const allowedTimes = (route: string) => outcomes.filter((o) => o.route === route && o.verdict === 'allowed').length;
    const now = await counts();
    assert.equal(now.dossiers, baseline.dossiers + allowedTimes('POST /api/v1/dossiers'), 'dossiers created');
    assert.equal(now.comments, baseline.comments + allowedTimes('POST /office/dossiers/:code/comments'), 'comments written');
    assert.equal(now.users, baseline.users, 'officers created');
    assert.equal(now.assignments, baseline.assignments, 'assignments made');
    assert.equal(now.payments, baseline.payments, 'payments recorded');
    assert.equal(await officeHours(), baseline.officeHours, 'office hours changed');
    const testDay = await env.db.kysely.selectFrom('calendar_days').select('date').where('date', '=', '2099-12-31').executeTakeFirst();
    assert.equal(testDay, undefined, 'the day put by the walk is still there');
    // The owner removed their paper and deleted their application, last, after everyone else was refused.
    // The phone was marked lost once, by the first administrator allowed to; the conflict was not settled.
    const device = await env.db.kysely.selectFrom('devices').select(['status', 'lost_marked_by']).where('id', '=', f.deviceId).executeTakeFirstOrThrow();
    assert.equal(device.status, 'lost');
    assert.equal(device.lost_marked_by, communeAdminId);
    const conflict = await env.db.kysely.selectFrom('sync_conflicts').select(['status', 'version']).where('id', '=', f.conflictId).executeTakeFirstOrThrow();
    assert.deepEqual(conflict, { status: 'open', version: 1 });
    const draft = await env.db.kysely.selectFrom('drafts').select('id').where('id', '=', f.draftId).executeTakeFirst();
    assert.equal(draft, undefined, 'the owner could not delete their application');
  });

  it('keeps lists to what the caller may see', async () => {
    const full = async (who: Who, path: string) => {
      const s = principals.get(who)?.session ?? null;
      const res = await fetch(`${web.baseUrl}${path}`, { headers: s ? { cookie: `causo_session=${s.token}` } : {}, redirect: 'manual' });
      assert.equal(res.status, 200, `${path} as ${who}`);
      return res.text();
    };
    const lists = (text: string, code: string) => text.includes(code);
    assert.ok(lists(await full('officer', '/api/v1/dossiers'), f.dossier), 'the officer of 25309 does not see its dossier in the API list');
    assert.ok(!lists(await full('outsideOfficer', '/api/v1/dossiers'), f.dossier), 'an officer of 25308 sees a dossier of 25309 in the API list');
    assert.ok(!lists(await full('otherProvinceAdmin', '/api/v1/dossiers'), f.dossier), "another province's admin sees a dossier of 25309 in the API list");
    assert.ok(lists(await full('officer', '/office?tab=all'), f.dossier), 'the officer of 25309 does not see its dossier in the queue');
    assert.ok(!lists(await full('outsideOfficer', '/office?tab=all'), f.dossier), 'an officer of 25308 sees a dossier of 25309 in the queue');
    assert.ok(lists(await full('officer', '/office/teams'), `/office/teams/${f.village}"`), 'the officer of 25309 does not see its team');
    assert.ok(!lists(await full('outsideOfficer', '/office/teams'), `/office/teams/${f.village}"`), 'an officer of 25308 sees a team of 25309');
    assert.ok(lists(await full('provinceLeader', '/office/teams/conflicts'), `/office/teams/conflicts/${f.conflictId}"`), 'the province leader does not see the conflict');
    assert.ok(!lists(await full('otherProvinceAdmin', '/office/teams/conflicts'), `/office/teams/conflicts/${f.conflictId}"`), "another province's admin sees the conflict");
    assert.ok(lists(await full('citizen', '/my'), f.online), 'the citizen does not see their dossier');
    assert.ok(!lists(await full('otherCitizen', '/my'), f.online), "another citizen sees the citizen's dossier");
  });
});
