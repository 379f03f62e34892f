import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { compileOnce, queryBuilder } from '../../src/db/compiledOnce.ts';

describe('queries compiled once', () => {
  it('keeps the text and puts each value in its own parameter, leaving the constant ones', () => {
    const q = compileOnce(['code', 'day'], (v) => queryBuilder.selectFrom('units').select('id').where('code', '=', v.code).where('valid_from', '<=', v.day).where('level', '=', 'commune'));
    const a = q({ code: '25309', day: '2022-08-15' });
    const b = q({ code: '25310', day: '2023-01-01' });
    assert.equal(a.sql, b.sql);
    assert.match(a.sql, /"code" = \$1 and "valid_from" <= \$2 and "level" = \$3/);
    assert.deepEqual(a.parameters, ['25309', '2022-08-15', 'commune']);
    assert.deepEqual(b.parameters, ['25310', '2023-01-01', 'commune']);
  });

  it('refuses a stand-in that is used twice or not at all, when first compiled', () => {
    const twice = compileOnce(['code'], (v) => queryBuilder.selectFrom('units').select('id').where('code', '=', v.code).where('agency_code', '=', v.code));
    assert.throws(() => twice({ code: 'x' }), /code appears 2 times/);
    const unused = compileOnce(['code'], () => queryBuilder.selectFrom('units').select('id').where(sql<boolean>`true`));
    assert.throws(() => unused({ code: 'x' }), /code appears 0 times/);
  });
});
