/**
 * Leased permits against the counting they replace: isolates sharing one limiter, simulated over
 * random traffic, never serve more than the limit in any window, and refuse only when the window
 * truly holds the limit (spent, or held unspent by an isolate for at most a lease).
 */
import { describe, expect, it } from 'vitest';
import { leaseMs, leaseWanted, maxLeaseWanted, PermitPool } from './lease.ts';
import { CountedWindow } from './window.ts';

/** A small seeded generator, so a failure names the run that found it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('PermitPool', () => {
  const name = 'credential:a';
  const decision = (permits: string[]) => ({ allowed: true, retryAfterSeconds: 0, limit: 100, remaining: 90, windowSeconds: 60, permits, permit: permits[0] });

  it('asks for one permit at first, for a few while serving steadily', () => {
    const pool = new PermitPool();
    expect(pool.wanted(name, 0)).toBe(1);
    pool.keep(name, decision(['p0']), 0);
    expect(pool.wanted(name, leaseMs - 1)).toBe(leaseWanted);
    expect(pool.wanted(name, leaseMs)).toBe(1);
  });

  it('asks for twice as many when a lease is spent before it ends, once per lease, up to the most; half as many when one ends unspent', () => {
    const pool = new PermitPool();
    const permits = (n: number, from: number) => Array.from({ length: n }, (_, i) => `p${from + i}`);
    pool.keep(name, decision(['p0']), 0);
    let asked = pool.wanted(name, 10);
    expect(asked).toBe(leaseWanted);
    let issued = 1;
    for (let now = 20; asked < maxLeaseWanted; now += 10) {
      pool.keep(name, decision(permits(asked, issued)), now);
      issued += asked;
      while (pool.take(name, now + 1)) {
        // Spent at once: faster than its leases.
      }
      const next = pool.wanted(name, now + 2);
      // Another request finding the same lease spent does not double it again.
      expect(pool.wanted(name, now + 3)).toBe(next);
      expect(next).toBe(Math.min(maxLeaseWanted, asked * 2));
      asked = next;
    }
    expect(asked).toBe(maxLeaseWanted);
    const lease = pool.keep(name, decision(permits(asked, issued)), 500)!;
    pool.take(name, 501);
    expect(pool.expire(name, lease)).toHaveLength(asked - 2);
    expect(pool.wanted(name, 600)).toBe(maxLeaseWanted / 2);
  });

  it('spends held permits until the lease ends, reporting what remains, then hands back what is left', () => {
    const pool = new PermitPool();
    pool.keep(name, decision(['p0', 'p1', 'p2', 'p3']), 1_000);
    expect(pool.take(name, 1_100)).toMatchObject({ allowed: true, permit: 'p1', remaining: 92 });
    expect(pool.take(name, 1_200)).toMatchObject({ permit: 'p2', remaining: 91 });
    expect(pool.take(name, 1_000 + leaseMs)).toBeNull();
    expect(pool.endLeases(name, 1_000 + leaseMs)).toEqual(['p3']);
    expect(pool.endLeases(name, 1_000 + leaseMs)).toEqual([]);
  });

  it("keeps a replay's permit for the next request while its lease runs, and counts any other into the room it reports", () => {
    const pool = new PermitPool();
    pool.keep(name, decision(['p0', 'p1', 'p2']), 0);
    expect(pool.take(name, 10)).toMatchObject({ permit: 'p1', remaining: 91 });
    expect(pool.giveBack(name, 'p1', 20)).toBe(true);
    expect(pool.take(name, 30)).toMatchObject({ permit: 'p1', remaining: 91 });
    // The request's own permit (p0) is the limiter's to uncount: one more of room, reported.
    expect(pool.giveBack(name, 'p0', 40)).toBe(false);
    expect(pool.take(name, 50)).toMatchObject({ permit: 'p2', remaining: 91 });
    expect(pool.giveBack(name, 'p2', leaseMs)).toBe(false);
  });

  it('hands back a lease once, whichever ends it first', () => {
    const pool = new PermitPool();
    const lease = pool.keep(name, decision(['p0', 'p1', 'p2']), 0)!;
    expect(pool.endLeases(name, leaseMs)).toEqual(['p1', 'p2']);
    expect(pool.expire(name, lease)).toEqual([]);
  });
});

describe('leased permits under random traffic', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: never more than the limit in any window, and no refusal with room`, () => {
      const next = random(seed);
      const config = { limit: 20 + Math.floor(next() * 100), windowSeconds: 5 };
      const windowMs = config.windowSeconds * 1000;
      const limiter = new CountedWindow();
      const isolates = Array.from({ length: 1 + Math.floor(next() * 4) }, () => new PermitPool());
      const name = 'credential:x';
      const served: number[] = [];
      let now = 0;
      let refusedWithRoom = 0;
      for (let step = 0; step < 5_000; step++) {
        now += Math.floor(next() ** 3 * 100);
        // Leases whose end a timer has seen: given back (timers fire late, or not before the next request).
        for (const pool of isolates) if (next() < 0.3) limiter.giveBack(pool.endLeases(name, now - Math.floor(next() * 50)));
        const pool = isolates[Math.floor(next() * isolates.length)]!;
        if (pool.take(name, now)) {
          served.push(now);
          continue;
        }
        limiter.giveBack(pool.endLeases(name, now));
        const { decision } = limiter.grant(config, pool.wanted(name, now), now, now + leaseMs);
        if (decision.allowed) {
          pool.keep(name, decision, now);
          served.push(now);
          continue;
        }
        // Refused: the window must hold the limit in requests served, or in permits held unspent, or
        // in permits spent within a lease's length before it began (counted at their lease's end).
        // (Looking ends every lease and gives back what they held, as their timers would.)
        const recent = served.filter((t) => t > now - windowMs - leaseMs).length;
        const held = isolates.flatMap((p) => p.endLeases(name, Infinity));
        if (recent + held.length < config.limit) refusedWithRoom++;
        limiter.giveBack(held);
      }
      for (let i = 0, j = 0; i < served.length; i++) {
        while (served[j]! <= served[i]! - windowMs) j++;
        expect(i - j + 1, `${i - j + 1} served in the window ending at ${served[i]} ms`).toBeLessThanOrEqual(config.limit);
      }
      expect(refusedWithRoom).toBe(0);
      expect(served.length).toBeGreaterThan(config.limit);
    });
  }
});
