/**
 * Step cards (thẻ hướng dẫn từng bước): public one-page guides with large numbered steps, for
 * residents to keep. Officers and team members print them; the print style (site.css, "step
 * card") fits one A4 page, keeps the Cầu Số name on the card and drops the navigation. The
 * content is shared with the field app (packages/field/src/cards/content.ts), which shows the
 * same cards offline.
 */
import { STEP_CARDS, type StepCard } from '@causo/field/cards';
import { PortalPage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Citizen } from '../../people/citizens.ts';

export const STEP_CARDS_PATH = '/step-cards';

export const cardTitle = (p: PageRequest, c: StepCard): string => (p.lang === 'vi' ? c.titleVi : c.titleEn);
export const cardSteps = (p: PageRequest, c: StepCard): string[] => (p.lang === 'vi' ? c.stepsVi : c.stepsEn);

export function findCard(slug: string): StepCard | undefined {
  return STEP_CARDS.find((c) => c.slug === slug);
}

export function StepCardsIndex({ p, citizen }: { p: PageRequest; citizen: Citizen | null }) {
  return (
    <PortalPage p={p} title={p.t('cards.index.title')} citizen={citizen}>
      <h1>{p.t('cards.index.title')}</h1>
      <p class="lead">{p.t('cards.index.lead')}</p>
      <ul class="cards">
        {STEP_CARDS.map((c) => (
          <li key={c.slug}>
            <a href={`${STEP_CARDS_PATH}/${c.slug}`}>{cardTitle(p, c)}</a>
            <span class="hint">{p.t('cards.index.steps', { n: cardSteps(p, c).length })}</span>
          </li>
        ))}
      </ul>
      <p class="hint">{p.t('cards.index.print_hint')}</p>
    </PortalPage>
  );
}

export function StepCardPage({ p, citizen, card }: { p: PageRequest; citizen: Citizen | null; card: StepCard }) {
  const title = cardTitle(p, card);
  return (
    <PortalPage p={p} title={title} citizen={citizen}>
      <p class="no-print">
        <a href={STEP_CARDS_PATH}>← {p.t('cards.back')}</a>
      </p>
      <article class="step-card" aria-labelledby="card-title">
        <p class="card-brand">{p.t('cards.brand')}</p>
        <h1 id="card-title">{title}</h1>
        <ol class="steps">
          {cardSteps(p, card).map((s, i) => (
            <li key={i}>{s}</li>
          ))}
        </ol>
        <p class="card-help">{p.t('cards.help')}</p>
      </article>
      <p class="hint no-print">{p.t('cards.print_hint')}</p>
    </PortalPage>
  );
}
