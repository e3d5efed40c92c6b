import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkTag, taggedSecret } from './key-tag.ts';

const key = randomBytes(32).toString('base64');
const otherKey = randomBytes(32).toString('base64');

describe('tagged credentials', () => {
  it('are told from made-up ones without a lookup', async () => {
    const secret = await taggedSecret('lumen_sk_', key);
    expect(secret).toMatch(/^lumen_sk_v2_[A-Za-z0-9_-]{54}$/);
    // Prefixed, URL-safe, and different every time.
    expect(await taggedSecret('lumen_sk_', key)).not.toBe(secret);
    expect(await checkTag(secret, key)).toBe('tagged');
    expect(await checkTag(secret, otherKey)).toBe('forged');
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(await checkTag(flipped, key)).toBe('forged');
    const body = secret.slice(0, 20) + (secret[20] === 'x' ? 'y' : 'x') + secret.slice(21);
    expect(await checkTag(body, key)).toBe('forged');
  });

  it('leave older secrets, and every secret when no key is set, to the database', async () => {
    expect(await checkTag(`lumen_sk_${randomBytes(32).toString('base64url')}`, key)).toBe('untagged');
    expect(await checkTag('kit_at_whatever', key)).toBe('untagged');
    expect(await checkTag(await taggedSecret('kit_at_', key), undefined)).toBe('untagged');
  });

  it('tag every prefix the platform issues', async () => {
    for (const prefix of ['lumen_sk_', 'ops_sk_', 'dpd_pw_', 'kit_at_', 'gck_']) {
      expect(await checkTag(await taggedSecret(prefix, key), key)).toBe('tagged');
    }
  });
});
