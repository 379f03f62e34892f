/**
 * The small-number rules of the public performance page, on their own (pure functions, no
 * database): counts below 5 withheld, shares over fewer than 5 withheld with their numerator,
 * and the secondary suppression that keeps a lone withheld cell from being worked out as the
 * total minus the others.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyInputs, INDICATORS } from '@causo/domain';
import { protectParts, publishCount, publishOnBase, publishShare, shownValue, type Published } from '../../src/modules/campaigns/performanceSuppression.ts';
import { publishDossiers, publishIndicator } from '../../src/modules/campaigns/performance.ts';
import { choosePeriod, reportingMonthOf } from '../../src/modules/campaigns/performanceQuery.ts';

const v = (value: number): Published => ({ kind: 'value', value });
const small: Published = { kind: 'small' };
const hidden: Published = { kind: 'hidden' };

it('withholds every count below 5, zero included, and shows 5 and up', () => {
  for (const n of [0, 1, 2, 3, 4]) assert.deepEqual(publishCount(n), small, `count ${n}`);
  assert.deepEqual(publishCount(5), v(5));
  assert.deepEqual(publishCount(460_392), v(460_392));
  assert.deepEqual(publishCount(null), { kind: 'none' });
});

it('withholds a share whose denominator is below 5, and shows it from 5 up whatever the numerator', () => {
  assert.deepEqual(publishShare(3, 4), small);
  assert.deepEqual(publishShare(0, 0), small, 'no dossiers at all is a count below 5 too');
  assert.deepEqual(publishShare(4, 5), v(80));
  assert.deepEqual(publishShare(1, 8), v(12.5));
  assert.deepEqual(publishShare(null, 10), { kind: 'none' });
});

it('shows a value that stands on a base only when the base is shown', () => {
  assert.deepEqual(publishOnBase(92.5, v(40)), v(92.5));
  assert.deepEqual(publishOnBase(92.5, small), small);
  assert.deepEqual(publishOnBase(92.5, hidden), hidden);
  assert.deepEqual(publishOnBase(null, v(40)), { kind: 'none' });
});

it('withholds the smallest shown part as well when exactly one part of a total is withheld', () => {
  // 12 + 7 + 3 = 22: with 22 published, the 3 would be 22 − 12 − 7.
  assert.deepEqual(protectParts([v(12), v(7), small]), [v(12), hidden, small]);
  // Two withheld parts give away only their sum.
  assert.deepEqual(protectParts([v(12), small, small]), [v(12), small, small]);
  // Nothing withheld, nothing to protect.
  assert.deepEqual(protectParts([v(12), v(7)]), [v(12), v(7)]);
  // One withheld part and nothing else shown: nothing more to hide.
  assert.deepEqual(protectParts([small, { kind: 'none' }]), [small, { kind: 'none' }]);
  // Ties: the first of the smallest.
  assert.deepEqual(protectParts([v(9), v(6), v(6), small]), [v(9), hidden, v(6), small]);
  assert.equal(shownValue(hidden), null);
  assert.equal(shownValue(v(6)), 6);
});

it('publishes dossier figures with the online and on-time shares over what was received and resolved', () => {
  assert.deepEqual(publishDossiers({ receivedOnline: 6, receivedDirect: 2, resolvedOnTime: 3, resolvedLate: 1 }), {
    received: v(8),
    onlineShare: v(75),
    resolved: small,
    onTimeShare: small,
  });
});

it('publishes an indicator against its target, withholding the share of target when the value is withheld', () => {
  const inputs = emptyInputs();
  inputs.villages = 1;
  inputs.villagesWithRegister = 1;
  inputs.register = { households: 3, residents: 9, adults: 4, smartphone: 3, simMatched: 1, vneid2: 2, serviceAccounts: 3, walletOrBank: 0 };
  const big = emptyInputs();
  big.villages = 1;
  big.villagesWithRegister = 1;
  big.register = { households: 30, residents: 90, adults: 40, smartphone: 30, simMatched: 10, vneid2: 20, serviceAccounts: 12, walletOrBank: 0 };
  // smartphone %: 3 of 4 adults is withheld (denominator 4); 30 of 40 is 75%, 93.75% of a target of 80.
  const pct = publishIndicator('smartphone_pct', [{ inputs, target: 80 }, { inputs: big, target: 80 }], false);
  assert.deepEqual(pct[0], { value: small, target: 80, percentOfTarget: small, met: null });
  assert.deepEqual(pct[1], { value: v(75), target: 80, percentOfTarget: v(93.75), met: false });
  // Public-service accounts, a count, as parts of a commune: the lone small one makes the next smallest hidden.
  const third = emptyInputs();
  third.villages = 1;
  third.villagesWithRegister = 1;
  third.register = { ...big.register, serviceAccounts: 20 };
  const counts = publishIndicator('service_accounts', [{ inputs, target: 5 }, { inputs: big, target: 10 }, { inputs: third, target: null }], true);
  assert.deepEqual(counts, [{ value: small, target: 5, percentOfTarget: small, met: null }, { value: hidden, target: 10, percentOfTarget: hidden, met: null }, null]);
  // No register at all: "no data", never zero.
  assert.deepEqual(publishIndicator('vneid2_pct', [{ inputs: emptyInputs(), target: 60 }], false)[0], { value: { kind: 'none' }, target: 60, percentOfTarget: { kind: 'none' }, met: null });
  assert.equal(INDICATORS.smartphone_pct.kind, 'percent');
});

it('counts the periods as the official reports do: from the 15th, cut at today', () => {
  assert.deepEqual(reportingMonthOf('2026-11-14'), { year: 2026, month: 11 });
  assert.deepEqual(reportingMonthOf('2026-11-25'), { year: 2026, month: 12 });
  assert.deepEqual(reportingMonthOf('2026-12-20'), { year: 2027, month: 1 });
  assert.deepEqual(choosePeriod('month', '2026-11-25'), { choice: 'month', whole: { from: '2026-11-15', to: '2026-12-14' }, period: { from: '2026-11-15', to: '2026-11-25' }, year: 2026, index: 12 });
  assert.deepEqual(choosePeriod('quarter', '2026-11-25').period, { from: '2026-09-15', to: '2026-11-25' });
  assert.deepEqual(choosePeriod('ytd', '2026-11-25').period, { from: '2025-12-15', to: '2026-11-25' });
  assert.deepEqual(choosePeriod('ytd', '2026-12-20').period, { from: '2026-12-15', to: '2026-12-20' });
});
