import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvLine, readCsvRecords } from '../../src/modules/dossiers/csvRecords.ts';

describe('import CSV reader', () => {
  it('reads RFC 4180 quoting: commas and doubled quotes inside quotes, empty fields', () => {
    assert.deepEqual(parseCsvLine('a,"b, c","d ""e""",,f'), { fields: ['a', 'b, c', 'd "e"', '', 'f'] });
  });
  it('reports broken quoting instead of guessing', () => {
    assert.match(parseCsvLine('"x,y').error ?? '', /not closed/);
    assert.match(parseCsvLine('"a"b,c').error ?? '', /after a closing quote/);
  });
  it('skips a BOM and blank lines, handles CRLF and a last line without newline, and keeps line numbers', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'causo-csv-')), 'f.csv');
    writeFileSync(p, '\uFEFFh1,h2\r\na,b\r\n\r\nc,"d"');
    const recs = [];
    for await (const r of readCsvRecords(p)) recs.push(r);
    assert.deepEqual(recs, [{ line: 1, fields: ['h1', 'h2'] }, { line: 2, fields: ['a', 'b'] }, { line: 4, fields: ['c', 'd'] }]);
  });
});
