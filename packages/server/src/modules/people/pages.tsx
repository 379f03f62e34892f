/** Citizen account pages: opening an account (/account/new…), signing in and out. */
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { signInPages } from './signInPages.tsx';
import { signupPages } from './signupPages.tsx';

export function accountPages(app: ZodApp, ctx: AppContext): void {
  signupPages(app, ctx);
  signInPages(app, ctx);
}
