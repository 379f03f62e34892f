import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZERO_SUMS, addSums, checkReport, compact, contributionOf, rowFromSums, timeliness, type CounterDelta, type CounterSums } from '../src/ii06a.ts';
import { foldActions, type LoggedAction } from '../src/timeline.ts';
import { addDays, localMidnight } from '../src/localTime.ts';
import type { Channel, Status } from '../src/status.ts';

const t = (iso: string) => new Date(iso);

/** Sums over deltas for a period, the way the SQL reads the counters. */
function sums(deltas: CounterDelta[], from: string, to: string): CounterSums {
  const s = { ...ZERO_SUMS };
  for (const d of deltas) {
    if (d.day > to) continue;
    if (d.field === 'open') {
      if (d.day < from) s.openBefore += d.delta;
      s.openThrough += d.delta;
    } else if (d.field === 'overdue') s.overdueThrough += d.delta;
    else if (d.day >= from) s[d.field] += d.delta;
  }
  return s;
}

/** Brute force: the definitions of DESIGN.md applied to one timeline at the period's boundaries. */
function direct(actions: LoggedAction[], channel: Channel, from: string, to: string): CounterSums {
  const tl = foldActions(channel, actions);
  const start = localMidnight(from);
  const end = localMidnight(addDays(to, 1));
  const s = { ...ZERO_SUMS };
  if (!tl.receivedAt) return s;
  const openAt = (b: Date) => tl.receivedAt! < b && (!tl.finishedAt || tl.finishedAt >= b);
  if (openAt(start)) s.openBefore = 1;
  if (openAt(end)) {
    s.openThrough = 1;
    // state at `end`: the last phase that started before it
    const phase = [...tl.phases].reverse().find((p) => p.from < end);
    if (phase && !phase.paused && phase.dueAt && phase.dueAt < end) s.overdueThrough = 1;
  }
  if (tl.receivedAt >= start && tl.receivedAt < end) s[channel === 2 ? 'receivedOnline' : 'receivedDirect'] = 1;
  if (tl.finishedAt && tl.finishedAt >= start && tl.finishedAt < end) {
    if (tl.endKind === 'withdrawn') s.withdrawn = 1;
    else {
      const k = timeliness(tl.finishedAt, tl.phases[tl.phases.length - 1]?.dueAt ?? null);
      s[k === 'before' ? 'resolvedBefore' : k === 'on' ? 'resolvedOn' : 'resolvedLate'] = 1;
    }
  }
  return s;
}

