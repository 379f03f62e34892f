/**
 * The field side of the demo: every village of the three Đồng Nai communes that took over Bù Đốp
 * (Hưng Phước 25309, Thiện Hưng 25308, Tân Tiến 25318) gets a community digital technology team
 * (2–3 members) and a synthetic household register, with visits, blockers and follow-ups of the
 * last eight weeks, so a first start shows the campaign's picture village by village.
 *
 * Everything is invented: names are put together from common name parts with a seeded PRNG (the
 * same data every run), ID numbers and phones are random numbers of the right shape, and nobody
 * real is described. Ấp Thủy Đông (25309-04, formerly ấp 4 of Hưng Phước) has exactly 236
 * households, about 17% of them Tày and Nùng; Ấp Thiện Cư (formerly thôn 1 of Thiện Hưng) is
 * mostly S'tiêng; the other villages have 60–140 households.
 *
 * Records follow the conventions of the sync protocol: households and residents through
 * `householdInsert` / `residentInsert` (personal fields sealed), and one sync_changes row per
 * record in the same transaction so the team's phones download them.
 */
import '../modules/notify/schema.ts';
import {
  centuryDigit,
  EMPTY_READINESS,
  foldDiacritics,
  isAdult,
  type BlockerReason,
  type HouseholdFields,
  type Readiness,
  type ResidentFields,
  type VisitAction,
} from '@causo/domain';
import type { Insertable } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Trx } from '../db/database.ts';
import { hashPassword } from '../modules/auth/passwords.ts';
import '../modules/people/schema.ts';
import type { BlockersTable } from '../modules/people/schema.ts';
import { recordChanges, type ChangeEntity } from '../modules/sync/changes.ts';
import { householdInsert, residentInsert } from '../modules/teams/records.ts';
import type { FollowUpsTable, VisitsTable } from '../modules/teams/schema.ts';
import { mulberry32, type Rng } from './random.ts';

/** The communes (in force from 1 July 2025) whose villages get a team. */
export const DEMO_TEAM_COMMUNES = ['25309', '25308', '25318'] as const;
/** Ấp Thủy Đông: ấp 4 of Hưng Phước before the reform, its code unchanged. */
export const THUY_DONG_CODE = '25309-04';
export const THUY_DONG_HOUSEHOLDS = 236;
/** Ấp Thiện Cư, thôn 1 of the former Thiện Hưng commune; its code under 25308 is looked up. */
const STIENG_VILLAGE_OLD_CODE = '25312-01';

/** The field-app account the README names (password: the demo password). */
export const DEMO_TEAM_LEAD = { username: 'totruong.thuydong', displayName: 'Tổ trưởng ấp Thủy Đông', villageCode: THUY_DONG_CODE } as const;

export interface DemoVillage {
  id: number;
  code: string;
  name: string;
  type: string;
}

export interface DemoTeamsResult {
  teams: number;
  /** Usernames of every demo team member (leads first in each village), for the README and tests. */
  members: string[];
  households: number;
  residents: number;
  visits: number;
  blockers: number;
  followUps: number;
  ms: number;
}

export interface DemoTeamsOptions {
  /** The demo password; hashed once (argon2id) for every member. */
  password: string;
  /** Seed of the PRNG; the default gives the data the README describes. */
  seed?: number;
}

// ---------------------------------------------------------------------------------------------
// Villages and their teams

/** Villages of the demo communes in force now (the 2025 era has no end date). */
export async function demoVillages(db: AppContext['db']['kysely'] | Trx): Promise<DemoVillage[]> {
  return db
    .selectFrom('units as v')
    .innerJoin('units as c', 'c.id', 'v.parent_id')
    .select(['v.id', 'v.code', 'v.name', 'v.type'])
    .where('v.level', '=', 'village')
    .where('v.valid_to', 'is', null)
    .where('c.code', 'in', [...DEMO_TEAM_COMMUNES])
    .orderBy('v.code')
    .execute();
}

