/**
 * Machinery for the fuzz tests (fuzzRoutes, fuzzUploads, fuzzSync): the size of a run, what
 * every answer to bad input must look like, and a cheap fingerprint of every table to show
 * that a refused request stored nothing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Db } from '../../src/db/database.ts';
import { sql } from 'kysely';

/**
 * Generated cases per property. CI keeps it small (all fuzz files together stay around two
 * minutes per engine on a loaded machine); FUZZ_RUNS asks for more, FUZZ_SEED replays a failure.
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 1 : 2));
export const fcOptions = (runs = FUZZ_RUNS) => ({ numRuns: runs, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}), endOnFailure: true });

export interface Reply {
  status: number;
  type: string;
  body: Buffer;
}

/** What a server must never show: stack frames, its own paths, SQL or driver messages. */
const LEAKS: [RegExp, string][] = [
  [/\n\s+at [^\n]*:\d+:\d+/, 'a stack frame'],
  [/\bat (?:async )?[\w.<>]+ \((?:file:\/\/)?\/[^)]*:\d+:\d+\)/, 'a stack frame'],
  [/\/work\//, 'a server path'],
  [/node_modules/, 'a server path'],
  [/file:\/\/\//, 'a server path'],
  [/\bSELECT\b[\s\S]{0,200}\bFROM\b/, 'SQL text'],
  [/\b(?:INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/, 'SQL text'],
  [/syntax error at|violates (?:unique|foreign key|check|not-null) constraint|relation "[^"]+" does not exist|invalid input syntax for/i, 'a database message'],
  [/\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /, 'a JavaScript error'],
];

const isText = (type: string) => /json|text|html|xml|javascript|csv/.test(type);

/**
 * The rules every answer to bad input keeps: never 5xx, nothing of the server's insides, and a
 * refusal (4xx) in the user's language: a problem document with a code and Vietnamese and
 * English messages for the API, a Vietnamese page for pages.
 */
export function checkReply(r: Reply, req: { method: string; url: string; api: boolean; lang?: 'vi' | 'en' }): void {
  const what = `${req.method} ${req.url.slice(0, 200)} → ${r.status} ${r.type}`;
  const text = isText(r.type) ? r.body.toString('utf8') : '';
  assert.ok(r.status < 500, `${what}: a server error\n${text.slice(0, 600)}`);
  for (const [re, name] of LEAKS) assert.ok(!re.test(text), `${what}: the answer shows ${name}: ${re.exec(text)?.[0]}\n${text.slice(0, 600)}`);
  if (r.status < 400) return;
  if (req.api) {
    assert.match(r.type, /^application\/problem\+json/, `${what}: a refusal that is not a problem document\n${text.slice(0, 300)}`);
    const doc = JSON.parse(text) as { code?: unknown; status?: unknown; messages?: { vi?: unknown; en?: unknown } };
    assert.ok(typeof doc.code === 'string' && doc.code.length > 0, `${what}: a problem without a code`);
    assert.equal(doc.status, r.status, `${what}: the problem's status is not the answer's`);
    for (const lang of ['vi', 'en'] as const) {
      const m = doc.messages?.[lang];
      assert.ok(typeof m === 'string' && m.trim().length > 0, `${what}: problem ${String(doc.code)} has no ${lang} message`);
      assert.ok(!/^[a-z_]+\.[a-z_.]+$/.test(m), `${what}: problem ${String(doc.code)} has a catalogue key, not a sentence, as its ${lang} message`);
    }
  } else {
    assert.match(r.type, /^text\/html/, `${what}: a refused page that is not HTML\n${text.slice(0, 300)}`);
    assert.match(text, new RegExp(`<html lang="${req.lang ?? 'vi'}"`), `${what}: a refused page not in ${req.lang ?? 'vi'}`);
    assert.match(text, /<h1[^>]*>\s*(?:<[a-z][^>]*>\s*)*[^<\s]/, `${what}: a refused page without a heading`);
  }
}

/** Every table of the schema. */
export async function tablesOf(db: Db): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db.kysely);
  return rows.rows.map((r) => r.name).filter((n) => !n.startsWith('kysely_') && n !== WRITES);
}

const WRITES = 'fuzz_writes';

/**
 * Counts every committed row written to each table, with a row trigger on every table of the
 * test's own database (append-only, so concurrent writers never wait on each other): a
 * refused request must leave the counts as they were. Rolled-back
 * writes roll their counts back too, so a refusal inside a transaction is not mistaken for a write.
 */
export async function watchWrites(db: Db): Promise<string[]> {
  const tables = await tablesOf(db);
  await sql.raw(`CREATE TABLE IF NOT EXISTS ${WRITES} (t text NOT NULL)`).execute(db.kysely);
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION fuzz_note_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         INSERT INTO ${WRITES} (t) VALUES (TG_TABLE_NAME);
         RETURN NULL;
       END $$`,
    )
    .execute(db.kysely);
  for (const t of tables) await sql.raw(`CREATE TRIGGER fuzz_note_write AFTER INSERT OR UPDATE OR DELETE ON "${t}" FOR EACH ROW EXECUTE FUNCTION fuzz_note_write()`).execute(db.kysely);
  return tables;
}

export type Fingerprint = Map<string, string>;

/** Rows written so far, by table (watchWrites must have run). */
export async function fingerprint(db: Db, _tables?: readonly string[]): Promise<Fingerprint> {
  const rows = await sql<{ t: string; n: string }>`SELECT t, count(*)::text AS n FROM ${sql.table(WRITES)} GROUP BY t`.execute(db.kysely);
  return new Map(rows.rows.map((r) => [r.t, r.n]));
}

/** Tables whose fingerprint changed between two snapshots. */
export function changed(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((t) => before.get(t) !== after.get(t));
}

/** Stops the test if the server process grew by more than `mb` since `start` (a bomb got unpacked). */
export function assertMemoryBelow(start: number, mb: number, what: string): void {
  const grown = (process.memoryUsage().rss - start) / 1_048_576;
  assert.ok(grown < mb, `${what}: the process grew by ${grown.toFixed(0)} MB (limit ${mb} MB)`);
}

/** Gzip of `bytes` spaces, made a megabyte at a time: a bomb built without holding what it unpacks to. */
export async function gzipBomb(bytes: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const block = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < Math.ceil(bytes / block.length); i++) if (!gz.write(block)) await once(gz, 'drain');
  gz.end();
  await once(gz, 'end');
  return Buffer.concat(chunks);
}
