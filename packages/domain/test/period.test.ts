import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextPeriodStart, periodBounds, presetPeriod, validatePeriod } from '../src/period.ts';

describe('report periods (15th of the previous month to the 14th)', () => {
  it('starts the January report on 15 December of the previous year', () => {
    assert.deepEqual(presetPeriod('month', 2022, 1), { from: '2021-12-15', to: '2022-01-14' });
  });

  it('gives every month of 2022', () => {
    assert.deepEqual(presetPeriod('month', 2022, 2), { from: '2022-01-15', to: '2022-02-14' });
    assert.deepEqual(presetPeriod('month', 2022, 3), { from: '2022-02-15', to: '2022-03-14' });
    assert.deepEqual(presetPeriod('month', 2022, 10), { from: '2022-09-15', to: '2022-10-14' });
    assert.deepEqual(presetPeriod('month', 2022, 12), { from: '2022-11-15', to: '2022-12-14' });
  });

  it('chains the months: each report starts the day after the previous one ends, across the year', () => {
    for (let m = 1; m < 12; m++) {
      assert.equal(nextPeriodStart(presetPeriod('month', 2022, m)), presetPeriod('month', 2022, m + 1).from);
    }
    assert.equal(nextPeriodStart(presetPeriod('month', 2022, 12)), presetPeriod('month', 2023, 1).from);
  });

  it('crosses the year for the first quarter and gives the other quarters of 2022', () => {
    assert.deepEqual(presetPeriod('quarter', 2022, 1), { from: '2021-12-15', to: '2022-03-14' });
    assert.deepEqual(presetPeriod('quarter', 2022, 2), { from: '2022-03-15', to: '2022-06-14' });
    assert.deepEqual(presetPeriod('quarter', 2022, 3), { from: '2022-06-15', to: '2022-09-14' });
    assert.deepEqual(presetPeriod('quarter', 2022, 4), { from: '2022-09-15', to: '2022-12-14' });
  });

  it('counts the 6-, 9- and 12-month reports from 15 December of the previous year', () => {
    assert.deepEqual(presetPeriod('half', 2022), { from: '2021-12-15', to: '2022-06-14' });
    assert.deepEqual(presetPeriod('nine_months', 2022), { from: '2021-12-15', to: '2022-09-14' });
    assert.deepEqual(presetPeriod('year', 2022), { from: '2021-12-15', to: '2022-12-14' });
  });

  it('refuses a missing or out-of-range month or quarter', () => {
    assert.throws(() => presetPeriod('month', 2022), /index from 1 to 12/);
    assert.throws(() => presetPeriod('month', 2022, 0), /index from 1 to 12/);
    assert.throws(() => presetPeriod('month', 2022, 13), /index from 1 to 12/);
    assert.throws(() => presetPeriod('quarter', 2022, 5), /index from 1 to 4/);
    assert.throws(() => presetPeriod('quarter', 2022, 1.5), /index from 1 to 4/);
    assert.throws(() => presetPeriod('half', 2022, 2), /takes no index/);
    assert.throws(() => presetPeriod('year', 20.22), /bad year/);
  });

  it('covers whole local days: from 00:00 to the midnight after the last day (UTC+7)', () => {
    const { start, end } = periodBounds(presetPeriod('month', 2022, 1));
    assert.equal(start.toISOString(), new Date('2021-12-15T00:00:00+07:00').toISOString());
    assert.equal(end.toISOString(), new Date('2022-01-15T00:00:00+07:00').toISOString());
  });
});

describe('custom report periods', () => {
  it('accepts a single day and a range in order', () => {
    assert.deepEqual(validatePeriod('2022-03-01', '2022-03-01'), { from: '2022-03-01', to: '2022-03-01' });
    assert.deepEqual(validatePeriod('2022-02-28', '2022-03-31'), { from: '2022-02-28', to: '2022-03-31' });
  });

  it('refuses dates that do not exist or are not written YYYY-MM-DD', () => {
    assert.throws(() => validatePeriod('2022-02-29', '2022-03-14'), /"from" \(2022-02-29\) is not a valid/);
    assert.throws(() => validatePeriod('2022-01-15', '14/02/2022'), /"to" \(14\/02\/2022\) is not a valid/);
    assert.throws(() => validatePeriod('2022-1-15', '2022-02-14'), /not a valid/);
  });

  it('refuses a period that ends before it starts', () => {
    assert.throws(() => validatePeriod('2022-03-15', '2022-03-14'), /is after/);
  });
});
