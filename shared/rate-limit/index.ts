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
import { decide, type RateLimitConfig, type RateLimitDecision } from './window.ts';

export * from './window.ts';

export class RateLimiter extends DurableObject {
  private config: RateLimitConfig | null = null;
  /** Times (ms) of the allowed requests still inside the window, oldest first, and their storage keys. */
  private allowedAt: number[] = [];
  private keys: string[] = [];
  private sequence = 0;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    // Before the first request: the limit and the counted times as the object last stored them.
    void ctx.blockConcurrencyWhile(async () => {
      this.config = (await ctx.storage.get<RateLimitConfig>('config')) ?? null;
      const hits = await ctx.storage.list<number>({ prefix: 'hit:' });
      for (const [key, at] of hits) {
        this.keys.push(key);
        this.allowedAt.push(at);
      }
    });
  }

  /**
   * Counts this request if the window has room under `config` (the limit the worker verified).
   * What it stores is written without holding the answer for the write's confirmation
   * (allowUnconfirmed): an eviction keeps every count, and only a machine failing in the few
   * milliseconds before the write lands could forget one, which errs towards allowing.
   */
  check(config: RateLimitConfig, now: number = Date.now()): RateLimitDecision {
    const storage = this.ctx.storage;
    if (!this.config || this.config.limit !== config.limit || this.config.windowSeconds !== config.windowSeconds) {
      this.config = { ...config };
      void storage.put('config', this.config, { allowUnconfirmed: true });
    }
    const { expired, ...decision } = decide(this.allowedAt, this.config, now);
    if (expired > 0) {
      this.allowedAt.splice(0, expired);
      void storage.delete(this.keys.splice(0, expired), { allowUnconfirmed: true });
    }
    if (decision.allowed) {
      // Keys sort as the times do: the time, zero-padded, then a sequence for the same millisecond.
      const key = `hit:${String(now).padStart(15, '0')}:${String(this.sequence++ % 1e6).padStart(6, '0')}`;
      this.allowedAt.push(now);
      this.keys.push(key);
      void storage.put(key, now, { allowUnconfirmed: true });
      return { ...decision, permit: key };
    }
    return decision;
  }

  /** Uncounts the request `check` allowed with `permit` (one refused as a replay), if still counted. */
  giveBack(permit: string): void {
    const index = this.keys.lastIndexOf(permit);
    if (index < 0) return;
    this.keys.splice(index, 1);
    this.allowedAt.splice(index, 1);
    void this.ctx.storage.delete(permit, { allowUnconfirmed: true });
  }

}
