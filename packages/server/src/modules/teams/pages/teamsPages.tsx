/**
 * Back-office pages of the community digital technology teams: the teams of the supervisor's
 * subtree (`/office/teams`) and one team (`/office/teams/:villageCode`) with its members and
 * their phones ("Báo mất máy" for administrators), open blockers by reason, follow-ups
 * (overdue first) and the village's readiness figures. A portal blocker shows the name the
 * citizen gave, which is personal: showing it is audited.
 */
import { BLOCKER_REASONS } from '@causo/domain';
import { CsrfField, Submit } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { DoneNotice, localDate, localDateTime } from '../../auth/admin/ui.tsx';
import { formatInt, formatPercent } from '../../reports/pages/format.ts';
import type { OpenBlocker, OpenFollowUp, RegisterSummary, TeamMember, TeamRef, TeamRow } from '../teamQueries.ts';

export const TEAMS_PATH = '/office/teams';
export const teamPath = (villageCode: string): string => `${TEAMS_PATH}/${encodeURIComponent(villageCode)}`;

const when = (d: Date | null): string => (d ? localDateTime(d) : '—');

export function TeamsNav({ p, conflicts }: { p: PageRequest; conflicts: boolean }) {
  return (
    <ul class="plain filters no-print">
      {conflicts ? (
        <li>
          <a href={`${TEAMS_PATH}/conflicts`}>{p.t('teams.link.conflicts')}</a>
        </li>
      ) : null}
      <li>
        <a href="/step-cards">{p.t('teams.link.step_cards')}</a>
      </li>
    </ul>
  );
}

