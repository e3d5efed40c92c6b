/**
 * Counting requests with a Durable Object: one object per verified credential (its API's limit)
 * and one per client IP that fails to authenticate (shared/app/admission.ts decides which).
 *
 * Why a Durable Object and not the Workers rate-limiting binding: the binding counts per
 * Cloudflare location, is eventually consistent, only knows 10 s or 60 s windows and answers
 * only `{ success }`, so it could neither hold an agreed limit exactly across isolates nor say
 * truthfully how long to wait. One Durable Object per counted thing is a single-threaded instance:
 * its count is exact under any concurrency, any window length works, and it knows when the
 * oldest counted request leaves the window, which is the honest Retry-After.
 *
 * The window slides: a request is allowed when fewer than `limit` requests were allowed in the
 * last `windowSeconds`. The object keeps its limit and the times it counted in its own storage
 * as well as in memory, so an object evicted while idle comes back with the same limit
 * and the same count: the limit on the first request after any idle time is the agreed one.
 */
import { DurableObject } from 'cloudflare:workers';
import { CountedWindow, type LeaseDecision, type RateLimitConfig, type RateLimitDecision } from './window.ts';

/** The most permits one lease grants, and the longest it lasts. */
const maxLease = 32;
const maxLeaseMs = 10_000;

export * from './window.ts';

export class RateLimiter extends DurableObject {
  private config: RateLimitConfig | null = null;
  private readonly window = new CountedWindow();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    // Before the first request: the limit and the counted times as the object last stored them.
    void ctx.blockConcurrencyWhile(async () => {
      this.config = (await ctx.storage.get<RateLimitConfig>('config')) ?? null;
      this.window.load(await ctx.storage.list<number>({ prefix: 'hit:' }));
    });
  }

  /**
   * Counts this request if the window has room under `config` (the limit the worker verified).
   * What it stores is written without holding the answer for the write's confirmation
   * (allowUnconfirmed): an eviction keeps every count, and only a machine failing in the few
   * milliseconds before the write lands could forget one, which errs towards allowing.
   */
  check(config: RateLimitConfig, now: number = Date.now()): RateLimitDecision {
    const { permits: _permits, ...decision } = this.grant(config, 1, now, now);
    return decision;
  }

  /**
   * Counts this request and leases up to `wanted` − 1 more permits to the isolate that asks, for
   * `leaseMs` (shared/rate-limit/lease.ts): the request's own permit is counted now, the others
   * at the lease's end, the latest they may be used, so no window ever holds more than the limit
   * however late in the lease they are spent. Permits left at the end come back with `giveBack`,
   * or with the isolate's next lease (`returned`, uncounted before anything is granted).
   */
  lease(config: RateLimitConfig, wanted: number, leaseMs: number, returned: string[] = [], now: number = Date.now()): LeaseDecision {
    if (returned.length > 0) this.giveBack(returned);
    return this.grant(config, Math.min(Math.max(1, Math.floor(wanted) || 1), maxLease), now, now + Math.min(Math.max(0, leaseMs), maxLeaseMs));
  }

  /** Uncounts the requests `check` or `lease` allowed with `permits` (unused, or refused as a replay), if still counted. */
  giveBack(permits: string | string[]): void {
    const returned = this.window.giveBack(typeof permits === 'string' ? [permits] : permits);
    this.forget(returned);
  }

  private grant(config: RateLimitConfig, wanted: number, now: number, leasedUntil: number): LeaseDecision {
    const storage = this.ctx.storage;
    if (!this.config || this.config.limit !== config.limit || this.config.windowSeconds !== config.windowSeconds) {
      this.config = { ...config };
      void storage.put('config', this.config, { allowUnconfirmed: true });
    }
    const { decision, expired, counted } = this.window.grant(this.config, wanted, now, leasedUntil);
    this.forget(expired);
    if (decision.permits.length > 0) void storage.put(counted, { allowUnconfirmed: true });
    return decision;
  }

  /** Deletes counted keys from storage, 128 at a time (the most one call takes). */
  private forget(keys: string[]): void {
    for (let i = 0; i < keys.length; i += 128) void this.ctx.storage.delete(keys.slice(i, i + 128), { allowUnconfirmed: true });
  }
}
