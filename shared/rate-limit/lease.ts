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
/** How many permits an isolate asks for while it serves a credential steadily. */
export const leaseWanted = 8;

interface Lease {
  /** The permits not yet spent, and every one the lease held beyond its request's own. */
  permits: string[];
  issued: string[];
  until: number;
}

interface Held {
  leases: Lease[];
  leasedAt: number;
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

  /** Permits to ask for: several only while this isolate is serving `name` steadily (it leased within the last lease). */
  wanted(name: string, now: number): number {
    const held = this.held.get(name);
    return held && now - held.leasedAt < leaseMs ? leaseWanted : 1;
  }

  /**
   * Records a lease asked for at `leasedAt` (before the call, so it ends no later than the object
   * counted it): the permits beyond the request's own are held until it ends. Returns the lease,
   * for `expire`, or null when nothing beyond the request's own was granted.
   */
  keep(name: string, granted: LeaseDecision, leasedAt: number): Lease | null {
    const held = this.held.get(name) ?? { leases: [], leasedAt, decision: granted };
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

  /** Ends `lease`: the permits it still holds, to give back. */
  expire(name: string, lease: Lease): string[] {
    const left = lease.permits.splice(0);
    const held = this.held.get(name);
    if (held) held.leases = held.leases.filter((l) => l !== lease);
    return left;
  }
}
