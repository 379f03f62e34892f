/** Step cards, offline, with a print button (the print stylesheet shows only the card). */
import { STEP_CARDS } from '../cards/content.ts';
import { lang, t } from '../i18n/index.ts';
import { Page } from '../ui/fields.tsx';

export function CardsScreen() {
  const vi = lang() === 'vi';
  return (
    <Page title={t('cards.title')}>
      <p>{t('cards.lead')}</p>
      <ul class="cards">
        {STEP_CARDS.map((c) => (
          <li key={c.slug}>
            <a href={`#/cards/${c.slug}`}>
              <strong>{vi ? c.titleVi : c.titleEn}</strong>
            </a>
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function CardScreen({ slug }: { slug: string }) {
  const card = STEP_CARDS.find((c) => c.slug === slug);
  if (!card) return <CardsScreen />;
  const vi = lang() === 'vi';
  return (
    <Page title={vi ? card.titleVi : card.titleEn} back="#/cards">
      <ol class="steps">
        {(vi ? card.stepsVi : card.stepsEn).map((s, i) => (
          <li key={i}>
            <span class="step-no" aria-hidden="true">
              {i + 1}
            </span>
            <span class="visually-hidden">{t('cards.step', { n: i + 1 })}: </span>
            {s}
          </li>
        ))}
      </ol>
      <button type="button" class="primary no-print" onClick={() => window.print()}>
        {t('cards.print')}
      </button>
    </Page>
  );
}
