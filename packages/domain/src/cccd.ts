/**
 * The 12-digit citizen identity number (số định danh cá nhân, printed on the CCCD card).
 * Its digits are not random: `PPP S YY NNNNNN` =
 *   PPP    code of the province where the birth was registered (Thông tư 07/2016/TT-BCA),
 *   S      century and sex together (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, …),
 *   YY     the last two digits of the birth year,
 *   NNNNNN a serial number.
 * So a number can be checked against the date of birth the person gives, which catches most
 * typing mistakes before anything is sent to the telecom register.
 */

/**
 * Province-of-birth codes as used on identity numbers: the 63 provinces before the 2025
 * merger (the GSO province code with a leading zero). Numbers keep their province code for
 * life, so the list does not change when provinces merge.
 */
export const CCCD_PROVINCES: Readonly<Record<string, string>> = {
  '001': 'Hà Nội',
  '002': 'Hà Giang',
  '004': 'Cao Bằng',
  '006': 'Bắc Kạn',
  '008': 'Tuyên Quang',
  '010': 'Lào Cai',
  '011': 'Điện Biên',
  '012': 'Lai Châu',
  '014': 'Sơn La',
  '015': 'Yên Bái',
  '017': 'Hòa Bình',
  '019': 'Thái Nguyên',
  '020': 'Lạng Sơn',
  '022': 'Quảng Ninh',
  '024': 'Bắc Giang',
  '025': 'Phú Thọ',
  '026': 'Vĩnh Phúc',
  '027': 'Bắc Ninh',
  '030': 'Hải Dương',
  '031': 'Hải Phòng',
  '033': 'Hưng Yên',
  '034': 'Thái Bình',
  '035': 'Hà Nam',
  '036': 'Nam Định',
  '037': 'Ninh Bình',
  '038': 'Thanh Hóa',
  '040': 'Nghệ An',
  '042': 'Hà Tĩnh',
  '044': 'Quảng Bình',
  '045': 'Quảng Trị',
  '046': 'Thừa Thiên Huế',
  '048': 'Đà Nẵng',
  '049': 'Quảng Nam',
  '051': 'Quảng Ngãi',
  '052': 'Bình Định',
  '054': 'Phú Yên',
  '056': 'Khánh Hòa',
  '058': 'Ninh Thuận',
  '060': 'Bình Thuận',
  '062': 'Kon Tum',
  '064': 'Gia Lai',
  '066': 'Đắk Lắk',
  '067': 'Đắk Nông',
  '068': 'Lâm Đồng',
  '070': 'Bình Phước',
  '072': 'Tây Ninh',
  '074': 'Bình Dương',
  '075': 'Đồng Nai',
  '077': 'Bà Rịa - Vũng Tàu',
  '079': 'Hồ Chí Minh',
  '080': 'Long An',
  '082': 'Tiền Giang',
  '083': 'Bến Tre',
  '084': 'Trà Vinh',
  '086': 'Vĩnh Long',
  '087': 'Đồng Tháp',
  '089': 'An Giang',
  '091': 'Kiên Giang',
  '092': 'Cần Thơ',
  '093': 'Hậu Giang',
  '094': 'Sóc Trăng',
  '095': 'Bạc Liêu',
  '096': 'Cà Mau',
};

/** Why a number was refused; pages map each to a message that says what to fix. */
export type CccdProblem =
  /** Not exactly 12 digits (spaces and dots are allowed while typing and removed). */
  | 'cccd.format'
  /** The first three digits are not a province code. */
  | 'cccd.province_unknown'
  /** The 4th digit names a different century from the date of birth. */
  | 'cccd.century_mismatch'
  /** Digits 5–6 are not the last two digits of the birth year. */
  | 'cccd.birth_year_mismatch';

export type Sex = 'male' | 'female';

export interface CccdParts {
  /** The 12 digits, without separators. */
  number: string;
  provinceCode: string;
  provinceName: string;
  sex: Sex;
  /** First year of the century the 4th digit names (1900, 2000, …). */
  century: number;
  /** Birth year as far as the number tells it. */
  birthYear: number;
}

export type CccdCheck = { ok: true; parts: CccdParts } | { ok: false; problems: CccdProblem[] };

/** Removes what people type between digit groups (spaces, dots, dashes). */
export function cleanCccd(input: string): string {
  return input.replace(/[\s.\-]/g, '');
}

/** The century/sex digit: even = male, odd = female; each pair is a century from 1900. */
export function centuryOf(digit: number): { century: number; sex: Sex } {
  return { century: 1900 + Math.floor(digit / 2) * 100, sex: digit % 2 === 0 ? 'male' : 'female' };
}

/** The digit a person born in `year` with `sex` has in 4th place (inverse of `centuryOf`). */
export function centuryDigit(year: number, sex: Sex): number {
  const pair = Math.floor((year - 1900) / 100);
  if (pair < 0 || pair > 4) throw new RangeError(`no century digit for the year ${year}`);
  return pair * 2 + (sex === 'female' ? 1 : 0);
}

/**
 * Checks a number, and its agreement with the date of birth when one is given
 * (`YYYY-MM-DD`). All problems found are returned, so a page can say everything at once.
 */
export function checkCccd(input: string, birthDate?: string): CccdCheck {
  const number = cleanCccd(input);
  if (!/^\d{12}$/.test(number)) return { ok: false, problems: ['cccd.format'] };
  const problems: CccdProblem[] = [];
  const provinceCode = number.slice(0, 3);
  const provinceName = CCCD_PROVINCES[provinceCode];
  if (!provinceName) problems.push('cccd.province_unknown');
  const { century, sex } = centuryOf(Number(number[3]));
  const yy = Number(number.slice(4, 6));
  const birthYear = century + yy;
  const given = birthDate ? Number(birthDate.slice(0, 4)) : NaN;
  if (Number.isInteger(given)) {
    if (Math.floor(given / 100) * 100 !== century) problems.push('cccd.century_mismatch');
    if (given % 100 !== yy) problems.push('cccd.birth_year_mismatch');
  }
  if (problems.length || !provinceName) return { ok: false, problems };
  return { ok: true, parts: { number, provinceCode, provinceName, sex, century, birthYear } };
}

/** Why a date of birth was refused. */
export type BirthDateProblem = 'birth_date.invalid' | 'birth_date.future' | 'birth_date.too_old';

/**
 * A real calendar date, not after `today`, and not before 1900 (identity numbers start in
 * the 1900s). Day, month and year as typed on three small fields.
 */
export function checkBirthDate(day: string, month: string, year: string, today: string): { ok: true; date: string } | { ok: false; problem: BirthDateProblem } {
  const [d, m, y] = [day, month, year].map((s) => s.trim());
  if (!d || !m || !y || !/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return { ok: false, problem: 'birth_date.invalid' };
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) return { ok: false, problem: 'birth_date.invalid' };
  if (date > today) return { ok: false, problem: 'birth_date.future' };
  if (date < '1900-01-01') return { ok: false, problem: 'birth_date.too_old' };
  return { ok: true, date };
}
