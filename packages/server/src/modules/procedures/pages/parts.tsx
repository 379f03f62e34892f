/** Pieces the catalogue pages share: the search box, a list of procedures, time and cost in words. */
import type { PageRequest } from '../../../web/request.ts';
import { nameIn, type CatalogueProcedure, type Fee, SEARCH_MAX_LENGTH } from '../service.ts';

/** "1 ngày làm việc" / "4 giờ làm việc". */
export function slaText(p: PageRequest, proc: Pick<CatalogueProcedure, 'sla'>): string {
  return p.t(proc.sla.unit === 'working_days' ? 'common.working_days' : 'common.working_hours', { n: proc.sla.value });
}

export const isFree = (fees: Fee[]): boolean => fees.every((f) => f.amount === 0);

/** "50.000 đồng" in Vietnamese, "50,000 dong" in English: money is whole đồng. */
export const money = (p: PageRequest, amount: number): string => p.t('common.dong', { amount });

/** One line of the fee list: "Lệ phí đăng ký thường trú: 20.000 đồng mỗi hồ sơ". */
export function feeText(p: PageRequest, fee: Fee): string {
  const name = p.lang === 'en' ? fee.nameEn : fee.nameVi;
  return p.t(`portal.fee.per.${fee.per ?? 'case'}`, { name, amount: money(p, fee.amount) });
}

/** A GET form: works without JavaScript and gives a page address that can be shared. */
export function SearchForm({ p, q, asHeading, label }: { p: PageRequest; q?: string; asHeading?: boolean; label?: string }) {
  const text = label ?? p.t('portal.search.label');
  return (
    <form method="get" action="/services/search" role="search" class="filters">
      <div class="field">
        {asHeading ? (
          <h1>
            <label for="f-q">{text}</label>
          </h1>
        ) : (
          <label for="f-q">{text}</label>
        )}
        <span class="hint" id="f-q-hint">
          {p.t('portal.search.hint')}
        </span>
        <input id="f-q" name="q" type="search" value={q ?? ''} maxLength={SEARCH_MAX_LENGTH} aria-describedby="f-q-hint" autocomplete="off" />
      </div>
      <button type="submit">{p.t('portal.search.button')}</button>
    </form>
  );
}

/** Procedures as cards: the name links to its page; below it, how long, what it costs, how online. */
export function ProcedureList({ p, procedures }: { p: PageRequest; procedures: CatalogueProcedure[] }) {
  return (
    <ul class="cards">
      {procedures.map((proc) => (
        <li key={proc.code}>
          <a href={`/services/${proc.code}`}>{nameIn(p.lang, proc)}</a>
          <br />
          <span class="muted">
            {slaText(p, proc)} · {isFree(proc.fees) ? p.t('common.free') : p.t('portal.list.has_fee')} · {p.t(`portal.online.${proc.onlineLevel}.short`)}
          </span>
        </li>
      ))}
    </ul>
  );
}
