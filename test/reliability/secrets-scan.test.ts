/** The secret scan that runs after the suite finds what it looks for, and not ids or timestamps. */
import { describe, expect, it } from 'vitest';
import { findingsIn } from './secrets-scan.ts';

describe('findingsIn', () => {
  it('finds keys, tokens, JWTs, card numbers and CVVs', () => {
    const text = [
      '{"key":"kit_at_' + 'A'.repeat(43) + '"}',
      'password=dpd_demo_Gb_XfHKM9howfND-meO0LtK1',
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoicHVyY2hhc2VzX2FwaSJ9.c2lnbmF0dXJlLWhlcmUtbG9uZw',
      'card 4111111111111111 and CVV=123',
      'known: my-platform-secret-value',
    ].join('\n');
    expect(findingsIn(text, 'x', ['my-platform-secret-value']).map((f) => f.what.split(' (')[0])).toEqual([
      'a known secret', 'an issued credential secret', 'a demo credential secret', 'a JWT', 'a CVV', 'a card number',
    ]);
  });

  it('leaves ids, digests, timestamps and masked cards alone', () => {
    const text = '/Date(1795395988576)/ 2026-11-22T10:00:00Z 8b2e4c6d-0f1a-4b3c-9d5e-7f8a9b0c1d01 ' +
      'a3f1c0de5566778899001122334455667788990011223344556677889900aabb order 117342 ************1111 last4 1111';
    expect(findingsIn(text, 'x', [])).toEqual([]);
  });
});
