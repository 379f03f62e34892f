/**
 * Personal data at rest: applicant phone numbers, ID numbers and addresses are sealed with
 * AES-256-GCM under a key derived from DATA_KEY, and looked up only by keyed hash (HMAC), so a
 * leaked database dump shows neither the values nor a hash that can be brute-forced offline.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export class Vault {
  readonly #encKey: Buffer;
  readonly #macKey: Buffer;

  constructor(secret: string) {
    const ikm = Buffer.from(secret, 'utf8');
    this.#encKey = Buffer.from(hkdfSync('sha256', ikm, 'causo', 'personal-data-encryption', 32));
    this.#macKey = Buffer.from(hkdfSync('sha256', ikm, 'causo', 'personal-data-lookup', 32));
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  open<T = unknown>(sealed: string): T {
    const [v, iv, body, tag] = sealed.split('.');
    if (v !== 'v1' || !iv || !body || !tag) throw new Error('sealed value has an unknown format');
    const d = createDecipheriv('aes-256-gcm', this.#encKey, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8')) as T;
  }

  /** Keyed hash of a normalised value, for equality look-ups. */
  lookupHash(kind: LookupKind, value: string): string {
    return createHmac('sha256', this.#macKey).update(`${kind}:${normalizeLookup(kind, value)}`).digest('base64url');
  }
}

export type LookupKind = 'phone' | 'id' | 'email';

/** Phones compare as national numbers (0912…, +84912… and 84912… are the same subscriber); e-mail addresses ignore case. */
export function normalizeLookup(kind: LookupKind, value: string): string {
  if (kind === 'email') return value.trim().toLowerCase();
  const digits = value.replace(/\D/g, '');
  if (kind === 'id') return digits;
  if (digits.startsWith('84') && digits.length >= 11) return `0${digits.slice(2)}`;
  return digits;
}
