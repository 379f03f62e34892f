/**
 * How column types come back from either engine: bigint counts as numbers (our counts stay far
 * below 2^53), `date` as the plain `YYYY-MM-DD` string (never a Date at some midnight),
 * numeric as numbers. Both PGlite and node-postgres get the same parsers.
 */
export const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

const toNumber = (v: string) => Number(v);
const asIs = (v: string) => v;

export const PG_PARSERS: Record<number, (value: string, typeId?: number) => unknown> = {
  [OID.int8]: toNumber,
  [OID.numeric]: toNumber,
  [OID.date]: asIs,
};
