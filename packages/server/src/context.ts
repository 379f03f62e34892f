/** What every service needs, built once in main.ts and handed down. Tests build their own. */
import type pino from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { CalendarService } from './modules/calendar/service.ts';
import { Vault } from './security/vault.ts';
import { createAdapters, type Adapters } from './adapters/index.ts';

export interface AppContext {
  config: Config;
  db: Db;
  calendar: CalendarService;
  vault: Vault;
  /** Injected so tests never sleep and can stand at any moment. */
  now: () => Date;
  log: pino.Logger;
  /** SMS, telecom subscriber register, payment gateway: simulators unless configured. */
  adapters: Adapters;
}

export function createContext(config: Config, db: Db, log: pino.Logger, now: () => Date = () => new Date(), adapters?: Partial<Adapters>): AppContext {
  return { config, db, calendar: new CalendarService(db), vault: new Vault(config.dataKey), now, log, adapters: createAdapters(config, adapters, log) };
}
