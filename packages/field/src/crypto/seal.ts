/**
 * Encrypting a small JSON value at rest with the data key (AES-GCM, a fresh 96-bit IV each
 * time). The sealed form is one base64 string: IV then ciphertext with its tag.
 */
import { fromBase64, toBase64 } from './base64.ts';

export async function seal(key: CryptoKey, value: unknown): Promise<string> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const cipher = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
  const out = new Uint8Array(iv.length + cipher.length);
  out.set(iv);
  out.set(cipher, iv.length);
  return toBase64(out);
}

/** Throws when the text was not sealed with this key (or was altered). */
export async function unseal(key: CryptoKey, sealed: string): Promise<unknown> {
  const bytes = fromBase64(sealed);
  const plain = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, key, bytes.subarray(12));
  return JSON.parse(new TextDecoder().decode(plain)) as unknown;
}
