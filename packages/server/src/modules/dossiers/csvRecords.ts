/**
 * A fast reader for the import's CSV: RFC 4180 fields (quotes, doubled quotes, commas inside
 * quotes), UTF-8 with or without BOM, LF or CRLF. A quoted field may not span lines (no field
 * of the import format holds a newline), which lets a million rows be split in about a second,
 * several times faster than a general-purpose parser.
 */
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  fields: string[];
  /** Set when the line's quoting is broken. */
  error?: string;
}

function splitQuoted(text: string): { fields: string[]; error?: string } {
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) return { fields, error: 'a quoted field is not closed on this line' };
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i < text.length && text[i] !== ',') return { fields, error: 'text after a closing quote' };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? text.length : comma;
      fields.push(text.slice(i, end));
      i = end + 1;
    }
  }
  return { fields };
}

export function parseCsvLine(text: string): { fields: string[]; error?: string } {
  return text.includes('"') ? splitQuoted(text) : { fields: text.split(',') };
}

export async function* readCsvRecords(path: string): AsyncGenerator<CsvRecord> {
  let rest = '';
  let line = 0;
  let first = true;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    let text = rest + (chunk as string);
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const raw of lines) {
      line++;
      const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (t.trim() === '') continue;
      yield { line, ...parseCsvLine(t) };
    }
  }
  if (rest.trim() !== '') {
    line++;
    yield { line, ...parseCsvLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest) };
  }
}
