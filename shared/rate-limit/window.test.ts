import { describe, expect, it } from 'vitest';
import { decide, parseRateLimit } from './window.ts';

describe('parseRateLimit', () => {
  it('reads requests/seconds and falls back on anything else', () => {
    const fallback = { limit: 30, windowSeconds: 60 };
    expect(parseRateLimit('100000/60', fallback)).toEqual({ limit: 100000, windowSeconds: 60 });
    expect(parseRateLimit(' 5 / 10 ', fallback)).toEqual({ limit: 5, windowSeconds: 10 });
    for (const text of [undefined, '', '0/60', '5/0', '5', 'five/60', '1/2/3']) expect(parseRateLimit(text, fallback)).toEqual(fallback);
  });
});

describe('decide', () => {
  const config = { limit: 3, windowSeconds: 10 };
  it('allows up to the limit in the window, then says when room comes back', () => {
    expect(decide([], config, 0)).toMatchObject({ allowed: true, remaining: 2 });
    expect(decide([0, 1000], config, 2000)).toMatchObject({ allowed: true, remaining: 0 });
    // Full: the oldest counted request (at 0) leaves the window at 10 s.
    expect(decide([0, 1000, 2000], config, 2500)).toMatchObject({ allowed: false, retryAfterSeconds: 8, remaining: 0 });
  });
  it('forgets requests that left the window', () => {
    expect(decide([0, 1000, 2000], config, 10_000)).toMatchObject({ allowed: true, expired: 1, remaining: 0 });
    expect(decide([0, 1000, 2000], config, 20_000)).toMatchObject({ allowed: true, expired: 3, remaining: 2 });
  });
});