export function TeamsListPage({ p, officer, rows, conflicts, capped }: { p: PageRequest; officer: Officer; rows: TeamRow[]; conflicts: boolean; capped: boolean }) {
  const n = (v: number) => formatInt(p.lang, v);
  return (
    <OfficePage p={p} title={p.t('teams.list.title')} officer={officer}>
      <h1>{p.t('teams.list.title')}</h1>
      <p class="lead">{p.t('teams.list.lead')}</p>
      <TeamsNav p={p} conflicts={conflicts} />
      {rows.length === 0 ? (
        <p>{p.t('teams.list.none')}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="muted">{p.t('teams.list.caption', { n: rows.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{p.t('teams.col.village')}</th>
                <th scope="col">{p.t('teams.col.commune')}</th>
                <th scope="col" class="num">
                  {p.t('teams.col.members')}
                </th>
                <th scope="col" class="num">
                  {p.t('teams.col.households')}
                </th>
                <th scope="col" class="num">
                  {p.t('teams.col.residents')}
                </th>
                <th scope="col" class="num">
                  {p.t('teams.col.visits30')}
                </th>
                <th scope="col" class="num">
                  {p.t('teams.col.open_blockers')}
                </th>
                <th scope="col" class="num">
                  {p.t('teams.col.overdue')}
                </th>
                <th scope="col">{p.t('teams.col.last_sync')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.teamId}>
                  <th scope="row">
                    <a href={teamPath(r.villageCode)}>{r.villageName}</a>
                  </th>
                  <td>{r.communeName}</td>
                  <td class="num">{n(r.members)}</td>
                  <td class="num">{n(r.households)}</td>
                  <td class="num">{n(r.residents)}</td>
                  <td class="num">{n(r.visits30)}</td>
                  <td class="num">{n(r.openBlockers)}</td>
                  <td class="num">{r.overdueFollowUps > 0 ? <span class="tag late">{n(r.overdueFollowUps)}</span> : n(0)}</td>
                  <td>{r.lastSyncAt ? localDateTime(r.lastSyncAt) : <span class="muted">{p.t('teams.never')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {capped ? <p class="hint">{p.t('teams.list.capped')}</p> : null}
    </OfficePage>
  );
}

function DeviceStatus({ p, status }: { p: PageRequest; status: 'active' | 'lost' | 'wiped' }) {
  return <span class={`tag ${status === 'active' ? 'ok' : 'late'}`}>{p.t(`teams.device.status.${status}`)}</span>;
}

function MembersSection({ p, team, members, canMarkLost }: { p: PageRequest; team: TeamRef; members: TeamMember[]; canMarkLost: boolean }) {
  return (
    <section aria-labelledby="members">
      <h2 id="members">{p.t('teams.members.title', { n: members.length })}</h2>
      {members.length === 0 ? <p>{p.t('teams.members.none')}</p> : null}
      {members.map((m) => (
        <div key={m.id}>
          <h3>
            {m.displayName} <span class="muted">({m.username})</span>
            {m.active ? null : <span class="tag"> {p.t('teams.members.inactive')}</span>}
          </h3>
          {m.devices.length === 0 ? (
            <p class="muted">{p.t('teams.devices.none')}</p>
          ) : (
            <table>
              <caption class="muted">{p.t('teams.devices.caption', { name: m.displayName })}</caption>
              <thead>
                <tr>
                  <th scope="col">{p.t('teams.devices.label')}</th>
                  <th scope="col">{p.t('teams.devices.registered')}</th>
                  <th scope="col">{p.t('teams.devices.last_seen')}</th>
                  <th scope="col">{p.t('teams.devices.last_sync')}</th>
                  <th scope="col">{p.t('teams.devices.status')}</th>
                  {canMarkLost ? <th scope="col">{p.t('teams.devices.action')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {m.devices.map((d) => (
                  <tr key={d.id}>
                    <td>{d.label || <span class="muted">{p.t('teams.devices.no_label')}</span>}</td>
                    <td>{when(d.registeredAt)}</td>
                    <td>{when(d.lastSeenAt)}</td>
                    <td>{d.lastSyncAt ? when(d.lastSyncAt) : <span class="muted">{p.t('teams.never')}</span>}</td>
                    <td>
                      <DeviceStatus p={p} status={d.status} />
                      {d.lostMarkedAt ? <span class="hint">{p.t('teams.devices.lost_at', { at: when(d.lostMarkedAt) })}</span> : null}
                      {d.wipedAt ? <span class="hint">{p.t('teams.devices.wiped_at', { at: when(d.wipedAt) })}</span> : null}
                    </td>
                    {canMarkLost ? (
                      <td>
                        {d.status === 'active' ? (
                          <form method="post" action={`${teamPath(team.villageCode)}/devices/${d.id}/lost`} class="inline-form">
                            <CsrfField p={p} />
                            <button type="submit" class="danger" data-confirm={p.t('teams.devices.confirm', { label: d.label || m.displayName })} aria-label={p.t('teams.devices.mark_lost_label', { label: d.label || p.t('teams.devices.no_label'), name: m.displayName })}>
                              {p.t('teams.devices.mark_lost')}
                            </button>
                          </form>
                        ) : (
                          '—'
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
      {canMarkLost ? <p class="hint">{p.t('teams.devices.lost_hint')}</p> : null}
    </section>
  );
}

/** Who a blocker is about: the resident or household head, or the name a citizen gave on the portal. */
export function blockerWho(p: PageRequest, b: OpenBlocker, portalName: string | null): string {
  if (b.residentName) return b.householdHead ? p.t('teams.blockers.resident_of', { name: b.residentName, head: b.householdHead }) : b.residentName;
  if (b.householdHead) return p.t('teams.blockers.household_of', { head: b.householdHead });
  if (portalName) return portalName;
  return p.t('teams.blockers.unknown_person');
}

function BlockersSection({ p, blockers, names }: { p: PageRequest; blockers: { byReason: Map<string, number>; list: OpenBlocker[]; total: number }; names: Map<number, string> }) {
  return (
    <section aria-labelledby="blockers">
      <h2 id="blockers">{p.t('teams.blockers.title', { n: blockers.total })}</h2>
      {blockers.total === 0 ? (
        <p>{p.t('teams.blockers.none')}</p>
      ) : (
        <>
          <ul class="counts">
            {BLOCKER_REASONS.filter((r) => (blockers.byReason.get(r) ?? 0) > 0).map((r) => (
              <li key={r}>
                <span class="count-box">
                  <b>{formatInt(p.lang, blockers.byReason.get(r) ?? 0)}</b>
                  {p.t(`teams.reason.${r}`)}
                </span>
              </li>
            ))}
          </ul>
          <table>
            <caption class="muted">{p.t('teams.blockers.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{p.t('teams.blockers.col.reason')}</th>
                <th scope="col">{p.t('teams.blockers.col.who')}</th>
                <th scope="col">{p.t('teams.blockers.col.source')}</th>
                <th scope="col">{p.t('teams.blockers.col.since')}</th>
                <th scope="col">{p.t('teams.blockers.col.note')}</th>
              </tr>
            </thead>
            <tbody>
              {blockers.list.map((b) => (
                <tr key={b.id}>
                  <td>{p.t(`teams.reason.${b.reason}`)}</td>
                  <td>{blockerWho(p, b, names.get(b.id) ?? null)}</td>
                  <td>
                    {p.t(`teams.source.${b.source}`)}
                    {b.occurrences > 1 ? <span class="hint">{p.t('teams.blockers.occurrences', { n: b.occurrences })}</span> : null}
                  </td>
                  <td>{localDateTime(b.createdAt)}</td>
                  <td>{b.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {blockers.list.length < blockers.total ? <p class="hint">{p.t('teams.list_capped', { shown: blockers.list.length, n: blockers.total })}</p> : null}
        </>
      )}
    </section>
  );
}

function FollowUpsSection({ p, followUps }: { p: PageRequest; followUps: { list: OpenFollowUp[]; total: number; overdue: number } }) {
  return (
    <section aria-labelledby="follow-ups">
      <h2 id="follow-ups">{p.t('teams.follow_ups.title', { n: followUps.total })}</h2>
      {followUps.total === 0 ? (
        <p>{p.t('teams.follow_ups.none')}</p>
      ) : (
        <>
          <p>{p.t('teams.follow_ups.overdue_count', { n: followUps.overdue })}</p>
          <table>
            <caption class="muted">{p.t('teams.follow_ups.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{p.t('teams.follow_ups.col.due')}</th>
                <th scope="col">{p.t('teams.follow_ups.col.who')}</th>
                <th scope="col">{p.t('teams.follow_ups.col.assignee')}</th>
                <th scope="col">{p.t('teams.follow_ups.col.note')}</th>
              </tr>
            </thead>
            <tbody>
              {followUps.list.map((f) => (
                <tr key={f.id}>
                  <td>
                    {localDate(f.dueDate)} {f.overdue ? <span class="tag late">{p.t('teams.follow_ups.overdue')}</span> : null}
                  </td>
                  <td>{f.residentName ?? (f.householdHead ? p.t('teams.blockers.household_of', { head: f.householdHead }) : '—')}</td>
                  <td>{f.assignee}</td>
                  <td>{f.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {followUps.list.length < followUps.total ? <p class="hint">{p.t('teams.list_capped', { shown: followUps.list.length, n: followUps.total })}</p> : null}
        </>
      )}
    </section>
  );
}

const READINESS = [
  ['smartphone', 'smartphone'],
  ['simMatched', 'sim_matched'],
  ['vneid2', 'vneid2'],
  ['publicAccount', 'public_account'],
  ['walletOrBank', 'wallet_or_bank'],
] as const;

function RegisterSection({ p, s }: { p: PageRequest; s: RegisterSummary }) {
  const n = (v: number) => formatInt(p.lang, v);
  return (
    <section aria-labelledby="register">
      <h2 id="register">{p.t('teams.register.title')}</h2>
      <p>{p.t('teams.register.counts', { households: s.households, residents: s.residents, adults: s.adults })}</p>
      {s.adults === 0 ? (
        <p class="muted">{p.t('teams.register.no_adults')}</p>
      ) : (
        <table>
          <caption class="muted">{p.t('teams.register.caption', { adults: s.adults })}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t('teams.register.col.indicator')}</th>
              <th scope="col" class="num">
                {p.t('teams.register.col.count')}
              </th>
              <th scope="col" class="num">
                {p.t('teams.register.col.share')}
              </th>
            </tr>
          </thead>
          <tbody>
            {READINESS.map(([field, key]) => (
              <tr key={key}>
                <th scope="row">{p.t(`teams.register.${key}`)}</th>
                <td class="num">{n(s[field])}</td>
                <td class="num">{formatPercent(p.lang, s[field], s.adults)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export interface TeamPageProps {
  p: PageRequest;
  officer: Officer;
  team: TeamRef;
  members: TeamMember[];
  canMarkLost: boolean;
  conflicts: boolean;
  blockers: { byReason: Map<string, number>; list: OpenBlocker[]; total: number };
  portalNames: Map<number, string>;
  followUps: { list: OpenFollowUp[]; total: number; overdue: number };
  register: RegisterSummary;
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
}

export function TeamPage({ p, officer, team, members, canMarkLost, conflicts, blockers, portalNames, followUps, register, notice }: TeamPageProps) {
  return (
    <OfficePage p={p} title={team.teamName} officer={officer} hasErrors={notice?.kind === 'error'}>
      <p class="no-print">
        <a href={TEAMS_PATH}>← {p.t('teams.back')}</a>
      </p>
      <DoneNotice p={p} area="teams" />
      {notice ? (
        <div class={`notice${notice.kind === 'error' ? ' error' : ''}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <p>{notice.text}</p>
        </div>
      ) : null}
      <h1>{team.teamName}</h1>
      <p class="lead">{p.t('teams.team.lead', { village: team.villageName, commune: team.communeName })}</p>
      <TeamsNav p={p} conflicts={conflicts} />
      <RegisterSection p={p} s={register} />
      <BlockersSection p={p} blockers={blockers} names={portalNames} />
      <FollowUpsSection p={p} followUps={followUps} />
      <MembersSection p={p} team={team} members={members} canMarkLost={canMarkLost} />
    </OfficePage>
  );
}
