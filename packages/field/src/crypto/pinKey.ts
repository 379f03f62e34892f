/**
 * The data key that encrypts personal fields on the phone, and its wrapping by the 6-digit PIN.
 *
 * A random AES-GCM key encrypts the data; it is stored only wrapped (encrypted) by a key derived
 * from a secret with PBKDF2-SHA-256 and a random salt. Unlocking derives the wrapping key again
 * and unwraps: AES-GCM's tag tells a wrong secret from a right one. The unwrapped key is
 * non-extractable and lives only in memory while the app is unlocked.
 *
 * The data key is wrapped twice: by the PIN (offline unlock) and by the account password (after
 * 5 wrong PINs the member signs in online, the password unwraps the key, and a new PIN wraps it
 * again: nothing typed on the phone is lost to a forgotten PIN).
 */
import { fromBase64, toBase64 } from './base64.ts';

export const PBKDF2_ITERATIONS = 310_000;

/** What is stored on the phone: nothing here reveals the secret or the data key without a guess. */
export interface WrappedKey {
  v: 1;
  salt: string;
  iv: string;
  wrapped: string;
  iterations: number;
}

export const isPin = (pin: string): boolean => /^\d{6}$/.test(pin);

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

async function secretKey(secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', new TextEncoder().encode(secret), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export const importDataKey = (raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> => subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);

export const newRawKey = (): Uint8Array<ArrayBuffer> => globalThis.crypto.getRandomValues(new Uint8Array(32));

export async function wrapRawKey(secret: string, raw: Uint8Array<ArrayBuffer>, iterations = PBKDF2_ITERATIONS): Promise<WrappedKey> {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const wrapping = await secretKey(secret, salt, iterations);
  const wrapped = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv }, wrapping, raw));
  return { v: 1, salt: toBase64(salt), iv: toBase64(iv), wrapped: toBase64(wrapped), iterations };
}

/** The raw key bytes, or null when the secret is wrong. Callers wipe the bytes after use. */
export async function unwrapRawKey(secret: string, stored: WrappedKey): Promise<Uint8Array<ArrayBuffer> | null> {
  const wrapping = await secretKey(secret, fromBase64(stored.salt), stored.iterations);
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: fromBase64(stored.iv) }, wrapping, fromBase64(stored.wrapped)));
  } catch {
    return null;
  }
}

/** A new random data key wrapped with the PIN (and the password when given). */
export async function createDataKey(pin: string, iterations = PBKDF2_ITERATIONS, password?: string): Promise<{ key: CryptoKey; stored: WrappedKey; byPassword: WrappedKey | null }> {
  if (!isPin(pin)) throw new Error('PIN must be 6 digits');
  const raw = newRawKey();
  const stored = await wrapRawKey(pin, raw, iterations);
  const byPassword = password ? await wrapRawKey(password, raw, iterations) : null;
  const key = await importDataKey(raw);
  raw.fill(0);
  return { key, stored, byPassword };
}

/** The data key, or null when the PIN is wrong. */
export async function unwrapDataKey(pin: string, stored: WrappedKey): Promise<CryptoKey | null> {
  if (!isPin(pin)) return null;
  const raw = await unwrapRawKey(pin, stored);
  if (!raw) return null;
  const key = await importDataKey(raw);
  raw.fill(0);
  return key;
}

/** After a lockout: the password opens the key, a new PIN wraps it. Null when the password does not open it. */
export async function rewrapWithNewPin(password: string, byPassword: WrappedKey, newPin: string, iterations = PBKDF2_ITERATIONS): Promise<{ key: CryptoKey; stored: WrappedKey } | null> {
  const raw = await unwrapRawKey(password, byPassword);
  if (!raw) return null;
  const stored = await wrapRawKey(newPin, raw, iterations);
  const key = await importDataKey(raw);
  raw.fill(0);
  return { key, stored };
}

/** PINs anyone would try first. */
export function isWeakPin(pin: string): boolean {
  if (/^(\d)\1{5}$/.test(pin)) return true;
  const asc = '0123456789012';
  const desc = '9876543210987';
  return asc.includes(pin) || desc.includes(pin);
}
