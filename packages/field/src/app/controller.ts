/**
 * The app's one controller: who is signed in, locked or unlocked, the open database, the sync
 * engine and its status, the bootstrap data (villages, team, procedures), and saving a change
 * (an envelope in IndexedDB before "Saved" is shown). Screens read it through useController().
 */
import { Dexie } from 'dexie';
import { useEffect, useState } from 'preact/hooks';
import { createDataKey, isPin, rewrapWithNewPin, unwrapDataKey, PBKDF2_ITERATIONS, type WrappedKey } from '../crypto/pinKey.ts';
import { seal, unseal } from '../crypto/seal.ts';
import { SyncEngine, type SyncReport } from '../sync/engine.ts';
import { HttpTransport } from '../sync/httpTransport.ts';
import { TransportError, UNACKNOWLEDGED, type LocalFile } from '../sync/types.ts';
import { makeEnvelope, type EnvelopeInput } from '../sync/envelopes.ts';
import { FieldDb, dbNameOf } from '../store/db.ts';
import { DexieSyncStore } from '../store/dexieStore.ts';
import { deviceLabel, fetchBootstrap, signIn, signOut, type Bootstrap, type Member } from './api.ts';
import { deviceId, forgetMember, markWiped, rememberMember, rememberedMember, takeWipedNotice } from './local.ts';
import type { MessageKey } from '../i18n/index.ts';

export const MAX_PIN_FAILURES = 5;
const AUTO_SYNC_MS = 4 * 60_000;
const KEEP_SENT_MS = 7 * 86_400_000;

export type Phase =
  | { kind: 'loading' }
  | { kind: 'signIn'; notice: MessageKey | null }
  | { kind: 'setPin' }
  | { kind: 'unlock'; name: string; failures: number }
  | { kind: 'ready' };

export type SyncStatus =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'ok'; report: SyncReport }
  | { kind: 'offline' }
  | { kind: 'error'; code: string };

interface PendingSignIn {
  member: Member;
  token: string;
  expiresAt: string;
  password: string;
}

export type SaveInput = Omit<EnvelopeInput, 'deviceId' | 'memberId'>;

export class Controller {
  phase: Phase = { kind: 'loading' };
  member: Member | null = null;
  db: FieldDb | null = null;
  store: DexieSyncStore | null = null;
  bootstrap: Bootstrap | null = null;
  sync: SyncStatus = { kind: 'idle' };
  needsSignIn = false;
  toast: MessageKey | null = null;
  online = typeof navigator === 'undefined' ? true : navigator.onLine;

  private key: CryptoKey | null = null;
  private token: string | null = null;
  private engine: SyncEngine | null = null;
  private pending: PendingSignIn | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private soon: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<() => void>();

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  /** Bumped on every change, so a component subscribing late still sees what it missed. */
  version = 0;
  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
  private setPhase(p: Phase): void {
    this.phase = p;
    this.changed();
  }

  async start(): Promise<void> {
    window.addEventListener('online', () => {
      this.online = true;
      this.changed();
      void this.syncNow();
    });
    window.addEventListener('offline', () => {
      this.online = false;
      this.changed();
    });
    const wiped = takeWipedNotice();
    const remembered = rememberedMember();
    if (!remembered) return this.setPhase({ kind: 'signIn', notice: wiped ? 'signin.wiped' : null });
    const db = new FieldDb(remembered.id);
    const pinKey = await metaOf(db, 'pinKey');
    const failures = Number((await metaOf(db, 'pinFailures')) ?? '0');
    this.db = db;
    this.member = remembered;
    if (!pinKey) return this.setPhase({ kind: 'signIn', notice: null });
    if (failures >= MAX_PIN_FAILURES) return this.setPhase({ kind: 'signIn', notice: 'signin.locked_pin' });
    this.setPhase({ kind: 'unlock', name: remembered.displayName, failures });
  }

  // ---- signing in, PIN ----------------------------------------------------------------------

  /** Online sign-in. Returns an error message key, or null when the next step is shown. */
  async signIn(username: string, password: string, totp: string): Promise<MessageKey | { key: MessageKey; code: string } | null> {
    let answer;
    try {
      answer = await signIn({ username: username.trim(), password, ...(totp.trim() ? { totp: totp.trim() } : {}), deviceId: deviceId(), deviceLabel: deviceLabel() });
    } catch (err) {
      if (err instanceof TransportError) {
        if (err.kind === 'network') return 'signin.offline';
        if (err.status === 401) return 'signin.invalid';
        if (err.status === 423 || err.status === 429) return 'signin.locked';
        if (err.status === 403) return 'signin.not_member';
        return { key: 'signin.failed', code: err.code ?? String(err.status) };
      }
      return { key: 'signin.failed', code: 'network' };
    }
    const db = this.db && this.member?.id === answer.member.id ? this.db : new FieldDb(answer.member.id);
    if (this.db && this.db !== db) this.db.close();
    this.db = db;
    this.member = answer.member;
    // Signing in again while unlocked (the token had expired): keep going with the new token.
    if (this.key && this.phase.kind === 'ready') {
      await this.keepToken(answer.token, answer.expiresAt);
      this.makeEngine();
      this.needsSignIn = false;
      this.changed();
      void this.syncNow();
      return null;
    }
    this.pending = { member: answer.member, token: answer.token, expiresAt: answer.expiresAt, password };
    this.setPhase({ kind: 'setPin' });
    return null;
  }

