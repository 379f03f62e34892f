import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkChildTargets,
  emptyInputs,
  histogramMedian,
  INDICATOR_KEYS,
  INDICATORS,
  mergeInputs,
  normalizeTarget,
  progressTowards,
  splitTarget,
  type IndicatorInputs,
} from '../src/indicators.ts';
import { BLOCKER_REASONS } from '../src/sync.ts';

/**
 * A village of 4 households and 10 residents, 8 of them adults, counted by hand:
 * smartphone 6, SIM in own name 4, VNeID level 2 3, public-service account 2, wallet or bank 5.
 * In the period: 12 dossiers received (3 online), 10 resolved (8 on time), 2 assisted
 * applications, 3 households visited; open blockers 2 SIM + 1 coverage; 3 blockers resolved in
 * 1, 4 and 9 days.
 */
function village(): IndicatorInputs {
  const v = emptyInputs();
  v.villages = 1;
  v.villagesWithRegister = 1;
  v.register = { households: 4, residents: 10, adults: 8, smartphone: 6, simMatched: 4, vneid2: 3, serviceAccounts: 2, walletOrBank: 5 };
  v.dossiers = { receivedOnline: 3, receivedDirect: 9, resolvedOnTime: 8, resolvedLate: 2 };
  v.assistedApplications = 2;
  v.householdsVisited = 3;
  v.openBlockers.sim_not_owner = 2;
  v.openBlockers.no_coverage = 1;
  v.blockersResolved = 3;
  v.resolveDays = { 1: 1, 4: 1, 9: 1 };
  return v;
}

describe('indicators on a hand-computed village', () => {
  const value = (key: (typeof INDICATOR_KEYS)[number]) => INDICATORS[key].compute(village());

  it('adults with a smartphone: 6 of 8 adults is 75%', () => assert.deepEqual(value('smartphone_pct'), { value: 75, numerator: 6, denominator: 8 }));
  it('phone registered in own name: 4 of 8 is 50%', () => assert.equal(value('sim_owner_pct').value, 50));
  it('VNeID level 2: 3 of 8 is 37.5%', () => assert.equal(value('vneid2_pct').value, 37.5));
  it('public-service accounts: 2', () => assert.equal(value('service_accounts').value, 2));
  it('e-wallet or bank account: 5 of 8 is 62.5%', () => assert.equal(value('wallet_bank_pct').value, 62.5));
  it('assisted online applications: 2', () => assert.equal(value('assisted_applications').value, 2));
  it('dossiers received online: 3 of 12 is 25%', () => assert.deepEqual(value('online_share_pct'), { value: 25, numerator: 3, denominator: 12 }));
  it('dossiers resolved on time: 8 of 10 is 80%', () => assert.equal(value('on_time_pct').value, 80));
  it('households visited: 3', () => assert.equal(value('households_visited').value, 3));
  it('open blockers: 2 SIM + 1 coverage is 3', () => assert.equal(value('open_blockers').value, 3));
  it('blockers resolved: 3', () => assert.equal(value('blockers_resolved').value, 3));
  it('median days to resolve a blocker: of 1, 4 and 9 days it is 4', () => assert.equal(value('blocker_median_days').value, 4));
});

describe('"no data" is not zero', () => {
  it('a unit without any household register has no register percentage, no account count and no visited households', () => {
    const none = emptyInputs();
    none.villages = 3;
    for (const key of ['smartphone_pct', 'sim_owner_pct', 'vneid2_pct', 'wallet_bank_pct', 'service_accounts', 'households_visited'] as const)
      assert.equal(INDICATORS[key].compute(none).value, null, key);
  });
  it('a register with no adults has no percentage, but a count of zero accounts', () => {
    const kids = emptyInputs();
    kids.villages = 1;
    kids.villagesWithRegister = 1;
    kids.register.households = 1;
    kids.register.residents = 2;
    assert.equal(INDICATORS.smartphone_pct.compute(kids).value, null);
    assert.equal(INDICATORS.service_accounts.compute(kids).value, 0);
  });
  it('no dossiers: no online share and no on-time share; no resolved blockers: no median', () => {
    const v = village();
    v.dossiers = { receivedOnline: 0, receivedDirect: 0, resolvedOnTime: 0, resolvedLate: 0 };
    v.resolveDays = {};
    assert.equal(INDICATORS.online_share_pct.compute(v).value, null);
    assert.equal(INDICATORS.on_time_pct.compute(v).value, null);
    assert.equal(INDICATORS.blocker_median_days.compute(v).value, null);
  });
});

describe('median from a day histogram', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    assert.equal(histogramMedian({ 2: 1, 5: 1, 7: 2 }), 6);
    assert.equal(histogramMedian({ 3: 5 }), 3);
    assert.equal(histogramMedian({ 0: 1, 10: 1 }), 5);
    assert.equal(histogramMedian({}), null);
    assert.equal(histogramMedian({ 4: 0 }), null);
  });
  it('equals the median of the expanded list', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 200 }), (days) => {
        const h: Record<number, number> = {};
        for (const d of days) h[d] = (h[d] ?? 0) + 1;
        const s = [...days].sort((a, b) => a - b);
        const m = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
        assert.equal(histogramMedian(h), m);
      }),
    );
  });
});