describe('II.06a contributions', () => {
  const received = { action: 'create', toStatus: 2 as Status, occurredAt: t('2022-07-20T09:00:00+07:00'), dueAt: t('2022-07-25T09:00:00+07:00') };

  it('counts a dossier received before the period and finished inside it as carried over and resolved', () => {
    const actions: LoggedAction[] = [received, { action: 'start_processing', toStatus: 4, occurredAt: t('2022-07-21T08:00:00+07:00') }, { action: 'finish', toStatus: 9, occurredAt: t('2022-07-25T16:00:00+07:00') }];
    const s = sums(contributionOf(foldActions(1, actions)), '2022-07-22', '2022-07-31');
    assert.deepEqual(s, { ...ZERO_SUMS, openBefore: 1, resolvedOn: 1 });
  });

  it('counts a dossier still open after its due date as overdue at the end of the period', () => {
    const s = sums(contributionOf(foldActions(2, [received])), '2022-07-01', '2022-07-31');
    assert.deepEqual(s, { ...ZERO_SUMS, receivedOnline: 1, openThrough: 1, overdueThrough: 1 });
  });

  it('counts a dossier waiting for a supplement as within the deadline even past its due date', () => {
    const actions: LoggedAction[] = [received, { action: 'request_supplement', toStatus: 5, occurredAt: t('2022-07-22T10:00:00+07:00') }];
    const s = sums(contributionOf(foldActions(1, actions)), '2022-07-01', '2022-07-31');
    assert.deepEqual(s, { ...ZERO_SUMS, receivedDirect: 1, openThrough: 1 });
  });

  it('stops counting a dossier overdue when it is paused, and again after it resumes past the new due', () => {
    const actions: LoggedAction[] = [
      received,
      { action: 'request_supplement', toStatus: 5, occurredAt: t('2022-07-27T10:00:00+07:00') },
      { action: 'supplement_received', toStatus: 4, occurredAt: t('2022-08-03T10:00:00+07:00'), dueAt: t('2022-08-01T09:00:00+07:00') },
    ];
    const tl = foldActions(1, actions);
    const deltas = contributionOf(tl);
    assert.equal(sums(deltas, '2022-07-01', '2022-07-26').overdueThrough, 1);
    assert.equal(sums(deltas, '2022-07-01', '2022-07-31').overdueThrough, 0);
    assert.equal(sums(deltas, '2022-07-01', '2022-08-05').overdueThrough, 1);
  });

  it('splits resolved by comparing local calendar dates of finish and due', () => {
    const due = t('2022-07-25T09:00:00+07:00');
    assert.equal(timeliness(t('2022-07-24T23:59:00+07:00'), due), 'before');
    assert.equal(timeliness(t('2022-07-25T16:59:00+07:00'), due), 'on');
    assert.equal(timeliness(t('2022-07-26T00:01:00+07:00'), due), 'late');
    // 23:30 UTC on the 24th is already the 25th in Vietnam.
    assert.equal(timeliness(t('2022-07-24T23:30:00Z'), due), 'on');
  });

  it('never counts dossiers that were not received (status 1) or refused (3)', () => {
    const submitted: LoggedAction = { action: 'create', toStatus: 1, occurredAt: t('2022-07-20T09:00:00+07:00') };
    assert.deepEqual(contributionOf(foldActions(2, [submitted])), []);
    assert.deepEqual(contributionOf(foldActions(2, [submitted, { action: 'refuse', toStatus: 3, occurredAt: t('2022-07-20T10:00:00+07:00') }])), []);
  });

  it('keeps the first end when a withdrawal is confirmed as stopped, and when a result is returned', () => {
    const w = foldActions(1, [received, { action: 'request_withdrawal', toStatus: 7, occurredAt: t('2022-07-21T09:00:00+07:00') }, { action: 'stop', toStatus: 8, occurredAt: t('2022-07-28T09:00:00+07:00') }]);
    assert.deepEqual(w.finishedAt, t('2022-07-21T09:00:00+07:00'));
    assert.equal(w.endKind, 'withdrawn');
  });

  /** Random action logs: the counters' arithmetic equals the definitions at every boundary. */
  it('agrees with the definitions on random dossiers and periods (property)', () => {
    const base = Date.parse('2022-06-01T00:00:00+07:00');
    const hour = 3_600_000;
    const arbLog = fc.record({
      channel: fc.constantFrom<Channel>(1, 2, 3),
      steps: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 24 * 20 }), kind: fc.integer({ min: 0, max: 9 }), due: fc.integer({ min: -24 * 5, max: 24 * 20 }) }), { maxLength: 6 }),
      start: fc.integer({ min: 0, max: 24 * 60 }),
      due: fc.integer({ min: 1, max: 24 * 15 }),
    });
    const arbPeriod = fc.tuple(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(arbLog, arbPeriod, (log, [offset, len]) => {
        let at = base + log.start * hour;
        const actions: LoggedAction[] = [{ action: 'create', toStatus: 2, occurredAt: new Date(at), dueAt: new Date(at + log.due * hour) }];
        let status: Status = 2;
        for (const s of log.steps) {
          at += s.gap * hour;
          const next = pick(status, s.kind);
          if (!next) continue;
          actions.push({ action: next.action, toStatus: next.to, occurredAt: new Date(at), ...(next.action === 'supplement_received' ? { dueAt: new Date(at + s.due * hour) } : {}) });
          status = next.to;
        }
        const from = addDays('2022-06-01', offset);
        const to = addDays(from, len);
        assert.deepEqual(sums(contributionOf(foldActions(log.channel, actions)), from, to), direct(actions, log.channel, from, to));
      }),
      { numRuns: 2000 },
    );
  });

  it('produces rows whose invariants hold, and flags rows that do not add up', () => {
    const a = rowFromSums('1', 'A', { ...ZERO_SUMS, openBefore: 2, receivedDirect: 3, resolvedOn: 1, withdrawn: 1, openThrough: 3, overdueThrough: 1 });
    const total = rowFromSums('T', 'Total', addSums(ZERO_SUMS, { ...ZERO_SUMS, openBefore: 2, receivedDirect: 3, resolvedOn: 1, withdrawn: 1, openThrough: 3, overdueThrough: 1 }));
    assert.ok(checkReport([a], total).every((c) => c.ok));
    const wrong = { ...total, receivedOnline: total.receivedOnline + 1 };
    assert.ok(checkReport([a], wrong).some((c) => !c.ok));
  });

  it('merges deltas on the same day and drops zeros', () => {
    assert.deepEqual(compact([{ day: '2022-01-01', field: 'open', delta: 1 }, { day: '2022-01-01', field: 'open', delta: -1 }, { day: '2022-01-02', field: 'open', delta: 2 }]), [{ day: '2022-01-02', field: 'open', delta: 2 }]);
  });
});

const MOVES: { action: string; from: Status[]; to: Status }[] = [
  { action: 'start_processing', from: [2], to: 4 },
  { action: 'request_supplement', from: [2, 4], to: 5 },
  { action: 'supplement_received', from: [5], to: 4 },
  { action: 'request_fees', from: [2, 4], to: 6 },
  { action: 'fees_paid', from: [6], to: 4 },
  { action: 'request_withdrawal', from: [2, 4, 5, 6], to: 7 },
  { action: 'stop', from: [2, 4, 5, 6, 7], to: 8 },
  { action: 'finish', from: [4], to: 9 },
  { action: 'return_result', from: [9], to: 10 },
  { action: 'start_processing', from: [2], to: 4 },
];
function pick(status: Status, kind: number): { action: string; to: Status } | null {
  const m = MOVES[kind];
  return m && m.from.includes(status) ? { action: m.action, to: m.to } : null;
}
