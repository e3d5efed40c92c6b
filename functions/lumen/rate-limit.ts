/** A partnership's rate limit, held by a Durable Object per partner key and learnt from the database. */
import type { Context } from 'hono';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import type { Db } from '../../shared/db/index.ts';
import type { WorkerEnv } from '../../shared/env/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { rateLimiterFor, sameRateLimit, type RateLimitConfig, type RateLimiter } from '../../shared/rate-limit/index.ts';

export interface LumenEnv extends WorkerEnv {
  /** One rate limiter per partner API key. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}

/** The partnership's limit as the database states it. */
export interface RateLimitRow {
  limit: number;
  window_seconds: number;
}

/** Tells the limiter the partnership's limit when the database reports one it does not hold yet. */
export type LearnRateLimit = (row: RateLimitRow | null) => Promise<void>;

export type LumenAppEnv = WorkerAppEnv<LumenEnv>;

declare module 'hono' {
  interface ContextVariableMap {
    /** The partner's database client and what the request learns of its limit (Lumen's credential step). */
    partner: { db: Db; learnRateLimit: LearnRateLimit };
  }
}

/** Counts the request against the key's limit; throws RATE_LIMIT (429, Retry-After) past it. */
export async function partnerRateLimit(c: Context<LumenAppEnv>, apiKey: string): Promise<LearnRateLimit> {
  const limiter = await rateLimiterFor(c.env, c.get('log'), apiKey);
  const decision = await limiter.check();
  c.header('RateLimit-Limit', String(decision.limit));
  c.header('RateLimit-Remaining', String(decision.remaining));
  if (!decision.allowed) {
    throw new ApiError(
      'rate_limited',
      `Too many requests: this partnership allows ${decision.limit} every ${(decision.config ?? { windowSeconds: 60 }).windowSeconds} seconds. Retry in ${decision.retryAfterSeconds} seconds.`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
  return async (row) => {
    const config: RateLimitConfig | null = row && { limit: row.limit, windowSeconds: row.window_seconds };
    if (config && !sameRateLimit(decision.config, config)) await limiter.configure(config);
  };
}
