import { describe, expect, it } from 'vitest';
import { aesKeyProblem, decryptSecret, encryptSecret, sha256Hex } from './index.ts';

const key = 'H6JsjtySxE+5CrVol4Y6QoLZmvHfq+6KYuujBxWkehU=';
const otherKey = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('encryptSecret / decryptSecret', () => {
  it('round-trips and never repeats a ciphertext', async () => {
    const sealed = await encryptSecret('consumer secret', key);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('consumer');
    expect(await encryptSecret('consumer secret', key)).not.toBe(sealed);
    expect(await decryptSecret(sealed, key)).toBe('consumer secret');
  });

  it('refuses the wrong key and altered text', async () => {
    const sealed = await encryptSecret('consumer secret', key);
    await expect(decryptSecret(sealed, otherKey)).rejects.toThrow();
    const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    await expect(decryptSecret(altered, key)).rejects.toThrow();
    await expect(decryptSecret('v2.x.y', key)).rejects.toThrow(/format/);
  });

  it('explains a bad key', () => {
    expect(aesKeyProblem(undefined)).toBe('is not set');
    expect(aesKeyProblem('c2hvcnQ=')).toBe('must decode to exactly 32 bytes');
    expect(aesKeyProblem('***')).toBe('is not valid base64');
    expect(aesKeyProblem(key)).toBeNull();
  });
});