  /** First PIN, or a new one after a lockout (the password re-opens the data key). */
  async setPin(pin: string): Promise<MessageKey | null> {
    const p = this.pending;
    const db = this.db;
    if (!p || !db) return 'signin.failed';
    if (!isPin(pin)) return 'pin.six_digits';
    const byPassword = await metaOf(db, 'passwordKey');
    let key: CryptoKey | null = null;
    if (byPassword) {
      const again = await rewrapWithNewPin(p.password, JSON.parse(byPassword) as WrappedKey, pin);
      if (again) {
        key = again.key;
        await db.meta.put({ key: 'pinKey', value: JSON.stringify(again.stored) });
      }
    }
    if (!key) {
      // A new phone (or the password changed since): records sealed with an old key cannot be
      // opened, so a database holding unsent records is kept untouched rather than overwritten.
      const unsent = await db.outbox.where('state').anyOf([...UNACKNOWLEDGED]).count();
      if (byPassword && unsent > 0) return 'signin.locked_pin';
      if (byPassword) {
        await db.delete();
        await db.open();
      }
      const created = await createDataKey(pin, PBKDF2_ITERATIONS, p.password);
      key = created.key;
      await db.meta.bulkPut([
        { key: 'pinKey', value: JSON.stringify(created.stored) },
        { key: 'passwordKey', value: JSON.stringify(created.byPassword) },
      ]);
    }
    await db.meta.put({ key: 'pinFailures', value: '0' });
    this.key = key;
    await this.keepToken(p.token, p.expiresAt);
    rememberMember(p.member);
    this.pending = null;
    await this.open();
    return null;
  }

  async unlock(pin: string): Promise<void> {
    const db = this.db;
    const member = this.member;
    if (!db || !member) return;
    const stored = await metaOf(db, 'pinKey');
    const key = stored ? await unwrapDataKey(pin, JSON.parse(stored) as WrappedKey) : null;
    if (!key) {
      const failures = Number((await metaOf(db, 'pinFailures')) ?? '0') + 1;
      await db.meta.put({ key: 'pinFailures', value: String(failures) });
      if (failures >= MAX_PIN_FAILURES) return this.setPhase({ kind: 'signIn', notice: 'signin.locked_pin' });
      return this.setPhase({ kind: 'unlock', name: member.displayName, failures });
    }
    await db.meta.put({ key: 'pinFailures', value: '0' });
    this.key = key;
    const sealedToken = await metaOf(db, 'token');
    this.token = sealedToken ? ((await unseal(key, sealedToken)) as string) : null;
    await this.open();
  }

  /** "Sign in with another account" from the unlock screen: this member's data stays, locked. */
  switchAccount(): void {
    this.db?.close();
    this.db = null;
    this.member = null;
    forgetMember();
    this.setPhase({ kind: 'signIn', notice: null });
  }

  private async keepToken(token: string, expiresAt: string): Promise<void> {
    if (!this.key || !this.db) return;
    this.token = token;
    await this.db.meta.bulkPut([
      { key: 'token', value: await seal(this.key, token) },
      { key: 'tokenExpiresAt', value: expiresAt },
    ]);
  }

  private makeEngine(): SyncEngine {
    if (!this.store) throw new Error('locked');
    this.engine = new SyncEngine(this.store, new HttpTransport({ baseUrl: '', token: this.token ?? '', deviceId: deviceId() }), { deviceId: deviceId() });
    return this.engine;
  }

  private async open(): Promise<void> {
    const db = this.db;
    if (!db || !this.key || !this.member) return;
    this.store = new DexieSyncStore(db, this.key);
    const boot = await metaOf(db, 'bootstrap');
    this.bootstrap = boot ? (JSON.parse(boot) as Bootstrap) : null;
    await this.makeEngine().recover();
    this.setPhase({ kind: 'ready' });
    this.timer ??= setInterval(() => void this.syncNow(), AUTO_SYNC_MS);
    if (this.online) void this.syncNow();
  }

  // ---- saving and syncing -------------------------------------------------------------------

  /**
   * Stores the change as an envelope in IndexedDB; resolves (and shows "Saved") only after.
   * `replaces`: the id of a needs_fixing envelope this one corrects; it is discarded in the same
   * transaction (false when it was not needs_fixing any more, and nothing is saved).
   */
  async save(input: SaveInput, files: LocalFile[] = [], replaces: string | null = null): Promise<boolean> {
    if (!this.store || !this.member) throw new Error('locked');
    const envelope = await makeEnvelope({ ...input, deviceId: deviceId(), memberId: this.member.id });
    if (replaces) {
      if (!(await this.store.replaceEnvelope(replaces, envelope, files))) return false;
    } else await this.store.addEnvelope(envelope, files);
    this.afterSave();
    return true;
  }

