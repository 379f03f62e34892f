/** Small factories for tests: a context with a clock the test controls, officers with roles. */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContext, type AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import { createOfficer, type OfficerRole } from '../../src/modules/auth/service.ts';
import type { Actor } from '../../src/modules/dossiers/service.ts';

export class TestClock {
  constructor(public current: Date = new Date('2022-08-15T09:00:00+07:00')) {}
  readonly now = (): Date => this.current;
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

export function testContext(db: Db, clock = new TestClock()): AppContext & { clock: TestClock } {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  return { ...createContext(config, db, pino({ level: 'silent' }), clock.now), clock };
}

export async function unitId(db: Db, code: string, date = '2022-08-15'): Promise<number> {
  const u = await db.kysely
    .selectFrom('units')
    .select('id')
    .where('code', '=', code)
    .where('valid_from', '<=', date)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', date)]))
    .executeTakeFirstOrThrow();
  return u.id;
}

let counter = 0;
export async function makeOfficer(db: Db, roles: { role: OfficerRole; unitCode: string; on?: string }[], password = 'correct horse battery'): Promise<Actor & { username: string; password: string }> {
  const username = `officer${++counter}_${Math.random().toString(36).slice(2, 7)}`;
  const resolved = await Promise.all(roles.map(async (r) => ({ role: r.role, unitId: await unitId(db, r.unitCode, r.on) })));
  const id = await db.transaction((trx) => createOfficer(trx, { username, displayName: username, password, roles: resolved }));
  return { officer: { id, username, displayName: username, roles: resolved }, ip: '127.0.0.1', username, password };
}

export const txid = (): string => randomUUID();