/** Random raw figures of one village (or of a commune's own level when `villages` is 0). */
const arbInputs = fc
  .record({
    hasRegister: fc.boolean(),
    households: fc.integer({ min: 1, max: 300 }),
    residents: fc.integer({ min: 0, max: 1200 }),
    flags: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 6, maxLength: 6 }),
    dossiers: fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 4, maxLength: 4 }),
    assisted: fc.integer({ min: 0, max: 50 }),
    visited: fc.integer({ min: 0, max: 300 }),
    open: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: BLOCKER_REASONS.length, maxLength: BLOCKER_REASONS.length }),
    resolveDays: fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 30 }),
  })
  .map((r): IndicatorInputs => {
    const v = emptyInputs();
    v.villages = 1;
    if (r.hasRegister) {
      v.villagesWithRegister = 1;
      const adults = Math.min(r.residents, r.flags[0]!);
      const cap = (n: number) => Math.min(adults, n);
      v.register = { households: r.households, residents: r.residents, adults, smartphone: cap(r.flags[1]!), simMatched: cap(r.flags[2]!), vneid2: cap(r.flags[3]!), serviceAccounts: cap(r.flags[4]!), walletOrBank: cap(r.flags[5]!) };
      v.householdsVisited = Math.min(r.households, r.visited);
    }
    const [online, direct, onTime, late] = r.dossiers as [number, number, number, number];
    v.dossiers = { receivedOnline: online, receivedDirect: direct, resolvedOnTime: onTime, resolvedLate: late };
    v.assistedApplications = r.assisted;
    BLOCKER_REASONS.forEach((reason, i) => (v.openBlockers[reason] = r.open[i]!));
    v.blockersResolved = r.resolveDays.length;
    for (const d of r.resolveDays) v.resolveDays[d] = (v.resolveDays[d] ?? 0) + 1;
    return v;
  });

describe('a parent unit is the aggregation of its children', () => {
  it('for every indicator, the value of the merged inputs equals the aggregation of the children computed from their own figures', () => {
    fc.assert(
      fc.property(fc.array(arbInputs, { minLength: 1, maxLength: 12 }), (children) => {
        const parent = mergeInputs(children);
        const sum = (f: (c: IndicatorInputs) => number) => children.reduce((s, c) => s + f(c), 0);
        const withRegister = children.filter((c) => c.villagesWithRegister > 0);
        const pct = (n: number, d: number) => (d > 0 ? (100 * n) / d : null);
        const expected: Record<(typeof INDICATOR_KEYS)[number], number | null> = {
          smartphone_pct: withRegister.length ? pct(sum((c) => c.register.smartphone), sum((c) => c.register.adults)) : null,
          sim_owner_pct: withRegister.length ? pct(sum((c) => c.register.simMatched), sum((c) => c.register.adults)) : null,
          vneid2_pct: withRegister.length ? pct(sum((c) => c.register.vneid2), sum((c) => c.register.adults)) : null,
          service_accounts: withRegister.length ? sum((c) => c.register.serviceAccounts) : null,
          wallet_bank_pct: withRegister.length ? pct(sum((c) => c.register.walletOrBank), sum((c) => c.register.adults)) : null,
          assisted_applications: sum((c) => c.assistedApplications),
          online_share_pct: pct(sum((c) => c.dossiers.receivedOnline), sum((c) => c.dossiers.receivedOnline + c.dossiers.receivedDirect)),
          on_time_pct: pct(sum((c) => c.dossiers.resolvedOnTime), sum((c) => c.dossiers.resolvedOnTime + c.dossiers.resolvedLate)),
          households_visited: withRegister.length ? sum((c) => c.householdsVisited) : null,
          open_blockers: sum((c) => BLOCKER_REASONS.reduce((s, r) => s + c.openBlockers[r], 0)),
          blockers_resolved: sum((c) => c.blockersResolved),
          blocker_median_days: (() => {
            const all = children.flatMap((c) => Object.entries(c.resolveDays).flatMap(([d, n]) => Array<number>(n).fill(Number(d)))).sort((a, b) => a - b);
            if (all.length === 0) return null;
            return all.length % 2 ? all[(all.length - 1) / 2]! : (all[all.length / 2 - 1]! + all[all.length / 2]!) / 2;
          })(),
        };
        for (const key of INDICATOR_KEYS) {
          const got = INDICATORS[key].compute(parent).value;
          if (expected[key] === null || got === null) assert.equal(got, expected[key], key);
          else assert.ok(Math.abs(got - expected[key]) < 1e-9, `${key}: ${got} vs ${expected[key]}`);
        }
      }),
    );
  });

  it('merging is associative: merging groups of children gives the same inputs as merging them all', () => {
    fc.assert(
      fc.property(fc.array(arbInputs, { minLength: 2, maxLength: 10 }), fc.integer({ min: 1, max: 9 }), (children, cut) => {
        const k = Math.min(cut, children.length - 1);
        assert.deepEqual(mergeInputs([mergeInputs(children.slice(0, k)), mergeInputs(children.slice(k))]), mergeInputs(children));
      }),
    );
  });
});

