import { basename } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openContext } from '../main.ts';
import { importDossiersCsv } from '../modules/dossiers/importCsv.ts';
import { parseOptions } from './args.ts';
import { progress } from './progress.ts';

export async function runImport(args: string[]): Promise<void> {
  const { positionals } = parseOptions(args, {}, z.object({}));
  const [what, file] = positionals;
  if (what !== 'dossiers' || !file) throw new Error('usage: causo import dossiers FILE.csv');
  const ctx = await openContext(loadConfig());
  try {
    await migrate(ctx.db);
    const bar = progress(`Nhập ${basename(file)}`);
    const r = await importDossiersCsv(ctx, file, { actorId: null, onProgress: (done, total) => bar.update(done, total) });
    bar.finish(r.imported, `imported ${r.imported} dossiers from ${file}`);
  } finally {
    await ctx.db.close();
  }
}
