/** Reference data every installation starts with: units, sectors and procedures, the holiday calendar. */
import type { Db } from '../db/database.ts';
import { seedUnits, SEED_DIR } from '../modules/units/seed.ts';
import { seedProcedures } from '../modules/procedures/seed.ts';
import { seedCalendar } from '../modules/calendar/service.ts';

export async function hasReferenceData(db: Db): Promise<boolean> {
  const row = await db.kysely.selectFrom('units').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function seedReference(db: Db, dir = SEED_DIR): Promise<{ units: number; procedures: number; calendarDays: number }> {
  return db.transaction(async (trx) => {
    const { units } = await seedUnits(trx, dir);
    const procedures = await seedProcedures(trx, dir);
    const calendarDays = await seedCalendar(trx, dir);
    return { units, procedures, calendarDays };
  });
}
