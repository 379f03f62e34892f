/**
 * Helpers for the campaign tests: officers of every kind around commune 25309 (Hưng Phước,
 * province 75), signed-in page clients and API clients, a household register in a few of its
 * villages (the weights of a split), campaigns made through the service, workbooks built with
 * ExcelJS, and ZIP archives made by hand (a zip bomb).
 */
import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { Db } from '../../src/db/database.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { createCampaign } from '../../src/modules/campaigns/campaignService.ts';
import type { CampaignRef } from '../../src/modules/campaigns/campaignQueries.ts';
import type { CampaignInputT } from '../../src/modules/campaigns/campaignSchemas.ts';
import { unitId } from '../support/fixtures.ts';
import type { WebServer } from '../support/webServer.ts';
import { TODAY, officerOn, signedIn, type Client } from '../admin/support.ts';

export const COMMUNE = '25309'; // Xã Hưng Phước since 2025-07-01: villages 25309-01 … 25309-09
export const OTHER_COMMUNE = '25308';
export const PROVINCE = '75';
export const VILLAGES = ['25309-01', '25309-02', '25309-03', '25309-04', '25309-05', '25309-06', '25309-07', '25309-08', '25309-09'];

export type Who = 'provinceLeader' | 'communeLeader' | 'communeAdmin' | 'outsideLeader' | 'officer' | 'specialist' | 'member' | 'villageLeader';

export interface People {
  ids: Record<Who, number>;
  clients: Record<Who, Client>;
}

export async function people(db: Db, web: WebServer): Promise<People> {
  const roles: Record<Who, Parameters<typeof officerOn>[1]> = {
    provinceLeader: [{ role: 'leader', unitCode: PROVINCE }],
    communeLeader: [{ role: 'leader', unitCode: COMMUNE }],
    communeAdmin: [{ role: 'admin', unitCode: COMMUNE }],
    outsideLeader: [{ role: 'leader', unitCode: OTHER_COMMUNE }],
    officer: [{ role: 'officer', unitCode: COMMUNE }],
    specialist: [{ role: 'specialist', unitCode: COMMUNE }],
    member: [{ role: 'member', unitCode: '25309-01' }],
    villageLeader: [{ role: 'leader', unitCode: '25309-02' }],
  };
  const ids = {} as Record<Who, number>;
  const clients = {} as Record<Who, Client>;
  for (const who of Object.keys(roles) as Who[]) {
    ids[who] = (await officerOn(db, roles[who], who.toLowerCase())).id;
    clients[who] = await signedIn(web, ids[who]);
  }
  return { ids, clients };
}

