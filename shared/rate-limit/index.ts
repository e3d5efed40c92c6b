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
 * last `windowSeconds`. The object keeps its limit and the times it counted in its own SQLite
 * storage as well as in memory, so an object evicted while idle comes back with the same limit
 * and the same count: the limit on the first request after any idle time is the agreed one.
 */
import { DurableObject } from 'cloudflare:workers';
import { decide, type RateLimitConfig, type RateLimitDecision } from './window.ts';

export * from './window.ts';

export class RateLimiter extends DurableObject {
  private config: RateLimitConfig | null = null;
  /** Times (ms) of the allowed requests still inside the window, oldest first; mirrors the `hits` table. */
  private allowedAt: number[] = [];

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('create table if not exists hits (at integer not null)');
    sql.exec('create table if not exists config (id integer primary key check (id = 1), requests integer not null, window_seconds integer not null)');
    const row = sql.exec<{ requests: number; window_seconds: number }>('select requests, window_seconds from config').toArray()[0];
    if (row) this.config = { limit: row.requests, windowSeconds: row.window_seconds };
    this.allowedAt = sql.exec<{ at: number }>('select at from hits order by at').toArray().map((hit) => hit.at);
  }

  /** Counts this request if the window has room under `config` (the limit the worker verified). */
  check(config: RateLimitConfig, now: number = Date.now()): RateLimitDecision {
    const sql = this.ctx.storage.sql;
    if (!this.config || this.config.limit !== config.limit || this.config.windowSeconds !== config.windowSeconds) {
      this.config = { ...config };
      sql.exec('insert or replace into config (id, requests, window_seconds) values (1, ?, ?)', config.limit, config.windowSeconds);
    }
    const { expired, ...decision } = decide(this.allowedAt, this.config, now);
    if (expired > 0) {
      const lastExpired = this.allowedAt[expired - 1]!;
      this.allowedAt.splice(0, expired);
      sql.exec('delete from hits where at <= ?', lastExpired);
    }
    if (decision.allowed) {
      this.allowedAt.push(now);
      sql.exec('insert into hits (at) values (?)', now);
    }
    return decision;
  }

  /** The limit this object holds (null before its first request): what survived an eviction. */
  held(): RateLimitConfig | null {
    return this.config;
  }
}
