import { describe, expect, it } from 'vitest';
import { CountedWindow, decide, leaseSize, parseRateLimit } from './window.ts';

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

describe('leaseSize', () => {
  it('grants what was asked, at most a quarter of the room, at least one while there is room', () => {
    expect(leaseSize(600, 8)).toBe(8);
    expect(leaseSize(20, 8)).toBe(5);
    expect(leaseSize(3, 8)).toBe(1);
    expect(leaseSize(1, 8)).toBe(1);
    expect(leaseSize(0, 8)).toBe(0);
    expect(leaseSize(600, 1)).toBe(1);
  });
});

describe('CountedWindow', () => {
  const config = { limit: 10, windowSeconds: 10 };
  it("counts a lease's own permit now and the rest at the lease's end, in order", () => {
    const window = new CountedWindow();
    const { decision, counted } = window.grant(config, 4, 1_000, 2_000);
    // Room 10: a quarter of it, 2, of the 4 asked for.
    expect(decision).toMatchObject({ allowed: true, remaining: 8 });
    expect(decision.permits).toHaveLength(2);
    expect(Object.values(counted)).toEqual([1_000, 2_000]);
    // A single request counted after the lease, before its end, goes before the leased permit.
    window.grant(config, 1, 1_500, 1_500);
    expect(window.allowedAt).toEqual([1_000, 1_500, 2_000]);
    expect([...window.keys].sort()).toEqual(window.keys);
  });

  it('gives back only what it still counts, and forgets what left the window', () => {
    const window = new CountedWindow();
    const { decision } = window.grant(config, 8, 0, 1_000);
    expect(window.giveBack([decision.permits[1]!, 'hit:unknown'])).toEqual([decision.permits[1]]);
    expect(window.allowedAt).toEqual([0]);
    const later = window.grant(config, 1, 10_000, 10_000);
    expect(later.expired).toHaveLength(1);
    expect(window.allowedAt).toEqual([10_000]);
  });
});
