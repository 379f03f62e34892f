/**
 * The submissions of the crash test and how they are sent: most by an officer through the API
 * (`POST /api/v1/dossiers`, a client transactionId each), some by citizens sending a filled-in
 * application from the portal (`POST /apply/d/:id/submit`, the draft's own transaction id).
 * The database is prepared before the server starts: the officer, and for each citizen an
 * account, a portal session and a complete draft.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pino from 'pino';
import { sql } from 'kysely';
import { localDateOf } from '@causo/domain';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { openDatabase, PGLITE_CONF, type Db } from '../../src/db/database.ts';
import { PG_PARSERS } from '../../src/db/types.ts';
import { sha256 } from '../../src/modules/auth/sessions.ts';
import { startDraft } from '../../src/modules/dossiers/drafts.ts';
import { freshPostgres, pgliteTemplate, type Engine } from '../support/engines.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { makeCitizen } from '../support/citizens.ts';
import { fillDraft } from '../apply/helpers.ts';

export const DATA_KEY = 'submission-crash-test-data-key-0123456789-abcdef';
/** Communes and a village (numbered by its commune's agency) in force since the 2025 reorganisation. */
const UNITS = ['25308', '25309', '25318', '25308-02'];
/** Procedures of three sectors, so counters are kept per sector and for '*'. */
const PROCEDURES = ['1.001193', '1.001699', '1.008878'];
/** A procedure whose portal form the apply tests' helper fills in. */
const PORTAL_PROCEDURE = '1.004873';

export interface PortalApplicant {
  draftId: number;
  transactionId: string;
  cookie: string;
  csrf: string;
}

export interface Prepared {
  serverEnv: Record<string, string>;
  officer: { username: string; password: string };
  citizens: PortalApplicant[];
  /** Opens the database for inspection (PGlite: only once the server has stopped). */
  inspect: () => Promise<Db>;
  dispose: () => Promise<void>;
}

async function fillIn(db: Db, engine: Engine, citizens: number): Promise<{ officer: { username: string; password: string }; citizens: PortalApplicant[] }> {
  const ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', DATA_KEY }), db, pino({ level: 'silent' }));
  const officer = await makeOfficer(db, [{ role: 'officer', unitCode: '75', on: localDateOf(new Date()) }]);
  const out: PortalApplicant[] = [];
  let filled: number | null = null;
  for (let i = 0; i < citizens; i++) {
    const c = await makeCitizen(ctx, { fullName: `Công dân thử ${engine} ${String(i).padStart(4, '0')}`, phone: `0913${String(i).padStart(6, '0')}` });
    const actor = { citizenId: c.id, ip: null };
    const { id } = await startDraft(ctx, actor, PORTAL_PROCEDURE);
    // Filling in page by page costs about a second each on a busy machine: the first is filled, the others copy it.
    if (filled === null) await fillDraft(ctx, actor, (filled = id));
    else await copyAnswers(db, filled, id, c.id);
    const draft = await db.kysely.selectFrom('drafts').select('submit_transaction_id').where('id', '=', id).executeTakeFirstOrThrow();
    const session = await db.kysely.selectFrom('sessions').select('csrf_token').where('token_hash', '=', sha256(c.sessionToken)).executeTakeFirstOrThrow();
    out.push({ draftId: id, transactionId: draft.submit_transaction_id, cookie: c.cookie, csrf: session.csrf_token });
  }
  return { officer, citizens: out };
}

/** The answers and papers of a filled-in draft, into another citizen's new draft of the same procedure. */
async function copyAnswers(db: Db, from: number, to: number, citizenId: number): Promise<void> {
  await db.transaction(async (trx) => {
    const source = await trx.selectFrom('drafts').select(['answers', 'answers_sealed', 'unit_id', 'current_step']).where('id', '=', from).executeTakeFirstOrThrow();
    await trx.updateTable('drafts').set({ answers: JSON.stringify(source.answers), answers_sealed: source.answers_sealed, unit_id: source.unit_id, current_step: source.current_step }).where('id', '=', to).execute();
    await trx
      .insertInto('documents')
      .columns(['draft_id', 'kind', 'label', 'filename', 'content_type', 'byte_size', 'sha256', 'data', 'uploaded_by_citizen'])
      .expression((eb) =>
        eb
          .selectFrom('documents')
          .select([sql.lit(to).as('draft_id'), 'kind', 'label', 'filename', 'content_type', 'byte_size', 'sha256', 'data', sql.lit(citizenId).as('uploaded_by_citizen')])
          .where('draft_id', '=', from),
      )
      .execute();
  });
}

