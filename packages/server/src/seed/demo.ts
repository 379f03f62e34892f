/**
 * The small demo that the first start seeds (well under 30 s): reference data, demo officers,
 * and a few dozen recent dossiers in the communes that took over Bù Đốp after the 2025 reform
 * (Đồng Nai), taken through the real services, so the log, the due dates and the counters are
 * exactly what live use produces. Bình Phước's 2022 stays empty for `seed demo --full`.
 */
import { randomUUID } from 'node:crypto';
import type { Action } from '@causo/domain';
import type { AppContext } from '../context.ts';
import { createOfficer, type Officer, type OfficerRole } from '../modules/auth/service.ts';
import { actOnDossier, createDossier, type Actor } from '../modules/dossiers/service.ts';
import { hasReferenceData, seedReference } from './reference.ts';
import { DEMO_CITIZENS, seedDemoCitizens } from '../modules/people/demoCitizens.ts';
import { submitOnline } from '../modules/dossiers/citizenDossiers.ts';
import { seedDemoTeams } from './demoTeams.ts';
import { seedDemoCampaigns } from './demoCampaigns.ts';

/** Demo credentials, printed in the README; never used when SEED_DEMO=false. */
export const DEMO_PASSWORD = 'causo-demo-2022';
export const DEMO_OFFICERS: { username: string; displayName: string; roles: { role: OfficerRole; unitCode: string; on: string }[] }[] = [
  { username: 'admin', displayName: 'Quản trị tỉnh', roles: [{ role: 'admin', unitCode: '70', on: '2022-08-01' }, { role: 'admin', unitCode: '75', on: '2025-07-01' }] },
  // Bù Đốp district ended with the 2025 reform; its leader follows the three communes that took it over.
  {
    username: 'lanhdao.budop',
    displayName: 'Lãnh đạo khu vực Bù Đốp',
    roles: [{ role: 'leader', unitCode: '693', on: '2022-08-01' }, ...['25309', '25308', '25318'].map((unitCode) => ({ role: 'leader' as const, unitCode, on: '2025-07-01' }))],
  },
  { username: 'motcua.hungphuoc', displayName: 'Một cửa xã Hưng Phước', roles: [{ role: 'officer', unitCode: '25309', on: '2022-08-01' }, { role: 'officer', unitCode: '25309', on: '2025-07-01' }] },
  { username: 'chuyenvien.hungphuoc', displayName: 'Chuyên viên tư pháp xã Hưng Phước', roles: [{ role: 'specialist', unitCode: '25309', on: '2022-08-01' }, { role: 'specialist', unitCode: '25309', on: '2025-07-01' }] },
];

const NAMES = ['Điểu Thị Lan', 'Nông Văn Tuấn', 'Hoàng Thị Mai', 'Lâm Văn Sơn', 'Thị Hồng', 'Điểu Brah', 'Lý Thị Hoa', 'Nguyễn Văn An', 'Trần Thị Bích', 'Lê Văn Phúc'];
/** Đồng Nai communes from 1 July 2025: Hưng Phước, Thiện Hưng, Tân Tiến (formerly Bù Đốp). */
const COMMUNES = ['25309', '25308', '25318'];
const PROCEDURES = ['1.001193', '2.000815', '1.004873', '1.000656', '2.000884', '1.004222'];

/** Deterministic stories: what happens to each demo dossier after it is created. */
const STORIES: Action[][] = [
  ['start_processing', 'finish', 'return_result'],
  ['start_processing', 'finish'],
  ['start_processing'],
  ['request_supplement', 'supplement_received', 'finish', 'return_result'],
  ['request_supplement'],
  ['start_processing', 'request_fees', 'fees_paid', 'finish'],
  ['request_withdrawal', 'stop'],
  [],
];

