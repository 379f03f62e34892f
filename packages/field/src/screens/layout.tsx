/** The frame around every screen once unlocked: header with the outbox badge, banners, bottom navigation. */
import type { ComponentChildren } from 'preact';
import { useController } from '../app/controller.ts';
import { setLang, t, useLang } from '../i18n/index.ts';
import { useLive } from '../lib/hooks.ts';
import { UNACKNOWLEDGED } from '../sync/types.ts';

const NAV = [
  ['#/', 'nav.households'],
  ['#/todo', 'nav.todo'],
  ['#/apply', 'nav.apply'],
  ['#/cards', 'nav.cards'],
] as const;

export function Layout({ current, children }: { current: string; children: ComponentChildren }) {
  const c = useController();
  const lang = useLang();
  const waiting = useLive(async () => (c.db ? c.db.outbox.where('state').anyOf([...UNACKNOWLEDGED]).count() : 0), [c.db]) ?? 0;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          {t('app.short')}
        </a>
        <button type="button" class="lang" lang={lang === 'vi' ? 'en' : 'vi'} title={t('app.language_label')} onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t('app.language')}
        </button>
        <a class={`outbox-badge${waiting ? ' has-waiting' : ''}`} href="#/outbox">
          {t('nav.outbox')} <span class="count">{waiting}</span>
          <span class="visually-hidden">{t('outbox.badge_hidden')}</span>
        </a>
      </header>
      {!c.online && <p class="banner offline">{t('app.offline')}</p>}
      {c.needsSignIn && (
        <p class="banner warn">
          {t('app.need_sign_in')} <a href="#/sign-in">{t('app.sign_in_again')}</a>
        </p>
      )}
      <main id="main">{children}</main>
      {c.toast && (
        <p class="toast" role="status">
          {t(c.toast)}
        </p>
      )}
      <nav class="bottom" aria-label={t('nav.main')}>
        {NAV.map(([href, key]) => (
          <a key={href} href={href} aria-current={current === href ? 'page' : undefined}>
            {t(key)}
          </a>
        ))}
      </nav>
    </>
  );
}
