import { describe, expect, it } from 'vitest';
import { redact } from './index.ts';

describe('redact', () => {
  it('masks fields named like secrets, at any depth, and flattens errors', () => {
    const out = redact({
      apiKey: 'lumen_sk_x',
      password: 'p',
      nested: { authorization: 'Bearer t', cardNumber: '4111111111111111', ok: 1 },
      company: 'acme',
      error: new TypeError('boom'),
    });
    expect(out).toEqual({
      apiKey: '[redacted]',
      password: '[redacted]',
      nested: { authorization: '[redacted]', cardNumber: '[redacted]', ok: 1 },
      company: 'acme',
      error: { name: 'TypeError', message: 'boom' },
    });
  });
});
