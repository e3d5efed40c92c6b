/**
 * Rate limiting per credential with a Durable Object (Lumen per partner key, Kit per token).
 *
 * Why a Durable Object and not the Workers rate-limiting binding: the binding counts per
 * Cloudflare location, is eventually consistent, only knows 10 s or 60 s windows and answers
 * only `{ success }`, so it could neither hold an agreed limit exactly across isolates nor say
 * truthfully how long to wait. One Durable Object per credential is a single-threaded instance:
 * its count is exact under any concurrency, any window length works, and it knows when the
 * oldest counted request leaves the window, which is the honest Retry-After.
 *
 * The window slides: a request is allowed when fewer than `limit` requests were allowed in the
 * last `windowSeconds`. Counts live in memory; if the object is evicted (idle), they restart,
 * which can only be lenient.
 */
import { DurableObject } from 'cloudflare:workers';
import { sha256Hex } from '../crypto/index.ts';
import { unavailable } from '../errors/index.ts';

export interface RateLimitConfig {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until a request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
  limit: number;
  remaining: number;
  /** The partnership's limit as last told, or null if the object has not been told yet. */
  config: RateLimitConfig | null;
}

/** Until the object is told a limit: the Lumen partnership table's default. */
export const defaultRateLimit: RateLimitConfig = { limit: 60, windowSeconds: 60 };

export class RateLimiter extends DurableObject {
  private config: RateLimitConfig | null = null;
  /** Times (ms) of the allowed requests still inside the window, oldest first. */
  private allowedAt: number[] = [];

  /** Counts this request if the window has room; `fixed` is a limit the caller knows without asking. */
  check(fixed?: RateLimitConfig, now: number = Date.now()): RateLimitDecision {
    if (fixed) this.config = fixed;
    const { limit, windowSeconds } = this.config ?? defaultRateLimit;
    const windowStart = now - windowSeconds * 1000;
    let expired = 0;
    while (expired < this.allowedAt.length && this.allowedAt[expired]! <= windowStart) expired++;
    if (expired > 0) this.allowedAt.splice(0, expired);
    if (this.allowedAt.length < limit) {
      this.allowedAt.push(now);
      return { allowed: true, retryAfterSeconds: 0, limit, remaining: limit - this.allowedAt.length, config: this.config };
    }
    // Room comes back when the request at the front of those that fill the limit leaves the window.
    const frees = this.allowedAt[this.allowedAt.length - limit]! + windowSeconds * 1000;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((frees - now) / 1000)),
      limit,
      remaining: 0,
      config: this.config,
    };
  }

  /** Takes the limit the database reported (a Lumen partnership's). */
  configure(config: RateLimitConfig): void {
    this.config = config;
  }
}

/** Whether two limits are the same, so the object is told only of a change. */
export function sameRateLimit(a: RateLimitConfig | null, b: RateLimitConfig): boolean {
  return a !== null && a.limit === b.limit && a.windowSeconds === b.windowSeconds;
}

/** Bindings of a worker that rate-limits by credential. */
export interface RateLimitedEnv {
  RATE_LIMITER?: DurableObjectNamespace<RateLimiter>;
}

/**
 * The limiter of one credential (named by the secret's digest, so the secret never reaches the
 * object's name). A worker deployed without its RATE_LIMITER binding answers 503 and says why in
 * its log, rather than serving without limits.
 */
export async function rateLimiterFor(
  env: RateLimitedEnv,
  log: { log(level: 'error', message: string, fields: Record<string, unknown>): void },
  secret: string,
): Promise<DurableObjectStub<RateLimiter>> {
  if (!env.RATE_LIMITER) {
    log.log('error', 'worker is missing bindings', { missing: ['RATE_LIMITER'] });
    throw unavailable();
  }
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(await sha256Hex(secret)));
}
