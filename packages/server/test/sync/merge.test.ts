/**
 * Field-level merge (pure): untouched fields apply, a phone's own chain of edits never conflicts,
 * and two phones' edits of the same field end with the later device time whatever order they
 * arrive in, with exactly one conflict listing the other value.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mergeEdit, type IncomingEdit } from '../../src/modules/sync/merge.ts';
import { competingTime } from '../../src/modules/sync/apply/editable.ts';
import { freshMeta } from '../../src/modules/teams/records.ts';
import type { FieldMeta } from '../../src/modules/teams/schema.ts';

const base = { headName: 'A', address: 'x', note: '' };
const meta0 = (): FieldMeta => freshMeta(Object.keys(base), new Date('2026-11-01T00:00:00Z'), 'e0', 'd0');
const edit = (over: Partial<IncomingEdit>): IncomingEdit => ({ envelopeId: 'e', deviceId: 'd1', memberId: 1, baseVersion: 1, occurredAt: '2026-11-02T00:00:00.000Z', patch: {}, ...over });

/** Applies edits in order as the server does (version + 1 when something changed). */
function run(edits: IncomingEdit[]) {
  let current: Record<string, unknown> = { ...base };
  let meta = meta0();
  let version = 1;
  const conflicts = [];
  for (const e of edits) {
    const m = mergeEdit(current, meta, e, version + 1);
    if (Object.keys(m.changed).length) {
      current = { ...current, ...m.changed };
      version++;
    }
    meta = m.meta;
    conflicts.push(...m.conflicts);
  }
  return { current, conflicts, version };
}

describe('field-level merge', () => {
  it('applies an edit of fields nobody else touched, even from an old base', () => {
    const r = run([edit({ envelopeId: 'a', deviceId: 'd1', patch: { headName: 'B' } }), edit({ envelopeId: 'b', deviceId: 'd2', patch: { address: 'y' } })]);
    assert.deepEqual(r.current, { headName: 'B', address: 'y', note: '' });
    assert.equal(r.conflicts.length, 0);
  });

  it("does not count a phone's own earlier edits against it", () => {
    const r = run([edit({ envelopeId: 'a', patch: { note: '1' } }), edit({ envelopeId: 'b', patch: { note: '2' } })]);
    assert.equal(r.current.note, '2');
    assert.equal(r.conflicts.length, 0);
  });

  it('sees no conflict when both phones wrote the same value', () => {
    const r = run([edit({ envelopeId: 'a', deviceId: 'd1', patch: { note: 'z' } }), edit({ envelopeId: 'b', deviceId: 'd2', patch: { note: 'z' } })]);
    assert.equal(r.conflicts.length, 0);
  });

  it('keeps the later device time whatever the arrival order, with one conflict holding the other value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.boolean(), (v1, v2, t1, t2, swap) => {
        fc.pre(v1 !== v2 && t1 !== t2 && v1 !== base.headName && v2 !== base.headName);
        const at = (s: number) => new Date(Date.UTC(2026, 10, 2) + s * 1000).toISOString();
        const a = edit({ envelopeId: 'a', deviceId: 'd1', occurredAt: at(t1), patch: { headName: v1 } });
        const b = edit({ envelopeId: 'b', deviceId: 'd2', occurredAt: at(t2), patch: { headName: v2 } });
        const r = run(swap ? [b, a] : [a, b]);
        const later = t1 > t2 ? v1 : v2;
        const earlier = t1 > t2 ? v2 : v1;
        assert.equal(r.current.headName, later);
        assert.equal(r.conflicts.length, 1);
        assert.equal(r.conflicts[0]?.kept, later);
        assert.equal(r.conflicts[0]?.other, earlier);
      }),
    );
  });

  it('does not let a phone whose clock runs ahead win by its clock', () => {
    const received = new Date('2026-11-25T02:00:00Z');
    assert.equal(competingTime('2027-01-01T00:00:00Z', received), received.toISOString());
    assert.equal(competingTime('2026-11-25T01:00:00+00:00', received), '2026-11-25T01:00:00.000Z');
  });
});