/** A fresh database (reference data, no demo) with the officer and the citizens' drafts. */
export async function prepare(engine: Engine, citizens: number): Promise<Prepared> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-submission-crash-'));
    const pglite = await PGlite.create(dir, { loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
    const db = await openDatabase({ pglite });
    const people = await fillIn(db, engine, citizens);
    await db.close();
    let opened: Db | null = null;
    return {
      serverEnv: { DATA_DIR: dir },
      ...people,
      inspect: async () => (opened ??= await openDatabase({ dataDir: dir })),
      dispose: async () => {
        await opened?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pg = await freshPostgres();
  const people = await fillIn(pg.db, engine, citizens);
  return {
    serverEnv: { DATABASE_URL: pg.url, DB_POOL_SIZE: '10' },
    ...people,
    inspect: async () => pg.db,
    dispose: async () => {
      await pg.db.close();
      await pg.drop();
    },
  };
}

/**
 * The cluster state a PGlite data folder's `global/pg_control` records (PostgreSQL's DBState, an
 * int32 after the system identifier and two version numbers): 'in production' after a kill means
 * the next start must replay the write-ahead log; a clean stop leaves 'shut down'.
 */
export function pgliteClusterState(dataDir: string): string {
  const state = readFileSync(join(dataDir, 'global', 'pg_control')).readInt32LE(16);
  return ['starting up', 'shut down', 'shut down in recovery', 'shutting down', 'in crash recovery', 'in archive recovery', 'in production'][state] ?? `state ${state}`;
}

export type Outcome = 'unsent' | 'in_flight' | 'acknowledged' | 'refused' | 'no_answer';

export interface Submission {
  n: number;
  transactionId: string;
  send: { kind: 'api'; body: Record<string, unknown> } | { kind: 'portal'; applicant: PortalApplicant };
  outcome: Outcome;
  /** The code it was acknowledged with. */
  code?: string;
  answer?: string;
}

/** `count` submissions; every tenth-or-so is a citizen's (as many as there are drafts), spread evenly. */
export function submissions(engine: Engine, count: number, citizens: PortalApplicant[]): Submission[] {
  const every = citizens.length ? Math.floor(count / citizens.length) : Infinity;
  let portal = 0;
  return Array.from({ length: count }, (_, n): Submission => {
    const applicant = n % every === every - 1 ? citizens[portal++] : undefined;
    if (applicant) return { n, transactionId: applicant.transactionId, send: { kind: 'portal', applicant }, outcome: 'unsent' };
    const transactionId = randomUUID();
    // Mostly counter (received at once: counters and an SMS), some online (status 1), some by post.
    const channel = [1, 1, 1, 2, 3][n % 5];
    const person: Record<string, string> = { fullName: `Người nộp thử ${engine} ${String(n).padStart(5, '0')}` };
    if (n % 2 === 0) person.phone = `0912${String(n).padStart(6, '0')}`;
    if (n % 3 === 0) person.idNumber = `0703${String(n).padStart(8, '0')}`;
    const body = { transactionId, procedureCode: PROCEDURES[n % PROCEDURES.length], unitCode: UNITS[n % UNITS.length], channel, applicant: person, formData: {} };
    return { n, transactionId, send: { kind: 'api', body }, outcome: 'unsent' };
  });
}

export interface Answer {
  status: number;
  /** The dossier's code when the answer says it is stored. */
  code?: string;
  /** The API's `replayed: true` (the portal answers a repeat exactly like the first send). */
  replayed?: boolean;
  text: string;
}

/** Sends one submission; throws when no answer comes (connection refused or cut). */
export async function send(baseUrl: string, token: string, s: Submission): Promise<Answer> {
  const signal = AbortSignal.timeout(120_000);
  if (s.send.kind === 'portal') {
    const a = s.send.applicant;
    const res = await fetch(`${baseUrl}/apply/d/${a.draftId}/submit`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: a.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: a.csrf }).toString(),
      signal,
    });
    const text = await res.text();
    const done = /^\/apply\/done\/(.+)$/.exec(res.headers.get('location') ?? '');
    return res.status === 303 && done?.[1] ? { status: res.status, code: decodeURIComponent(done[1]), text: '' } : { status: res.status, text: text.slice(0, 300) };
  }
  const res = await fetch(`${baseUrl}/api/v1/dossiers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(s.send.body),
    signal,
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) return { status: res.status, text: text.slice(0, 300) };
  const body = JSON.parse(text) as { code: string; replayed?: boolean };
  return { status: res.status, code: body.code, text: '', ...(body.replayed ? { replayed: true } : {}) };
}

/** A first send's success: 201 from the API, the confirmation page's address from the portal. */
export function isAcknowledgement(s: Submission, a: Answer): boolean {
  return a.code !== undefined && (s.send.kind === 'portal' ? a.status === 303 : a.status === 201);
}

export async function signIn(baseUrl: string, officer: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(officer) });
  if (!res.ok) throw new Error(`sign-in ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