async function referenceCounts(ctx: AppContext): Promise<{ units: number; procedures: number }> {
  const count = async (table: 'units' | 'procedures') => Number((await ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { units: await count('units'), procedures: await count('procedures') };
}

async function demoOfficers(ctx: AppContext): Promise<Map<string, Actor>> {
  const actors = new Map<string, Actor>();
  for (const o of DEMO_OFFICERS) {
    const roles: { role: OfficerRole; unitId: number }[] = [];
    for (const r of o.roles) {
      const unit = await ctx.db.kysely
        .selectFrom('units')
        .select('id')
        .where('code', '=', r.unitCode)
        .where('valid_from', '<=', r.on)
        .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', r.on)]))
        .executeTakeFirstOrThrow();
      roles.push({ role: r.role, unitId: unit.id });
    }
    const id = await ctx.db.transaction((trx) => createOfficer(trx, { username: o.username, displayName: o.displayName, password: DEMO_PASSWORD, roles }));
    const officer: Officer = { id, username: o.username, displayName: o.displayName, roles };
    actors.set(o.username, { officer, ip: null });
  }
  return actors;
}

export async function seedDemo(ctx: AppContext, count = 64): Promise<{ units: number; procedures: number; officers: number; dossiers: number }> {
  // Reference data first, unless it is there already (a database prepared by an earlier version or a test template).
  const ref = (await hasReferenceData(ctx.db)) ? await referenceCounts(ctx) : await seedReference(ctx.db);
  // SEED_DEMO=true on a database that has the demo already: nothing to add.
  if (await ctx.db.kysely.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirst()) return { ...ref, officers: 0, dossiers: 0 };
  const actors = await demoOfficers(ctx);
  await seedDemoTeams(ctx, { password: DEMO_PASSWORD });
  await seedDemoCampaigns(ctx);
  await seedDemoCitizens(ctx, DEMO_PASSWORD);
  const admin = actors.get('admin');
  if (!admin) throw new Error('demo admin missing');
  const calendar = await ctx.calendar.calendar();
  // Walk a clock through working hours from mid-September 2026 (about five weeks of activity).
  let clock = calendar.alignToWorkingTime(new Date('2026-09-15T08:00:00+07:00'));
  const step = () => (clock = calendar.addWorkingMinutes(clock, 25));
  const at = () => clock.toISOString();
  const demoCtx: AppContext = { ...ctx, now: () => clock };
  for (let i = 0; i < count; i++) {
    step();
    const channel = (i % 3 === 0 ? 2 : i % 11 === 0 ? 3 : 1) as 1 | 2 | 3;
    const d = await createDossier(demoCtx, admin, {
      transactionId: randomUUID(),
      procedureCode: PROCEDURES[i % PROCEDURES.length] ?? '1.001193',
      unitCode: COMMUNES[i % COMMUNES.length] ?? '25309',
      channel,
      applicant: { fullName: NAMES[i % NAMES.length] ?? 'Người dân', phone: `09${String(12_345_000 + i).padStart(8, '0')}` },
      formData: {},
      occurredAt: at(),
    });
    const story = [...(channel === 2 ? (['receive'] as Action[]) : []), ...(STORIES[i % STORIES.length] ?? [])];
    for (const action of story) {
      for (let k = 0; k < 1 + (i % 4); k++) step();
      await actOnDossier(demoCtx, admin, d.code, {
        action,
        transactionId: randomUUID(),
        occurredAt: at(),
        ...(action === 'stop' || action === 'refuse' ? { reason: 'Công dân xin rút hồ sơ' } : {}),
        ...(action === 'request_supplement' ? { missingDocuments: ['Bản sao Giấy chứng sinh'] } : {}),
      });
    }
  }
  const own = await demoCitizenDossiers(demoCtx, actors, step);
  return { units: ref.units, procedures: ref.procedures, officers: actors.size, dossiers: count + own };
}

/**
 * Điểu Thị Lan, the first demo citizen, has two dossiers waiting for her, so "my dossiers",
 * answering a supplement request and paying a fee can be tried at once: a birth registration
 * missing a paper (status 5) and two certified copies of an extract, 16,000 đồng due (status 6).
 */
async function demoCitizenDossiers(ctx: AppContext, actors: Map<string, Actor>, step: () => Date): Promise<number> {
  const desk = actors.get('motcua.hungphuoc');
  const lan = DEMO_CITIZENS[0];
  const row = await ctx.db.kysely.selectFrom('citizens').select('id').where('id_hash', '=', ctx.vault.lookupHash('id', lan.idNumber)).executeTakeFirst();
  if (!desk || !row) throw new Error('demo citizen or desk officer missing');
  const stories: { procedureCode: string; formData: Record<string, unknown>; actions: Action[] }[] = [
    { procedureCode: '1.001193', formData: {}, actions: ['receive', 'start_processing', 'request_supplement'] },
    { procedureCode: '2.000635', formData: { copies: 2 }, actions: ['receive', 'start_processing', 'request_fees'] },
  ];
  for (const s of stories) {
    step();
    const d = await submitOnline(ctx, { citizenId: row.id, ip: null }, {
      transactionId: randomUUID(),
      procedureCode: s.procedureCode,
      unitCode: '25309',
      applicant: { fullName: lan.fullName, phone: lan.phone },
      formData: s.formData,
    });
    for (const action of s.actions) {
      step();
      await actOnDossier(ctx, desk, d.code, {
        action,
        transactionId: randomUUID(),
        occurredAt: ctx.now().toISOString(),
        ...(action === 'request_supplement' ? { missingDocuments: ['Giấy chứng sinh (bản chính)', 'Căn cước của người đi đăng ký'] } : {}),
      });
    }
  }
  return stories.length;
}
