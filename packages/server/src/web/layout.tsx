/** The page shells: the citizen portal and the back office. Both work without JavaScript. */
import type { ComponentChildren } from 'preact';
import { SITE_CSS, APP_JS_VERSION } from './render.tsx';
import type { PageRequest } from './request.ts';
import type { Citizen } from '../modules/people/citizens.ts';
import type { Officer } from '../modules/auth/service.ts';

/** The same page in another language: the current URL with `lang` replaced. */
export function withLang(url: string, lang: string): string {
  const [path, query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  params.set('lang', lang);
  return `${path}?${params.toString()}`;
}

function LanguageLinks({ p }: { p: PageRequest }) {
  return (
    <ul>
      {p.languages
        .filter((l) => l !== p.lang)
        .map((l) => (
          <li key={l}>
            <a href={withLang(p.url, l)} hreflang={l} lang={l}>
              {p.t(`meta.switch_to.${l}`)}
            </a>
          </li>
        ))}
    </ul>
  );
}

interface ShellProps {
  p: PageRequest;
  title: string;
  children: ComponentChildren;
  wide?: boolean;
  /** Pages with errors start their title with "Lỗi:" so screen readers hear it first. */
  hasErrors?: boolean;
}

function Shell({ p, title, children, wide, hasErrors, brandHref, brand, nav }: ShellProps & { brandHref: string; brand: string; nav: ComponentChildren }) {
  const fullTitle = `${hasErrors ? `${p.t('common.error_prefix')} ` : ''}${title} – ${brand}`;
  return (
    <html lang={p.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <meta name="description" content={p.t('meta.description')} />
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: SITE_CSS }} />
        <script src={`/assets/app.js?v=${APP_JS_VERSION}`} defer />
      </head>
      <body>
        <a class="skip" href="#main">
          {p.t('common.skip_to_content')}
        </a>
        <header class="top">
          <a class="brand" href={brandHref}>
            {brand}
          </a>
          <nav class="top" aria-label={p.t('common.menu')}>
            <ul>
              {nav}
              <li>
                <LanguageLinks p={p} />
              </li>
            </ul>
          </nav>
        </header>
        <main id="main" class={wide ? 'wide' : undefined} tabIndex={-1}>
          {children}
        </main>
        <footer class="bottom">
          <p>{p.t('common.footer')}</p>
          <p>
            <a href="/glossary">{p.t('common.glossary_link')}</a> · <a href="/help">{p.t('common.help_link')}</a> · <a href="/step-cards">{p.t('common.step_cards_link')}</a>
            {brandHref === '/' ? (
              <>
                {' · '}
                <a href="/performance">{p.t('performance.footer_link')}</a>
              </>
            ) : null}
          </p>
        </footer>
      </body>
    </html>
  );
}

export function PortalPage(props: ShellProps & { citizen: Citizen | null }) {
  const { p, citizen } = props;
  const nav = citizen ? (
    <>
      <li>
        <a href="/my">{p.t('nav.my_dossiers')}</a>
      </li>
      <li>
        <form method="post" action="/sign-out" class="inline-form">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <button type="submit" class="link">
            {p.t('nav.sign_out')}
          </button>
        </form>
      </li>
    </>
  ) : (
    <>
      <li>
        <a href="/track">{p.t('nav.track')}</a>
      </li>
      <li>
        <a href="/sign-in">{p.t('nav.sign_in')}</a>
      </li>
    </>
  );
  return <Shell {...props} brandHref="/" brand={p.t('meta.portal_name')} nav={nav} />;
}

export function OfficePage(props: ShellProps & { officer: Officer | null }) {
  const { p, officer } = props;
  const nav = officer ? (
    <>
      <li>
        <a href="/office">{p.t('office.nav.queues')}</a>
      </li>
      <li>
        <a href="/office/intake">{p.t('office.nav.intake')}</a>
      </li>
      <li>
        <a href="/office/reports/ii06a">{p.t('office.nav.report')}</a>
      </li>
      {officer.roles.some((r) => r.role === 'admin' || r.role === 'leader' || r.role === 'officer') ? (
        <>
          <li>
            <a href="/office/dashboard">{p.t('office.nav.dashboard')}</a>
          </li>
          <li>
            <a href="/office/campaigns">{p.t('office.nav.campaigns')}</a>
          </li>
          <li>
            <a href="/office/teams">{p.t('office.nav.teams')}</a>
          </li>
        </>
      ) : null}
      {officer.roles.some((r) => r.role === 'admin' && r.unitLevel === 'province') ? (
        <li>
          <a href="/office/admin">{p.t('office.nav.admin')}</a>
        </li>
      ) : null}
      <li>
        <a href="/office/account">{officer.displayName}</a>
      </li>
      <li>
        <form method="post" action="/office/sign-out" class="inline-form">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <button type="submit" class="link">
            {p.t('nav.sign_out')}
          </button>
        </form>
      </li>
    </>
  ) : null;
  return <Shell {...props} wide={props.wide ?? true} brandHref="/office" brand={p.t('meta.office_name')} nav={nav} />;
}
