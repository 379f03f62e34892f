/**
 * The dashboard tests' world: the field data of test/teams/support.ts (a register, visits and
 * blockers in ấp Phước Tiến 25309-01, one household in 25308-01), officers around commune
 * 25309, and two campaigns written straight into the tables: the province's running one with
 * targets on the province, the commune and two of its villages, and an older one owned by the
 * commune. Figures the tests expect, worked out by hand from that data, are below.
 */
import type { Db } from '../../src/db/database.ts';
import { unitId } from '../support/fixtures.ts';
import type { WebServer } from '../support/webServer.ts';
import { TODAY, officerOn, signedIn, type Client } from '../admin/support.ts';
import { seedField, VILLAGE } from '../teams/support.ts';

export const PROVINCE = '75'; // Tỉnh Đồng Nai
export const COMMUNE = '25309'; // Xã Hưng Phước
export const OTHER_COMMUNE = '25308'; // Xã Thiện Hưng
export { VILLAGE }; // Ấp Phước Tiến: the only village of 25309 with a register
export const EMPTY_VILLAGE = '25309-02'; // Ấp Bù Tam: no register yet
export const COMMUNE_VILLAGES = Array.from({ length: 9 }, (_, i) => `25309-0${i + 1}`);

/**
 * By hand, for the running campaign (1 Oct – 31 Dec 2026, seen on 25 Nov 2026): ấp Phước Tiến
 * has 3 adults (born 1985, 1980, 1990; a child born 2015 does not count), 2 with a smartphone
 * (66.7%), 1 SIM in own name (33.3%); one household visited in the period (the September visit
 * is before it); two blockers open (no smartphone, SIM not in own name).
 */
export const EXPECTED = {
  smartphone: { value: '66,7%', numerator: 2, denominator: 3 },
  simOwner: '33,3%',
  visited: 1,
  openBlockers: 2,
  /** 66.7% against a target of 80%: 83.3% of target; 1 household against 4: 25.0%. */
  smartphoneOfTarget: '83,3%',
  visitedOfTarget: '25,0%',
};

export const CAMPAIGN_NAME = '92 ngày đêm: nâng cao hiệu quả dịch vụ công trực tuyến';
export const OLD_CAMPAIGN_NAME = '=HYPERLINK("http://example.invalid","Chiến dịch hè")';

export type Who = 'provinceLeader' | 'communeLeader' | 'communeOfficer' | 'villageOfficer' | 'outsideLeader' | 'specialist';

export interface DashboardWorld {
  web: WebServer;
  ids: Record<Who, number>;
  clients: Record<Who, Client>;
  campaignId: number;
  oldCampaignId: number;
}

async function insertCampaign(db: Db, v: { name: string; owner: string; startsOn: string; endsOn: string; indicators: string[]; createdBy: number; targets: [string, string, number][] }): Promise<number> {
  const at = new Date('2026-09-20T08:00:00+07:00');
  const ownerId = await unitId(db, v.owner, TODAY);
  // Looked up before the transaction: PGlite has one connection, which the transaction holds.
  const targets = await Promise.all(v.targets.map(async ([code, indicator, target]) => ({ unitId: await unitId(db, code, TODAY), indicator, target })));
  return db.transaction(async (trx) => {
    const c = await trx
      .insertInto('campaigns')
      .values({ name: v.name, description: '', starts_on: v.startsOn, ends_on: v.endsOn, unit_id: ownerId, indicators: v.indicators, created_by: v.createdBy, created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const t of targets)
      await trx
        .insertInto('campaign_targets')
        .values({ campaign_id: c.id, unit_id: t.unitId, indicator: t.indicator, target: t.target, set_by: v.createdBy, set_at: at })
        .execute();
    return c.id;
  });
}

export async function dashboardWorld(db: Db, web: WebServer): Promise<DashboardWorld> {
  await seedField(db, web.ctx);
  const roles: Record<Who, Parameters<typeof officerOn>[1]> = {
    provinceLeader: [{ role: 'leader', unitCode: PROVINCE }],
    communeLeader: [{ role: 'leader', unitCode: COMMUNE }],
    communeOfficer: [{ role: 'officer', unitCode: COMMUNE }],
    villageOfficer: [{ role: 'officer', unitCode: VILLAGE }],
    outsideLeader: [{ role: 'leader', unitCode: OTHER_COMMUNE }],
    specialist: [{ role: 'specialist', unitCode: COMMUNE }],
  };
  const ids = {} as Record<Who, number>;
  const clients = {} as Record<Who, Client>;
  for (const who of Object.keys(roles) as Who[]) {
    ids[who] = (await officerOn(db, roles[who], who.toLowerCase())).id;
    clients[who] = await signedIn(web, ids[who]);
  }
  const campaignId = await insertCampaign(db, {
    name: CAMPAIGN_NAME,
    owner: PROVINCE,
    startsOn: '2026-10-01',
    endsOn: '2026-12-31',
    indicators: ['smartphone_pct', 'sim_owner_pct', 'households_visited', 'open_blockers', 'online_share_pct'],
    createdBy: ids.provinceLeader,
    targets: [
      [PROVINCE, 'households_visited', 50],
      [COMMUNE, 'smartphone_pct', 80],
      [COMMUNE, 'households_visited', 4],
      [VILLAGE, 'smartphone_pct', 80],
      [VILLAGE, 'households_visited', 2],
      [EMPTY_VILLAGE, 'smartphone_pct', 75],
    ],
  });
  // Over before today, so never the default; its name would be a formula in a careless spreadsheet.
  const oldCampaignId = await insertCampaign(db, {
    name: OLD_CAMPAIGN_NAME,
    owner: COMMUNE,
    startsOn: '2026-06-01',
    endsOn: '2026-08-31',
    indicators: ['households_visited', 'blockers_resolved'],
    createdBy: ids.communeLeader,
    // The villages' visit targets add up to the commune's (9 × 2 = 18); their resolved-blocker targets fall short (9 × 1 < 10).
    targets: [
      [COMMUNE, 'households_visited', 18],
      [COMMUNE, 'blockers_resolved', 10],
      ...COMMUNE_VILLAGES.flatMap((v): [string, string, number][] => [
        [v, 'households_visited', 2],
        [v, 'blockers_resolved', 1],
      ]),
    ],
  });
  return { web, ids, clients, campaignId, oldCampaignId };
}

/** The text of each cell of the table row whose header cell reads `name` (tags stripped). */
export function rowCells(html: string, name: string): string[] | null {
  for (const m of html.matchAll(/<tr>(.*?)<\/tr>/gs)) {
    const row = m[1] ?? '';
    const header = /<th scope="row">(.*?)<\/th>/s.exec(row)?.[1]?.replace(/<[^>]+>/g, '').trim();
    if (header !== name) continue;
    return [...row.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => (c[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
  }
  return null;
}

/** Decodes the few entities Preact writes in text. */
export const unescapeHtml = (s: string): string => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'");
