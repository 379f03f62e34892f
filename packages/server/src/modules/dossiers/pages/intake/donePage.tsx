/**
 * GET /office/intake/received/:code: the dossier is in. The code is shown large for the
 * citizen to note, with the button to print the receipt and appointment slip (Mẫu 01).
 */
import type { AppContext } from '../../../../context.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { requireActor } from '../../../../http/auth.ts';
import { OfficePage } from '../../../../web/layout.tsx';
import { sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import { SummaryList } from '../../../../web/components.tsx';
import type { Officer } from '../../../auth/service.ts';
import { intakeSummary } from '../../counterIntake.ts';
import { formUrl } from '../../forms/rules.ts';
import { localDateTimeText } from './format.ts';

type Summary = Awaited<ReturnType<typeof intakeSummary>>;

function ReceivedPage({ p, officer, s }: { p: PageRequest; officer: Officer | null; s: Summary }) {
  const t = p.t;
  return (
    <OfficePage p={p} title={t('intake.done.title')} officer={officer}>
      <div class="confirm">
        <h1>{t('intake.done.title')}</h1>
        <p>{t('intake.done.code_label')}</p>
        <p class="code">{s.code}</p>
      </div>
      <SummaryList
        rows={[
          { key: t('intake.field.applicant'), value: s.applicantName },
          { key: t('intake.field.procedure'), value: p.lang === 'vi' ? s.procedure.nameVi : s.procedure.nameEn },
          { key: t('intake.field.unit'), value: s.unitName },
          { key: t('intake.field.due'), value: s.dueAt ? localDateTimeText(t, s.dueAt) : '–' },
          { key: t('intake.field.scans'), value: t('intake.done.scans', { n: s.scanCount }) },
        ]}
      />
      <p>{t('intake.done.next')}</p>
      <p>
        <a class="button" href={formUrl(s.code, '01')}>
          {t('intake.done.print_receipt')}
        </a>
      </p>
      <p>
        <a class="button secondary" href="/office/intake">
          {t('intake.done.another')}
        </a>
      </p>
      <p>
        <a href={`/office/dossiers/${encodeURIComponent(s.code)}`}>{t('intake.done.open')}</a>
      </p>
    </OfficePage>
  );
}

export function intakeDonePage(app: ZodApp, ctx: AppContext): void {
  app.get('/office/intake/received/:code', { schema: { hide: true } }, async (req, reply) => {
    const s = await intakeSummary(ctx, requireActor(req), (req.params as { code: string }).code);
    return sendPage(reply, <ReceivedPage p={req.page} officer={req.officer} s={s} />);
  });
}