  /** "Bỏ bản ghi này" on a needs_fixing envelope. */
  async discard(id: string): Promise<boolean> {
    if (!this.store) throw new Error('locked');
    const done = await this.store.discardEnvelope(id);
    if (done) this.showToast('fix.discarded');
    return done;
  }

  private afterSave(): void {
    this.showToast('app.saved');
    void this.askPersistence();
    if (this.online) {
      if (this.soon) clearTimeout(this.soon);
      this.soon = setTimeout(() => void this.syncNow(), 3000);
    }
  }

  private toastKey: MessageKey | null = null;
  showToast(key: MessageKey): void {
    this.toastKey = key;
    this.toast = key;
    this.changed();
    setTimeout(() => {
      if (this.toastKey === key) {
        this.toast = null;
        this.toastKey = null;
        this.changed();
      }
    }, 4000);
  }

  private async askPersistence(): Promise<void> {
    if (!this.db || (await metaOf(this.db, 'persistAsked'))) return;
    await this.db.meta.put({ key: 'persistAsked', value: new Date().toISOString() });
    await navigator.storage?.persist?.().catch(() => false);
  }

  async syncNow(): Promise<void> {
    const engine = this.engine;
    if (!engine || !this.store) return;
    if (!this.token) {
      this.needsSignIn = true;
      this.changed();
      return;
    }
    if (engine.isRunning) return;
    this.sync = { kind: 'running' };
    this.changed();
    try {
      const report = await engine.syncOnce();
      await this.store.pruneSent(new Date(Date.now() - KEEP_SENT_MS).toISOString());
      this.sync = { kind: 'ok', report };
      await this.refreshBootstrap();
    } catch (err) {
      if (err instanceof TransportError && err.kind === 'wiped') return this.wipe();
      if (err instanceof TransportError && err.kind === 'unauthorized') this.needsSignIn = true;
      this.sync = err instanceof TransportError && err.kind === 'network' ? { kind: 'offline' } : { kind: 'error', code: err instanceof TransportError ? (err.code ?? String(err.status)) : 'app' };
    }
    this.changed();
  }

  private async refreshBootstrap(): Promise<void> {
    if (!this.token || !this.db) return;
    try {
      const boot = await fetchBootstrap(this.token, deviceId());
      this.bootstrap = boot;
      await this.store?.setMeta('bootstrap', JSON.stringify(boot));
    } catch (err) {
      if (err instanceof TransportError && err.kind === 'wiped') await this.wipe();
    }
  }

  /** The device was reported lost: everything of the team on this phone goes. */
  async wipe(): Promise<void> {
    this.stopTimers();
    const member = this.member;
    this.db?.close();
    if (member) await Dexie.delete(dbNameOf(member.id));
    if (typeof caches !== 'undefined') for (const name of await caches.keys()) if (!name.includes('precache')) await caches.delete(name);
    markWiped();
    this.reset();
    this.setPhase({ kind: 'signIn', notice: 'signin.wiped' });
  }

  /** Sign out: only when nothing waits to be sent; the phone keeps nothing of the member. */
  async signOut(): Promise<boolean> {
    if (!this.db || !this.member) return false;
    const unsent = await this.db.outbox.where('state').anyOf([...UNACKNOWLEDGED]).count();
    if (unsent > 0) return false;
    if (this.token) await signOut(this.token, deviceId()).catch(() => undefined);
    this.stopTimers();
    this.db.close();
    await Dexie.delete(dbNameOf(this.member.id));
    forgetMember();
    this.reset();
    this.setPhase({ kind: 'signIn', notice: 'signin.signed_out' });
    return true;
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = null;
    this.soon = null;
  }

  private reset(): void {
    this.key = null;
    this.token = null;
    this.engine = null;
    this.store = null;
    this.db = null;
    this.member = null;
    this.bootstrap = null;
    this.needsSignIn = false;
    this.sync = { kind: 'idle' };
  }

  /** Team members of the member's villages, for follow-up assignees. */
  teamMembers(): Member[] {
    const seen = new Map<number, Member>();
    for (const v of this.bootstrap?.villages ?? []) for (const m of v.team.members) seen.set(m.id, m);
    if (this.member && !seen.has(this.member.id)) seen.set(this.member.id, this.member);
    return [...seen.values()];
  }
}

async function metaOf(db: FieldDb, key: string): Promise<string | null> {
  return (await db.meta.get(key))?.value ?? null;
}

export const controller = new Controller();

/** Re-renders the component whenever the controller changes. */
export function useController(): Controller {
  const [seen, setSeen] = useState(controller.version);
  useEffect(() => {
    const off = controller.subscribe(() => setSeen(controller.version));
    if (controller.version !== seen) setSeen(controller.version);
    return off;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return controller;
}
