import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, STATUSES, availableActions, nextStatus, roleMayTake, type Action, type Status } from '../src/status.ts';

/** The whole table, written out by hand from the national status codes: action → from → to. */
const ALLOWED: Record<Action, Partial<Record<Status, Status>>> = {
  receive: { 1: 2 },
  refuse: { 1: 3 },
  start_processing: { 2: 4 },
  request_supplement: { 2: 5, 4: 5 },
  supplement_received: { 5: 4 },
  request_fees: { 2: 6, 4: 6 },
  fees_paid: { 6: 4 },
  request_withdrawal: { 2: 7, 4: 7, 5: 7, 6: 7 },
  stop: { 2: 8, 4: 8, 5: 8, 6: 8, 7: 8 },
  finish: { 4: 9 },
  return_result: { 9: 10 },
};

describe('dossier state machine', () => {
  for (const action of ACTIONS)
    for (const status of STATUSES) {
      const expected = ALLOWED[action][status] ?? null;
      it(`${action} from status ${status} ${expected === null ? 'is refused' : `leads to ${expected}`}`, () => {
        assert.equal(nextStatus(status, action), expected);
      });
    }

  it('lists exactly the allowed actions for each status', () => {
    for (const status of STATUSES) {
      const expected = ACTIONS.filter((a) => ALLOWED[a][status] !== undefined);
      assert.deepEqual(availableActions(status), expected);
    }
  });

  it('allows nothing after a refusal, a stop or a returned result', () => {
    for (const s of [3, 8, 10] as const) assert.deepEqual(availableActions(s), []);
  });

  it('lets a one-stop officer receive but not a specialist; a leader may stop', () => {
    assert.equal(roleMayTake('officer', 'receive'), true);
    assert.equal(roleMayTake('specialist', 'receive'), false);
    assert.equal(roleMayTake('specialist', 'finish'), true);
    assert.equal(roleMayTake('leader', 'stop'), true);
    assert.equal(roleMayTake('leader', 'finish'), false);
  });
});
