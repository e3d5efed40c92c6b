/**
 * Permits leased to an isolate: the limiter off the hot path.
 *
 * Asking a credential's Durable Object for every request costs each request a call (the largest
 * cost our code added to a request). An isolate serving a credential steadily asks for a few
 * permits at once instead, and spends them on the requests that follow without a call. The limit
 * still holds exactly: every permit is counted by the object when leased, those not spent at
 * once are counted at the lease's end (the latest they may be spent), a lease never takes more
 * than a quarter of the room left (`leaseSize`), and what is left unspent when the lease ends is
 * given back: with the isolate's next lease, or a lease's length after its end when none comes. A
 * credential's first request, and any near its limit, are counted one at a time.
 */
import { remember } from '../memory/index.ts';
import type { LeaseDecision, RateLimitDecision } from './window.ts';

/** How long leased permits may be spent. Short: an isolate holds nothing another could use for long. */
export const leaseMs = 1_000;
/** How many permits an isolate asks for while it serves a credential steadily, at first. */
export const leaseWanted = 8;
/**
 * The most it asks for: a lease spent before it ends doubles the next ask, one given back unspent
 * halves it, between leaseWanted and this. Each ask is a call to the credential's limiter, the
 * largest cost a request adds (measured in bench/notes.md, issue 28): at 300 requests a second an
 * isolate asking for 8 calls it 40 times a second, asking for 64 about 5 times.
 */
export const maxLeaseWanted = 64;

interface Lease {
  /** The permits not yet spent, and every one the lease held beyond its request's own. */
  permits: string[];
  issued: string[];
  until: number;
}

interface Held {
  leases: Lease[];
  leasedAt: number;
  /** What a steady ask is now (leaseWanted to maxLeaseWanted), and the lease that last doubled it. */
  wanted: number;
  grewAfter?: Lease;
  /** The last lease's decision, for the headers of the requests served from it. */
  decision: RateLimitDecision;
}

/** The permits an isolate holds, per limiter (one per credential), bounded in number. */
export class PermitPool {
  private readonly held = new Map<string, Held>();
  private readonly size: number;

  constructor(size = 10_000) {
    this.size = size;
  }

  /** A held permit for `name` still within its lease, as the decision the request reports; null when none. */
  take(name: string, now: number): RateLimitDecision | null {
    const held = this.held.get(name);
    if (!held) return null;
    const lease = held.leases.find((l) => l.until > now && l.permits.length > 0);
    if (!lease) return null;
    const permit = lease.permits.shift()!;
    const left = held.leases.reduce((sum, l) => sum + l.permits.length, 0);
    return { ...held.decision, allowed: true, retryAfterSeconds: 0, remaining: held.decision.remaining + left, permit };
  }

  /**
   * Permits to ask for: several only while this isolate is serving `name` steadily (it leased
   * within the last lease), twice as many as before when its last lease was spent before it ended
   * (once per lease, however many requests find it spent).
   */
  wanted(name: string, now: number): number {
    const held = this.held.get(name);
    if (!held || now - held.leasedAt >= leaseMs) return 1;
    const last = held.leases.at(-1);
    if (last && last.until > now && last.permits.length === 0 && held.grewAfter !== last) {
      held.wanted = Math.min(maxLeaseWanted, held.wanted * 2);
      held.grewAfter = last;
    }
    return held.wanted;
  }

  /**
   * Records a lease asked for at `leasedAt` (before the call, so it ends no later than the object
   * counted it): the permits beyond the request's own are held until it ends. Returns the lease,
   * for `expire`, or null when nothing beyond the request's own was granted.
   */
  keep(name: string, granted: LeaseDecision, leasedAt: number): Lease | null {
    const held = this.held.get(name) ?? { leases: [], leasedAt, decision: granted, wanted: leaseWanted };
    held.leasedAt = leasedAt;
    held.decision = granted;
    const extra = granted.permits.slice(1);
    const lease = extra.length > 0 ? { permits: [...extra], issued: extra, until: leasedAt + leaseMs } : null;
    if (lease) held.leases.push(lease);
    remember(this.held, name, held, this.size);
    return lease;
  }

  /** Ends every lease of `name` that is over at `now`: the permits they still held, to give back. */
  endLeases(name: string, now: number): string[] {
    const held = this.held.get(name);
    if (!held) return [];
    const over = held.leases.filter((l) => l.until <= now);
    return over.flatMap((lease) => this.expire(name, lease));
  }

  /**
   * A permit handed back by a request refused as a replay. One a running lease held is kept for
   * the next request (true). Any other is the limiter's to uncount (false), and the room this
   * isolate reports grows by it.
   */
  giveBack(name: string, permit: string, now: number): boolean {
    const held = this.held.get(name);
    if (!held) return false;
    const lease = held.leases.find((l) => l.until > now && l.issued.includes(permit));
    if (lease) lease.permits.unshift(permit);
    else held.decision = { ...held.decision, remaining: held.decision.remaining + 1 };
    return lease !== undefined;
  }

  /** Ends `lease`: the permits it still holds, to give back; a lease given back unspent halves the next ask. */
  expire(name: string, lease: Lease): string[] {
    const left = lease.permits.splice(0);
    const held = this.held.get(name);
    if (held) {
      held.leases = held.leases.filter((l) => l !== lease);
      if (left.length > 0) held.wanted = Math.max(leaseWanted, Math.floor(held.wanted / 2));
    }
    return left;
  }
}
