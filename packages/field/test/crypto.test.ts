import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDataKey, unwrapDataKey, PBKDF2_ITERATIONS, isPin } from '../src/crypto/pinKey.ts';
import { seal, unseal } from '../src/crypto/seal.ts';

describe('PIN-wrapped data key', () => {
  it('derives the wrapping key with PBKDF2-SHA-256 and at least 200,000 iterations', async () => {
    assert.ok(PBKDF2_ITERATIONS >= 200_000);
    const { stored } = await createDataKey('246810');
    assert.equal(stored.iterations, PBKDF2_ITERATIONS);
    assert.equal(atob(stored.salt).length, 16);
    assert.ok(!JSON.stringify(stored).includes('246810'));
  });

  it('unlocks with the right PIN and refuses a wrong one', async () => {
    const { key, stored } = await createDataKey('246810', 1000);
    const sealed = await seal(key, { idNumber: '070090001234', phones: ['0912345678'] });
    assert.ok(!sealed.includes('0912345678'));
    assert.equal(await unwrapDataKey('135790', stored), null);
    assert.equal(await unwrapDataKey('12345', stored), null);
    const again = await unwrapDataKey('246810', stored);
    assert.ok(again);
    assert.deepEqual(await unseal(again, sealed), { idNumber: '070090001234', phones: ['0912345678'] });
  });

  it('keeps the data key in memory only: it cannot be exported', async () => {
    const { key } = await createDataKey('246810', 1000);
    assert.equal(key.extractable, false);
    await assert.rejects(globalThis.crypto.subtle.exportKey('raw', key));
  });

  it('seals the same value differently each time and detects tampering', async () => {
    const { key } = await createDataKey('111111', 1000);
    const a = await seal(key, '1990-01-02');
    const b = await seal(key, '1990-01-02');
    assert.notEqual(a, b);
    const bytes = Uint8Array.from(atob(a), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await assert.rejects(unseal(key, btoa(String.fromCharCode(...bytes))));
  });

  it('accepts exactly six digits as a PIN', () => {
    assert.ok(isPin('000000'));
    assert.ok(!isPin('00000a'));
    assert.ok(!isPin('1234567'));
  });
});

describe('recovering the data key after a lockout', () => {
  it('opens the key with the account password and wraps it with a new PIN', async () => {
    const { rewrapWithNewPin } = await import('../src/crypto/pinKey.ts');
    const { key, byPassword } = await createDataKey('246810', 1000, 'correct horse battery');
    assert.ok(byPassword);
    const sealed = await seal(key, { phones: ['0912345678'] });
    assert.equal(await rewrapWithNewPin('wrong password', byPassword, '975310', 1000), null);
    const again = await rewrapWithNewPin('correct horse battery', byPassword, '975310', 1000);
    assert.ok(again);
    const reopened = await unwrapDataKey('975310', again.stored);
    assert.ok(reopened);
    assert.deepEqual(await unseal(reopened, sealed), { phones: ['0912345678'] });
  });

  it('refuses PINs anyone would try first', async () => {
    const { isWeakPin } = await import('../src/crypto/pinKey.ts');
    for (const p of ['000000', '123456', '987654', '111111']) assert.ok(isWeakPin(p), p);
    assert.ok(!isWeakPin('246813'));
  });
});