describe('targets', () => {
  it('progress: a value over its target is above 100%; fewer open blockers than the target counts as met', () => {
    assert.deepEqual(progressTowards(INDICATORS.smartphone_pct, 68, 85), { percentOfTarget: 80, met: false });
    assert.deepEqual(progressTowards(INDICATORS.households_visited, 120, 100), { percentOfTarget: 120, met: true });
    assert.deepEqual(progressTowards(INDICATORS.open_blockers, 10, 20), { percentOfTarget: 100, met: true });
    assert.deepEqual(progressTowards(INDICATORS.open_blockers, 40, 20), { percentOfTarget: 50, met: false });
    assert.deepEqual(progressTowards(INDICATORS.smartphone_pct, null, 85), { percentOfTarget: null, met: null });
  });

  it('children of a count target must add up to the parent; of a percentage, their adult-weighted mean must reach it', () => {
    assert.deepEqual(checkChildTargets(INDICATORS.households_visited, 100, [{ unitId: 1, target: 60, weight: 1 }, { unitId: 2, target: 40, weight: 1 }]), { status: 'ok', combined: 100 });
    assert.deepEqual(checkChildTargets(INDICATORS.households_visited, 100, [{ unitId: 1, target: 60, weight: 1 }, { unitId: 2, target: 30, weight: 1 }]), { status: 'short', combined: 90 });
    // 300 adults at 90% and 100 adults at 70% make 85%.
    assert.deepEqual(checkChildTargets(INDICATORS.smartphone_pct, 85, [{ unitId: 1, target: 90, weight: 300 }, { unitId: 2, target: 70, weight: 100 }]), { status: 'ok', combined: 85 });
    assert.equal(checkChildTargets(INDICATORS.smartphone_pct, 86, [{ unitId: 1, target: 90, weight: 300 }, { unitId: 2, target: 70, weight: 100 }]).status, 'short');
    assert.deepEqual(checkChildTargets(INDICATORS.smartphone_pct, 85, [{ unitId: 1, target: 90, weight: 3 }, { unitId: 2, target: null, weight: 1 }]), { status: 'incomplete', missing: 1 });
    // Fewer is better: children may not allow more open blockers, or more days, than the parent.
    assert.equal(checkChildTargets(INDICATORS.open_blockers, 10, [{ unitId: 1, target: 6, weight: 1 }, { unitId: 2, target: 6, weight: 1 }]).status, 'short');
    assert.equal(checkChildTargets(INDICATORS.blocker_median_days, 7, [{ unitId: 1, target: 5, weight: 1 }, { unitId: 2, target: 7, weight: 1 }]).status, 'ok');
    assert.equal(checkChildTargets(INDICATORS.blocker_median_days, 7, [{ unitId: 1, target: 8, weight: 1 }]).status, 'short');
  });

  it('a split target always passes the check: counts add up exactly, percentages are copied', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INDICATOR_KEYS),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 40 }),
        (key, raw, weights) => {
          const def = INDICATORS[key];
          const parent = def.kind === 'percent' ? raw % 101 : raw;
          const children = weights.map((weight, i) => ({ unitId: i + 1, weight }));
          const split = splitTarget(def, parent, children);
          assert.equal(split.size, children.length);
          if (def.split === 'sum') assert.equal([...split.values()].reduce((s, t) => s + t, 0), parent);
          const check = checkChildTargets(def, parent, children.map((c) => ({ ...c, target: split.get(c.unitId) ?? null })));
          assert.equal(check.status, 'ok');
        },
      ),
    );
  });

  it('splits a count in proportion to the weights, largest remainders first', () => {
    const split = splitTarget(INDICATORS.households_visited, 10, [{ unitId: 1, weight: 1 }, { unitId: 2, weight: 1 }, { unitId: 3, weight: 1 }]);
    assert.deepEqual([...split.entries()].sort(), [[1, 4], [2, 3], [3, 3]]);
    const none = splitTarget(INDICATORS.households_visited, 7, [{ unitId: 1, weight: 0 }, { unitId: 2, weight: 0 }]);
    assert.equal((none.get(1) ?? 0) + (none.get(2) ?? 0), 7);
  });

  it('normalizes targets as typed: percentages 0–100 with one decimal, whole counts, days with one decimal', () => {
    assert.equal(normalizeTarget('percent', 85.25), 85.3);
    assert.equal(normalizeTarget('percent', 101), null);
    assert.equal(normalizeTarget('count', 12), 12);
    assert.equal(normalizeTarget('count', 12.5), null);
    assert.equal(normalizeTarget('days', 6.44), 6.4);
    assert.equal(normalizeTarget('count', -1), null);
    assert.equal(normalizeTarget('percent', Number.NaN), null);
  });

  it('every indicator has a name, description and formula in Vietnamese and English', () => {
    for (const key of INDICATOR_KEYS) {
      const d = INDICATORS[key];
      assert.equal(d.key, key);
      for (const t of [d.name, d.description, d.formula]) assert.ok(t.vi.length > 3 && t.en.length > 3, key);
    }
  });
});