/** "Ấp Thủy Đông" → "thuydong"; "Khu phố Thanh Xuân" → "thanhxuan". */
function slugOf(v: DemoVillage): string {
  const bare = v.name.replace(/^(Ấp|Thôn|Khu phố|Bản|Sóc|Tổ dân phố)\s+/u, '');
  return foldDiacritics(bare).toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** "Ấp Thủy Đông" → "ấp Thủy Đông" (inside a sentence). */
function inSentence(name: string): string {
  return name.replace(/^(Ấp|Thôn|Khu phố|Bản|Sóc)/u, (m) => m.toLowerCase());
}

/** Stable per-village seed, so one village's data does not depend on the others. */
function hashSeed(text: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface PlannedMember {
  username: string;
  displayName: string;
  lead: boolean;
}

/**
 * The team of each village: a lead (`totruong.<village>`) and one or two members
 * (`thanhvien1.<village>`, …). Depends only on the villages and the seed.
 */
export function planTeamMembers(villages: readonly DemoVillage[], seed = DEFAULT_SEED): Map<string, PlannedMember[]> {
  const out = new Map<string, PlannedMember[]>();
  const slugs = new Set<string>();
  for (const v of villages) {
    let slug = slugOf(v);
    if (slugs.has(slug)) slug = `${slug}${v.code.replace('-', '')}`;
    slugs.add(slug);
    const rng = mulberry32(hashSeed(`members:${v.code}`, seed));
    const extra = v.code === THUY_DONG_CODE ? 2 : 1 + Math.floor(rng() * 2);
    const members: PlannedMember[] = [{ username: `totruong.${slug}`, displayName: `Tổ trưởng ${inSentence(v.name)}`, lead: true }];
    for (let i = 1; i <= extra; i++) {
      const eth: Ethnicity = rng() < 0.75 ? 'Kinh' : 'Tày';
      members.push({ username: `thanhvien${i}.${slug}`, displayName: personName(rng, eth, rng() < 0.5 ? 'male' : 'female'), lead: false });
    }
    out.set(v.code, members);
  }
  return out;
}

export function demoMemberUsernames(villages: readonly DemoVillage[], seed = DEFAULT_SEED): string[] {
  return [...planTeamMembers(villages, seed).values()].flat().map((m) => m.username);
}

// ---------------------------------------------------------------------------------------------
// Names

type Ethnicity = 'Kinh' | 'Tày' | 'Nùng' | "S'tiêng";
type Sex = 'male' | 'female';

const pick = <T>(rng: Rng, list: readonly T[]): T => {
  const v = list[Math.floor(rng() * list.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
};

const KINH_SURNAMES = ['Nguyễn', 'Nguyễn', 'Nguyễn', 'Trần', 'Trần', 'Lê', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const TAY_SURNAMES = ['Nông', 'Hoàng', 'Lương', 'Hà', 'Lục', 'Triệu', 'Ma', 'Bế', 'Đàm', 'Lành'];
const NUNG_SURNAMES = ['Lý', 'Vi', 'Lục', 'Hoàng', 'Nông', 'Chu', 'Mã', 'Lâm', 'Sầm', 'Hứa', 'Lăng'];
const KINH_MIDDLE: Record<Sex, readonly string[]> = {
  male: ['Văn', 'Văn', 'Văn', 'Đức', 'Minh', 'Quốc', 'Hữu', 'Thanh', 'Công'],
  female: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thanh', 'Kim', 'Thu', 'Mỹ'],
};
const KINH_GIVEN: Record<Sex, readonly string[]> = {
  male: ['An', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hải', 'Hiếu', 'Hòa', 'Hùng', 'Huy', 'Khánh', 'Khoa', 'Lâm', 'Long', 'Lộc', 'Nam', 'Nghĩa', 'Phát', 'Phong', 'Phúc', 'Quang', 'Sang', 'Sơn', 'Tài', 'Thắng', 'Thành', 'Tiến', 'Toàn', 'Trung', 'Tuấn', 'Việt', 'Vinh'],
  female: ['Anh', 'Bích', 'Châu', 'Diễm', 'Dung', 'Duyên', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hiền', 'Hoa', 'Hồng', 'Hương', 'Huyền', 'Lan', 'Liên', 'Linh', 'Loan', 'Mai', 'My', 'Nga', 'Ngân', 'Nhung', 'Oanh', 'Phương', 'Quyên', 'Thảo', 'Thủy', 'Trang', 'Tuyết', 'Vân', 'Yến'],
};
const TAY_NUNG_GIVEN: Record<Sex, readonly string[]> = {
  male: ['Dền', 'Pảo', 'Sình', 'Lìn', 'Quân', 'Chiến', 'Lợi', 'Khải', 'Tường', 'Mạnh', 'Hùng', 'Thắng', 'Páo', 'Slấn', 'Tiến', 'Đoàn'],
  female: ['Slao', 'Pằn', 'Nhì', 'Lìu', 'Mây', 'Hoa', 'Mai', 'Lả', 'Nương', 'Kim', 'Thoa', 'Hỏn', 'Dua', 'Phấn'],
};
const STIENG_GIVEN: Record<Sex, readonly string[]> = {
  male: ['Brah', 'Kiên', 'Lên', 'Xiêm', 'Khâm', 'Rinh', 'Bróc', 'Mích', 'Lơ', 'Kré', 'Ưng', 'Dụng', 'Krưng', 'Bình', 'Lêm', 'Sa Rưm', 'Tôn', 'Đék'],
  female: ['Brông', 'Lem', 'Nhung', 'Rơi', 'Mai', 'Bình', 'Nươl', 'Hạnh', 'Kim', 'Xuyên', 'Klin', 'Rớt', 'Bé', 'Lành', 'Ngơn', 'Thía'],
};

function surnameOf(rng: Rng, eth: Ethnicity): string {
  if (eth === 'Tày') return pick(rng, TAY_SURNAMES);
  if (eth === 'Nùng') return pick(rng, NUNG_SURNAMES);
  return pick(rng, KINH_SURNAMES);
}

/** A full name in the style of the group; `surname` keeps a family's name for the children. */
function personName(rng: Rng, eth: Ethnicity, sex: Sex, surname?: string): string {
  if (eth === "S'tiêng") {
    const given = pick(rng, STIENG_GIVEN[sex]);
    if (sex === 'male') return `Điểu ${given}`;
    return rng() < 0.6 ? `Thị ${given}` : `Điểu Thị ${given}`;
  }
  const family = surname ?? surnameOf(rng, eth);
  if (eth === 'Kinh') return `${family} ${pick(rng, KINH_MIDDLE[sex])} ${pick(rng, KINH_GIVEN[sex])}`;
  const given = rng() < 0.6 ? pick(rng, TAY_NUNG_GIVEN[sex]) : pick(rng, KINH_GIVEN[sex]);
  return `${family} ${sex === 'male' ? 'Văn' : 'Thị'} ${given}`;
}

// ---------------------------------------------------------------------------------------------
// Villages' make-up

interface Profile {
  households: number;
  /** Exact numbers of households per group, or weights when `exact` is false. */
  mix: Partial<Record<Ethnicity, number>>;
  exact: boolean;
  /** Share of adults with no 3G/4G at home. */
  coverageGap: number;
  visitShare: number;
}

const BORDER_COMMUNES_BEFORE_2025 = ['25310', '25312', '25315'];

function profileOf(v: DemoVillage, stiengCode: string | null, oldCode: string | undefined, rng: Rng): Profile {
  // 60–140 households, most villages nearer 60 (the first start stays fast).
  const households = 60 + Math.floor(rng() ** 3 * 81);
  if (v.code === THUY_DONG_CODE)
    return { households: THUY_DONG_HOUSEHOLDS, mix: { Kinh: 190, Tày: 22, Nùng: 18, "S'tiêng": 6 }, exact: true, coverageGap: 0.12, visitShare: 0.5 };
  if (v.code === stiengCode) return { households, mix: { "S'tiêng": 78, Kinh: 17, Nùng: 5 }, exact: false, coverageGap: 0.45, visitShare: 0.45 };
  if (v.type === 'khu_pho') return { households, mix: { Kinh: 92, Tày: 3, Nùng: 3, "S'tiêng": 2 }, exact: false, coverageGap: 0.02, visitShare: 0.3 };
  const border = oldCode !== undefined && BORDER_COMMUNES_BEFORE_2025.includes(oldCode.slice(0, 5));
  if (/^Ấp (Bù|Sóc)/u.test(v.name)) return { households, mix: { Kinh: 52, "S'tiêng": 36, Tày: 6, Nùng: 6 }, exact: false, coverageGap: 0.35, visitShare: 0.4 };
  return { households, mix: { Kinh: 80, Tày: 7, Nùng: 6, "S'tiêng": 7 }, exact: false, coverageGap: border ? 0.25 : 0.06, visitShare: 0.35 };
}

/** Each household's group: exact counts shuffled, or drawn by weight. */
function householdGroups(p: Profile, rng: Rng): Ethnicity[] {
  const entries = Object.entries(p.mix) as [Ethnicity, number][];
  if (p.exact) {
    const list = entries.flatMap(([e, n]) => Array.from({ length: n }, () => e));
    if (list.length !== p.households) throw new Error('exact mix must add up to the household count');
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j] as Ethnicity, list[i] as Ethnicity];
    }
    return list;
  }
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return Array.from({ length: p.households }, () => {
    let r = rng() * total;
    for (const [e, w] of entries) if ((r -= w) < 0) return e;
    return 'Kinh';
  });
}

// ---------------------------------------------------------------------------------------------
// People

interface Person {
  id: string;
  fields: ResidentFields;
  age: number;
}

const PHONE_PREFIXES = ['086', '096', '097', '098', '032', '033', '034', '035', '036', '037', '038', '039', '088', '091', '094', '083', '084', '085', '089', '090', '093', '070', '076', '077', '078', '079'];
const MIGRANT_PROVINCES: Record<Ethnicity, readonly string[]> = {
  Kinh: ['038', '040', '034', '036', '042', '052'],
  Tày: ['004', '020', '006'],
  Nùng: ['020', '004', '024'],
  "S'tiêng": ['070'],
};

/**
 * Unique numbers across the whole demo. A number already taken is drawn again from the book's
 * own PRNG, so a collision never shifts a village's random stream (each village's data stays
 * independent of the others).
 */
class NumberBook {
  readonly #used = new Set<string>();
  readonly #retry: Rng;
  constructor(seed: number) {
    this.#retry = mulberry32(seed ^ 0x5bd1e995);
  }
  phone(rng: Rng): string {
    let source = rng;
    for (;;) {
      const n = `${pick(source, PHONE_PREFIXES)}${1 + Math.floor(source() * 9)}${String(Math.floor(source() * 1_000_000)).padStart(6, '0')}`;
      if (!this.#used.has(n)) return this.#take(n);
      source = this.#retry;
    }
  }
  /** `PPP S YY NNNNNN`: province, century-and-sex, year, serial (which never starts with 0 here). */
  cccd(rng: Rng, province: string, birthYear: number, sex: Sex): string {
    let source = rng;
    for (;;) {
      const n = `${province}${centuryDigit(birthYear, sex)}${String(birthYear % 100).padStart(2, '0')}${1 + Math.floor(source() * 9)}${String(Math.floor(source() * 100_000)).padStart(5, '0')}`;
      if (!this.#used.has(n)) return this.#take(n);
      source = this.#retry;
    }
  }
  #take(n: string): string {
    this.#used.add(n);
    return n;
  }
}

function uuidFrom(ms: number, rng: Rng): string {
  // UUIDv7 (as the phones make them) with the random bits from the seeded PRNG.
  const b = new Uint8Array(16);
  let t = Math.max(0, Math.floor(ms));
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  for (let i = 6; i < 16; i++) b[i] = Math.floor(rng() * 256);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Readiness of an adult, lower for minority groups, older people and villages without coverage. */
function readinessOf(rng: Rng, eth: Ethnicity, age: number, coverageGap: number): Readiness {
  if (rng() < 0.06) return { ...EMPTY_READINESS }; // not asked yet
  const minority = eth !== 'Kinh';
  const base = eth === 'Kinh' ? 0.8 : eth === "S'tiêng" ? 0.46 : 0.6;
  const ageFactor = age < 30 ? 1.12 : age < 50 ? 1 : age < 60 ? 0.72 : 0.32;
  const smartphone = rng() < Math.min(0.96, base * ageFactor);
  const anyPhone = smartphone || rng() < 0.55;
  let simOwnership: Readiness['simOwnership'] = 'unknown';
  if (anyPhone && rng() < 0.82) simOwnership = rng() < (minority ? 0.33 : 0.19) ? 'mismatched' : 'matched';
  const coverageAtHome = rng() >= coverageGap;
  let vneidLevel: 0 | 1 | 2 = 0;
  const r = rng();
  if (smartphone) vneidLevel = r < (minority ? 0.48 : 0.62) ? 2 : r < 0.8 ? 1 : 0;
  else vneidLevel = r < 0.1 ? 2 : 0;
  const publicServiceAccount = vneidLevel === 2 ? rng() < (minority ? 0.45 : 0.6) : rng() < 0.02;
  const walletOrBank = smartphone ? rng() < (minority ? 0.4 : 0.55) : rng() < 0.05;
  const appliedAlone = publicServiceAccount && smartphone ? rng() < (minority ? 0.2 : 0.35) : false;
  return { smartphone, simOwnership, coverageAtHome, vneidLevel, publicServiceAccount, walletOrBank, appliedAlone };
}

function birthDateOf(rng: Rng, year: number): string {
  const m = 1 + Math.floor(rng() * 12);
  const d = 1 + Math.floor(rng() * 28);
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

interface HouseholdPlan {
  id: string;
  fields: HouseholdFields;
  eth: Ethnicity;
  people: Person[];
  createdBy: number;
  createdAt: Date;
}

function makeHousehold(rng: Rng, book: NumberBook, v: DemoVillage, eth: Ethnicity, index: number, total: number, year: number, createdAt: Date, createdBy: number, coverageGap: number): HouseholdPlan {
  const id = uuidFrom(createdAt.getTime(), rng);
  const sizeRoll = rng();
  // About 3.5 people per household (S'tiêng households larger), as in the 2019 census.
  const size = eth === "S'tiêng" ? (sizeRoll < 0.1 ? 2 : sizeRoll < 0.3 ? 3 : sizeRoll < 0.6 ? 4 : sizeRoll < 0.84 ? 5 : 6) : sizeRoll < 0.2 ? 2 : sizeRoll < 0.52 ? 3 : sizeRoll < 0.8 ? 4 : sizeRoll < 0.93 ? 5 : 6;
  const headSex: Sex = rng() < 0.84 ? 'male' : 'female';
  const headAge = 24 + Math.floor(rng() * 50);
  const surname = eth === "S'tiêng" ? undefined : surnameOf(rng, eth);
  type Draft = { name: string; sex: Sex; birthYear: number; relation: string; eth: Ethnicity };
  const drafts: Draft[] = [{ name: personName(rng, eth, headSex, surname), sex: headSex, birthYear: year - headAge, relation: 'Chủ hộ', eth }];
  const withSpouse = rng() < (size === 2 ? 0.7 : 0.9);
  if (withSpouse) {
    const sex: Sex = headSex === 'male' ? 'female' : 'male';
    const spouseEth: Ethnicity = rng() < 0.93 ? eth : 'Kinh';
    const gap = Math.floor(rng() * 7) - (sex === 'female' ? 1 : 4);
    const spouseAge = Math.max(20, headAge - gap);
    drafts.push({ name: personName(rng, spouseEth, sex), sex, birthYear: year - spouseAge, relation: sex === 'female' ? 'Vợ' : 'Chồng', eth: spouseEth });
  }
  if (drafts.length < size && headAge <= 58 && rng() < 0.28) {
    const sex: Sex = rng() < 0.65 ? 'female' : 'male';
    const age = Math.min(92, headAge + 22 + Math.floor(rng() * 10));
    drafts.push({ name: personName(rng, eth, sex, sex === 'male' ? surname : undefined), sex, birthYear: year - age, relation: sex === 'female' ? 'Mẹ' : 'Cha', eth });
  }
  const motherAge = withSpouse && headSex === 'male' ? (drafts[1]?.birthYear !== undefined ? year - drafts[1].birthYear : headAge) : headAge;
  let lastChildAge = Math.min(motherAge - 19, 32);
  while (drafts.length < size && lastChildAge >= 0) {
    const childAge = Math.max(0, lastChildAge - Math.floor(rng() * 5));
    if (motherAge - childAge > 44) {
      lastChildAge = childAge - 1;
      continue;
    }
    const sex: Sex = rng() < 0.51 ? 'male' : 'female';
    drafts.push({ name: personName(rng, eth, sex, surname), sex, birthYear: year - childAge, relation: 'Con', eth });
    lastChildAge = childAge - 1 - Math.floor(rng() * 3);
  }
  if (drafts.length < 2) {
    // A young couple's household still has two people: a younger sibling of the head.
    const sex: Sex = rng() < 0.5 ? 'male' : 'female';
    drafts.push({ name: personName(rng, eth, sex, surname), sex, birthYear: year - Math.max(16, headAge - 4), relation: sex === 'male' ? 'Em trai' : 'Em gái', eth });
  }
  const people: Person[] = drafts.map((d) => {
    const age = year - d.birthYear;
    const adult = isAdult(d.birthYear, year);
    const minority = d.eth !== 'Kinh';
    const hasId = adult ? rng() < (d.eth === "S'tiêng" ? (age >= 60 ? 0.5 : 0.78) : minority ? 0.86 : 0.93) : age >= 14 && rng() < 0.45;
    const province = age >= 30 && rng() < (d.eth === 'Tày' || d.eth === 'Nùng' ? 0.55 : d.eth === 'Kinh' ? 0.15 : 0) ? pick(rng, MIGRANT_PROVINCES[d.eth]) : '070';
    const readiness = adult ? readinessOf(rng, d.eth, age, coverageGap) : { ...EMPTY_READINESS };
    const phones: string[] = [];
    if (adult && (readiness.smartphone === true || readiness.simOwnership !== 'unknown' || rng() < 0.3)) phones.push(book.phone(rng));
    else if (!adult && age >= 15 && rng() < 0.3) phones.push(book.phone(rng));
    if (phones.length && adult && rng() < 0.06) phones.push(book.phone(rng));
    const birthDate = rng() < (hasId ? 0.6 : 0.2) ? birthDateOf(rng, d.birthYear) : null;
    const fields: ResidentFields = {
      householdId: id,
      fullName: d.name,
      birthYear: d.birthYear,
      birthDate,
      sex: d.sex,
      ethnicity: d.eth,
      idNumber: hasId ? book.cccd(rng, province, d.birthYear, d.sex) : null,
      phones,
      relation: d.relation,
      ...readiness,
    };
    return { id: uuidFrom(createdAt.getTime(), rng), fields, age };
  });
  const hamlet = 1 + Math.floor((index * Math.max(1, Math.ceil(total / 40))) / total);
  const NOTES = ['Nhà cuối đường đất, mùa mưa khó vào.', 'Hay đi rẫy ban ngày, nên ghé buổi tối.', 'Gia đình chính sách.', 'Hộ cận nghèo.', 'Con đi làm ở Bình Dương.', 'Có chó dữ, gọi trước khi vào.'];
  return {
    id,
    eth,
    people,
    createdBy,
    createdAt,
    fields: {
      villageCode: v.code,
      headName: drafts[0]?.name ?? 'Chủ hộ',
      address: `Tổ ${hamlet}, ${v.name}`,
      note: rng() < 0.12 ? pick(rng, NOTES) : '',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Visits, blockers, follow-ups

interface VisitPlan {
  id: string;
  householdId: string;
  residentId: string | null;
  memberId: number;
  actions: VisitAction[];
  notes: string;
  occurredAt: Date;
  receivedAt: Date;
}
interface BlockerPlan {
  clientId: string;
  householdId: string;
  residentId: string;
  fullName: string;
  kind: BlockerReason;
  note: string;
  createdAt: Date;
  createdBy: number;
  resolved: { at: Date; by: number; how: string } | null;
}
interface FollowUpPlan {
  id: string;
  householdId: string;
  residentId: string | null;
  blockerClientId: string | null;
  assigneeId: number;
  createdBy: number;
  dueDate: string;
  note: string;
  createdAt: Date;
  done: { at: Date; by: number; note: string } | null;
}

const ACTION_NOTES: Partial<Record<VisitAction, string>> = {
  installed_vneid: 'Cài VNeID, đăng ký tài khoản mức 1.',
  activated_vneid_level2: 'Hướng dẫn kích hoạt tài khoản định danh mức 2.',
  opened_public_service_account: 'Tạo tài khoản Cổng dịch vụ công bằng VNeID.',
  installed_ewallet: 'Cài ví điện tử, liên kết tài khoản ngân hàng.',
  opened_bank_account: 'Mở tài khoản ngân hàng trên ứng dụng (eKYC).',
  paid_bill_online: 'Hướng dẫn thanh toán tiền điện trực tuyến.',
  submitted_application: 'Hỗ trợ nộp hồ sơ trực tuyến, hẹn tra cứu kết quả.',
  explained_online_services: 'Giới thiệu dịch vụ công trực tuyến, phát phiếu hướng dẫn.',
};
const BLOCKER_NOTES: Record<BlockerReason, readonly string[]> = {
  sim_not_owner: ['SIM mua ở tiệm, đứng tên người bán.', 'Thuê bao đứng tên con, tra cứu 1414 không khớp.', 'Tra cứu TTTB không khớp thông tin căn cước.'],
  no_smartphone: ['Chỉ có điện thoại phím bấm.', 'Cả nhà dùng chung một điện thoại của con.', 'Điện thoại hỏng, chưa có tiền mua.'],
  no_coverage: ['Nhà trong rẫy, không có sóng 3G/4G.', 'Phải ra đầu ấp mới có sóng.'],
  no_id_card: ['Chưa làm thẻ căn cước.', 'Mất thẻ căn cước cũ, chưa làm lại.'],
  language: ['Nói tiếng Việt chưa thạo, cần người nhà phiên dịch.', 'Không đọc được chữ, cần hướng dẫn bằng tiếng dân tộc.'],
  other: ['Chưa muốn dùng dịch vụ trực tuyến.'],
};
const RESOLUTIONS: Record<BlockerReason, readonly string[]> = {
  sim_not_owner: ['Đã ra cửa hàng nhà mạng chuẩn hóa thuê bao chính chủ.', 'Đã chuẩn hóa thông tin thuê bao, tra cứu 1414 khớp.'],
  no_smartphone: ['Con cháu cho lại điện thoại thông minh cũ.', 'Gia đình đã mua điện thoại thông minh.'],
  no_coverage: ['Hướng dẫn thao tác tại nhà văn hóa ấp (có sóng).', 'Đã lắp wifi tại nhà.'],
  no_id_card: ['Đã làm thẻ căn cước tại Công an xã.'],
  language: ['Con trai phiên dịch, đã hướng dẫn xong.', 'Đi cùng cán bộ biết tiếng dân tộc, đã hướng dẫn.'],
  other: ['Đã đồng ý dùng thử.'],
};
const FOLLOW_UP_NOTES: Record<BlockerReason, string> = {
  sim_not_owner: 'Nhắc ra cửa hàng nhà mạng chuẩn hóa SIM chính chủ.',
  no_smartphone: 'Hỏi lại khi gia đình có điện thoại thông minh.',
  no_coverage: 'Hẹn hướng dẫn ở nhà văn hóa ấp (có sóng).',
  no_id_card: 'Hẹn đưa đi làm căn cước ở Công an xã.',
  language: 'Quay lại cùng người phiên dịch.',
  other: 'Quay lại hỏi thăm.',
};

const DAY = 86_400_000;
/** The calendar date in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
const localDate = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

/** A moment `daysAgo` days before now at a local hour when members go round (7:00–19:59). */
function fieldTime(rng: Rng, now: Date, daysAgo: number): Date {
  const day = new Date(`${localDate(new Date(now.getTime() - daysAgo * DAY))}T00:00:00+07:00`).getTime();
  const t = new Date(day + (7 * 60 + Math.floor(rng() * 13 * 60)) * 60_000);
  return t.getTime() < now.getTime() - 30 * 60_000 ? t : new Date(now.getTime() - (30 + Math.floor(rng() * 120)) * 60_000);
}

function visitActions(rng: Rng, r: Readiness): VisitAction[] {
  const out: VisitAction[] = [];
  if (r.simOwnership === 'mismatched' || (r.simOwnership === 'matched' && rng() < 0.35)) out.push('checked_sim_owner');
  if (r.smartphone === true) {
    if (r.vneidLevel === 2 && rng() < 0.45) out.push('activated_vneid_level2');
    else if (r.vneidLevel !== null && r.vneidLevel >= 1 && rng() < 0.35) out.push('installed_vneid');
    if (r.publicServiceAccount === true && rng() < 0.4) out.push('opened_public_service_account');
    if (r.walletOrBank === true && rng() < 0.3) out.push(rng() < 0.6 ? 'installed_ewallet' : 'opened_bank_account');
    if (r.walletOrBank === true && rng() < 0.12) out.push('paid_bill_online');
    if (r.publicServiceAccount === true && rng() < 0.18) out.push('submitted_application');
  }
  if (out.length === 0 || rng() < 0.25) out.push('explained_online_services');
  return out;
}

interface VillageRecords {
  households: HouseholdPlan[];
  visits: VisitPlan[];
  blockers: BlockerPlan[];
  followUps: FollowUpPlan[];
}

function villageRecords(rng: Rng, book: NumberBook, v: DemoVillage, profile: Profile, memberIds: readonly number[], now: Date): VillageRecords {
  const year = Number(localDate(now).slice(0, 4));
  const groups = householdGroups(profile, rng);
  const member = () => pick(rng, memberIds);
  const households = groups.map((eth, i) =>
    makeHousehold(rng, book, v, eth, i, groups.length, year, new Date(now.getTime() - (70 + Math.floor(rng() * 20)) * DAY - Math.floor(rng() * 36_000_000)), member(), profile.coverageGap),
  );
  const visits: VisitPlan[] = [];
  const blockers: BlockerPlan[] = [];
  const followUps: FollowUpPlan[] = [];
  for (const h of households) {
    if (rng() >= profile.visitShare) continue;
    const adults = h.people.filter((p) => isAdult(p.fields.birthYear, year) && p.fields.smartphone !== null);
    const n = 1 + Math.floor(rng() * rng() * 3);
    const days = Array.from({ length: n }, () => Math.floor(rng() * 56)).sort((a, b) => b - a);
    for (const daysAgo of days) {
      const p = adults.length && rng() < 0.88 ? pick(rng, adults) : null;
      const occurredAt = fieldTime(rng, now, daysAgo);
      const delay = rng() < 0.55 ? Math.floor(rng() * 20) * 60_000 : Math.floor(rng() * 3 * DAY);
      const receivedAt = new Date(Math.min(occurredAt.getTime() + delay, now.getTime() - 60_000));
      const memberId = member();
      const actions = p ? visitActions(rng, p.fields) : (['explained_online_services'] as VisitAction[]);
      const notes = rng() < 0.55 ? actions.map((a) => ACTION_NOTES[a] ?? '').filter(Boolean).slice(0, 2).join(' ') : '';
      visits.push({ id: uuidFrom(occurredAt.getTime(), rng), householdId: h.id, residentId: p?.id ?? null, memberId, actions, notes, occurredAt, receivedAt });
      if (!p) continue;
      for (const b of blockersFor(rng, p, h.eth)) {
        if (blockers.some((x) => x.residentId === p.id && x.kind === b.kind)) continue;
        const resolvedAt = new Date(occurredAt.getTime() + (1 + Math.floor(rng() * 14)) * DAY + Math.floor(rng() * 8) * 3_600_000);
        // A resolution that would fall after the demo's clock has not happened yet: the blocker stays open.
        const resolved = b.resolved && resolvedAt.getTime() < now.getTime() - 3_600_000 ? { at: resolvedAt, by: member(), how: pick(rng, RESOLUTIONS[b.kind]) } : null;
        if (resolved) applyFix(rng, book, p, b.kind);
        const blocker: BlockerPlan = { clientId: uuidFrom(occurredAt.getTime(), rng), householdId: h.id, residentId: p.id, fullName: p.fields.fullName, kind: b.kind, note: pick(rng, BLOCKER_NOTES[b.kind]), createdAt: occurredAt, createdBy: memberId, resolved };
        blockers.push(blocker);
        if (rng() < (resolved ? 0.45 : 0.6)) {
          const due = new Date(occurredAt.getTime() + (5 + Math.floor(rng() * 40)) * DAY);
          followUps.push({
            id: uuidFrom(occurredAt.getTime() + 1000, rng),
            householdId: h.id,
            residentId: p.id,
            blockerClientId: blocker.clientId,
            assigneeId: member(),
            createdBy: memberId,
            dueDate: localDate(due),
            note: FOLLOW_UP_NOTES[b.kind],
            createdAt: occurredAt,
            done: resolved ? { at: resolved.at, by: resolved.by, note: resolved.how } : null,
          });
        }
      }
      if (p.fields.publicServiceAccount === false && p.fields.smartphone === true && rng() < 0.15) {
        const due = new Date(occurredAt.getTime() + (3 + Math.floor(rng() * 25)) * DAY);
        followUps.push({ id: uuidFrom(occurredAt.getTime() + 2000, rng), householdId: h.id, residentId: p.id, blockerClientId: null, assigneeId: member(), createdBy: memberId, dueDate: localDate(due), note: 'Quay lại hướng dẫn tạo tài khoản dịch vụ công.', createdAt: occurredAt, done: null });
      }
    }
  }
  return { households, visits, blockers, followUps };
}

/**
 * What stands in the way for this adult, from the gaps in the checklist. Some are marked for
 * resolution; when the resolution falls before the demo's clock (about three in ten in the end)
 * the caller applies it to the checklist (`applyFix`: the SIM now in the person's name, a
 * smartphone, an ID card), otherwise the blocker stays open.
 */
function blockersFor(rng: Rng, p: Person, eth: Ethnicity): { kind: BlockerReason; resolved: boolean }[] {
  const f = p.fields;
  const out: { kind: BlockerReason; resolved: boolean }[] = [];
  if (f.simOwnership === 'mismatched' && rng() < 0.7) out.push({ kind: 'sim_not_owner', resolved: rng() < 0.42 });
  if (f.smartphone === false && rng() < 0.45) out.push({ kind: 'no_smartphone', resolved: rng() < 0.34 });
  if (f.coverageAtHome === false && rng() < 0.4) out.push({ kind: 'no_coverage', resolved: rng() < 0.38 });
  if (f.idNumber === null && rng() < 0.6) out.push({ kind: 'no_id_card', resolved: rng() < 0.38 });
  if (eth !== 'Kinh' && p.age >= 45 && (f.smartphone === false || f.vneidLevel === 0) && rng() < 0.35) out.push({ kind: 'language', resolved: rng() < 0.42 });
  return out;
}

/** The checklist after a resolved blocker. */
function applyFix(rng: Rng, book: NumberBook, p: Person, kind: BlockerReason): void {
  const f = p.fields;
  if (kind === 'sim_not_owner') f.simOwnership = 'matched';
  if (kind === 'no_smartphone') f.smartphone = true;
  if (kind === 'no_id_card' && f.birthYear !== null && f.sex !== null) f.idNumber = book.cccd(rng, '070', f.birthYear, f.sex);
}

// ---------------------------------------------------------------------------------------------
// Seeding

export const DEFAULT_SEED = 20_221_001;
const BATCH = 800;

async function insertBatches<T>(rows: readonly T[], size: number, insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export async function seedDemoTeams(ctx: AppContext, opts: DemoTeamsOptions): Promise<DemoTeamsResult> {
  const started = Date.now();
  const seed = opts.seed ?? DEFAULT_SEED;
  const now = ctx.now();
  const villages = await demoVillages(ctx.db.kysely);
  if (villages.length === 0) throw new Error('no villages of the demo communes: seed the reference data first');
  const stiengRow = await ctx.db.kysely
    .selectFrom('unit_replacements as r')
    .innerJoin('units as o', 'o.id', 'r.old_unit_id')
    .innerJoin('units as n', 'n.id', 'r.new_unit_id')
    .select(['n.code as code'])
    .where('o.code', '=', STIENG_VILLAGE_OLD_CODE)
    .executeTakeFirst();
  // The 2022 code of each village tells which former commune (border or not) it comes from.
  const replaced = await ctx.db.kysely
    .selectFrom('unit_replacements as r')
    .innerJoin('units as o', 'o.id', 'r.old_unit_id')
    .select(['r.new_unit_id', 'o.code'])
    .where('r.new_unit_id', 'in', villages.map((v) => v.id))
    .execute();
  const oldCodes = new Map(replaced.map((r) => [r.new_unit_id, r.code]));
  const plannedMembers = planTeamMembers(villages, seed);
  const passwordHash = await hashPassword(opts.password);

  const result = await ctx.db.transaction(async (trx) => {
    // Teams and their members.
    const teamCreated = new Date(now.getTime() - 120 * DAY);
    await trx
      .insertInto('teams')
      .values(villages.map((v) => ({ unit_id: v.id, name: `Tổ công nghệ số cộng đồng ${inSentence(v.name)}`, created_at: teamCreated })))
      .execute();
    const memberRows = villages.flatMap((v) => (plannedMembers.get(v.code) ?? []).map((m) => ({ ...m, unitId: v.id, villageCode: v.code })));
    const users = await trx
      .insertInto('users')
      // Fictional mobiles (0977 9xx xxx), so the evening reminders of follow-ups show at /office/dev/sms.
      .values(
        memberRows.map((m, i) => {
          const phone = `09779${String(i).padStart(5, '0')}`;
          return { username: m.username, display_name: m.displayName, password_hash: passwordHash, phone_sealed: ctx.vault.seal({ phone }), phone_hash: ctx.vault.lookupHash('phone', phone) };
        }),
      )
      .returning(['id', 'username'])
      .execute();
    const userId = new Map(users.map((u) => [u.username, u.id]));
    const idOf = (username: string) => {
      const id = userId.get(username);
      if (id === undefined) throw new Error(`demo member ${username} not inserted`);
      return id;
    };
    await trx
      .insertInto('user_roles')
      .values(memberRows.map((m) => ({ user_id: idOf(m.username), role: 'member' as const, unit_id: m.unitId })))
      .execute();

    // Registers, built in memory first (deterministic), then written in batches.
    const book = new NumberBook(seed);
    const householdRows: ReturnType<typeof householdInsert>[] = [];
    const residentRows: ReturnType<typeof residentInsert>[] = [];
    const visitRows: Insertable<VisitsTable>[] = [];
    const blockerRows: Insertable<BlockersTable>[] = [];
    const followUps: { unitId: number; plan: FollowUpPlan }[] = [];
    const changes: { unitId: number; entity: ChangeEntity; entityId: string | number }[] = [];
    const visitChanges: typeof changes = [];
    const blockerUnit = new Map<string, number>();
    for (const v of villages) {
      const rng = mulberry32(hashSeed(`register:${v.code}`, seed));
      const profile = profileOf(v, stiengRow?.code ?? null, oldCodes.get(v.id), rng);
      const memberIds = (plannedMembers.get(v.code) ?? []).map((m) => idOf(m.username));
      const rec = villageRecords(rng, book, v, profile, memberIds, now);
      for (const h of rec.households) {
        const meta = { at: h.createdAt, receivedAt: h.createdAt, createdBy: h.createdBy, envelopeId: null, deviceId: null };
        householdRows.push(householdInsert(h.id, v.id, h.fields, meta));
        changes.push({ unitId: v.id, entity: 'household', entityId: h.id });
        for (const p of h.people) residentRows.push(residentInsert(ctx.vault, p.id, v.id, p.fields, meta));
      }
      for (const h of rec.households) for (const p of h.people) changes.push({ unitId: v.id, entity: 'resident', entityId: p.id });
      for (const x of rec.visits) {
        visitRows.push({ id: x.id, unit_id: v.id, household_id: x.householdId, resident_id: x.residentId, member_id: x.memberId, actions: x.actions, notes: x.notes, photo_sha256: null, occurred_at: x.occurredAt, received_at: x.receivedAt });
        visitChanges.push({ unitId: v.id, entity: 'visit', entityId: x.id });
      }
      for (const b of rec.blockers) {
        blockerUnit.set(b.clientId, v.id);
        blockerRows.push({
          client_id: b.clientId,
          id_hash: null,
          phone_hash: null,
          person_sealed: ctx.vault.seal({ fullName: b.fullName }),
          kind: b.kind,
          source: 'field',
          status: b.resolved ? 'resolved' : 'open',
          note: b.note,
          register: null,
          unit_id: v.id,
          household_id: b.householdId,
          resident_id: b.residentId,
          created_by: b.createdBy,
          created_at: b.createdAt,
          last_seen_at: b.createdAt,
          resolved_at: b.resolved?.at ?? null,
          resolved_by: b.resolved?.by ?? null,
          resolution: b.resolved?.how ?? null,
        });
      }
      for (const f of rec.followUps) followUps.push({ unitId: v.id, plan: f });
    }

    await insertBatches(householdRows, BATCH, (b) => trx.insertInto('households').values(b).execute());
    await insertBatches(residentRows, 500, (b) => trx.insertInto('residents').values(b).execute());
    await insertBatches(visitRows, BATCH, (b) => trx.insertInto('visits').values(b).execute());
    const blockerIds = new Map<string, number>();
    await insertBatches(blockerRows, BATCH, async (b) => {
      for (const r of await trx.insertInto('blockers').values(b).returning(['id', 'client_id']).execute()) if (r.client_id) blockerIds.set(r.client_id, Number(r.id));
    });
    const blockerChanges = blockerRows.map((b) => {
      const id = blockerIds.get(b.client_id ?? '');
      if (id === undefined) throw new Error('blocker id missing after insert');
      return { unitId: blockerUnit.get(b.client_id ?? '') ?? 0, entity: 'blocker' as const, entityId: id };
    });
    const followUpRows: Insertable<FollowUpsTable>[] = followUps.map(({ unitId, plan: f }) => ({
      id: f.id,
      unit_id: unitId,
      household_id: f.householdId,
      resident_id: f.residentId,
      blocker_id: f.blockerClientId ? (blockerIds.get(f.blockerClientId) ?? null) : null,
      assignee_id: f.assigneeId,
      created_by: f.createdBy,
      due_date: f.dueDate,
      note: f.note,
      created_at: f.createdAt,
      done_at: f.done?.at ?? null,
      done_by: f.done?.by ?? null,
      done_note: f.done?.note ?? null,
    }));
    await insertBatches(followUpRows, BATCH, (b) => trx.insertInto('follow_ups').values(b).execute());
    await recordChanges(trx, [...changes, ...visitChanges, ...blockerChanges, ...followUps.map((f) => ({ unitId: f.unitId, entity: 'follow_up' as const, entityId: f.plan.id }))]);
    return {
      teams: villages.length,
      members: memberRows.map((m) => m.username),
      households: householdRows.length,
      residents: residentRows.length,
      visits: visitRows.length,
      blockers: blockerRows.length,
      followUps: followUpRows.length,
    };
  });
  const ms = Date.now() - started;
  ctx.log.info({ ...result, members: result.members.length, ms }, 'demo teams seeded');
  return { ...result, ms };
}
