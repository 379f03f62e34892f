/** Back-office dossier pages — being built; registered in web/pages.ts. */
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';

export function officeDossierPages(_app: ZodApp, _ctx: AppContext): void {}