/** A JSON API client with a bearer session. */
export interface ApiClient {
  get(path: string): Promise<{ status: number; json: Record<string, unknown> }>;
  send(method: 'POST' | 'PUT', path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
}

export async function apiClient(web: WebServer, userId: number): Promise<ApiClient> {
  const s = await web.ctx.db.transaction((trx) => createSession(trx, { userId }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'api-test', now: web.ctx.now() }));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${web.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${s.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return { get: (path) => call('GET', path), send: (method, path, body) => call(method, path, body) };
}

export const campaignInput = (over: Partial<CampaignInputT> = {}): CampaignInputT => ({
  name: '92 ngày đêm: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến',
  description: '',
  startsOn: '2026-11-01',
  endsOn: '2027-01-31',
  ownerUnit: COMMUNE,
  coveredUnits: [],
  indicators: ['smartphone_pct', 'service_accounts', 'households_visited'],
  ...over,
});

export async function makeCampaign(web: WebServer, officerId: number, over: Partial<CampaignInputT> = {}): Promise<CampaignRef> {
  const officer = await loadOfficer(web.ctx.db.kysely, officerId);
  if (!officer) throw new Error('no such officer');
  return createCampaign(web.ctx, { officer, ip: '127.0.0.1' }, campaignInput(over));
}

/** A household register in a village: one household with `adults` residents born in 1980 (adults on the test clock). */
export async function register(db: Db, villageCode: string, adults: number): Promise<void> {
  const village = await unitId(db, villageCode, TODAY);
  const household = randomUUID();
  const at = new Date('2026-10-01T08:00:00+07:00');
  await db.kysely
    .insertInto('households')
    .values({ id: household, unit_id: village, version: 1, data: JSON.stringify({ headName: 'Hộ thử', address: '', note: '' }), field_meta: '{}', search: 'ho thu', created_at: at, updated_at: at })
    .execute();
  await db.kysely
    .insertInto('residents')
    .values(
      Array.from({ length: adults }, () => ({
        id: randomUUID(),
        household_id: household,
        unit_id: village,
        version: 1,
        data: JSON.stringify({ fullName: 'Người thử', birthYear: 1980, smartphone: true, simOwnership: 'unknown', vneidLevel: null, publicServiceAccount: null, walletOrBank: null }),
        personal_sealed: 'x',
        field_meta: '{}',
        search: 'nguoi thu',
        created_at: at,
        updated_at: at,
      })),
    )
    .execute();
}

/** Targets as stored: unit code → indicator → target. */
export async function storedTargets(db: Db, campaignId: number): Promise<Record<string, Record<string, number>>> {
  const rows = await db.kysely.selectFrom('campaign_targets as t').innerJoin('units as u', 'u.id', 't.unit_id').select(['u.code', 't.indicator', 't.target']).where('t.campaign_id', '=', campaignId).execute();
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[r.code] ??= {})[r.indicator] = Number(r.target);
  return out;
}

export async function auditActions(db: Db, campaignId: number): Promise<string[]> {
  const rows = await db.kysely.selectFrom('audit_log').select('action').where('entity', '=', 'campaign').where('entity_id', '=', String(campaignId)).orderBy('id').execute();
  return rows.map((r) => r.action);
}

/** Fills cells of a downloaded template: `rows` maps a unit code to `{ indicator key: value }`. */
export async function fillTemplate(template: Buffer, rows: Record<string, Record<string, number | string | null>>, extra: { code: string; values: Record<string, number | string | null> }[] = []): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('Chỉ tiêu');
  if (!ws) throw new Error('no targets sheet');
  const keyRow = 4;
  const columns = new Map<string, number>();
  ws.getRow(keyRow).eachCell((c, i) => columns.set(String(c.value), i));
  ws.eachRow((row, n) => {
    if (n <= keyRow) return;
    const wanted = rows[String(row.getCell(1).value)];
    if (wanted) for (const [k, v] of Object.entries(wanted)) row.getCell(columns.get(k) ?? 0).value = v;
  });
  let next = ws.rowCount + 1;
  for (const e of extra) {
    const row = ws.getRow(next++);
    row.getCell(1).value = e.code;
    for (const [k, v] of Object.entries(e.values)) row.getCell(columns.get(k) ?? 0).value = v;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A ZIP archive made by hand: each entry deflated, sizes as given (or true). */
export function zipOf(entries: { name: string; data: Buffer; claimedSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const packed = deflateRawSync(e.data);
    const name = Buffer.from(e.name);
    const size = e.claimedSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Posts a file to a page form as a browser would (multipart, with the CSRF field). */
export async function upload(web: WebServer, client: Client, path: string, fields: Record<string, string>, file: { name: string; data: Buffer; type?: string }): Promise<{ status: number; html: string; location: string | null }> {
  const form = new FormData();
  form.append('_csrf', client.csrf);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), file.name);
  const res = await fetch(`${web.baseUrl}${path}`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: client.cookie } });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

/** Downloads a file with a page client's session. */
export async function download(web: WebServer, client: Client, path: string): Promise<{ status: number; type: string; data: Buffer }> {
  const res = await fetch(`${web.baseUrl}${path}`, { headers: { cookie: client.cookie } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', data: Buffer.from(await res.arrayBuffer()) };
}
