/** The sliding window a limiter counts in, apart from the Durable Object that stores it. */

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
  windowSeconds: number;
  /** The counted request's permit, when allowed: handed back with `giveBack` to uncount it. */
  permit?: string;
}

/** Reads a limit written `requests/seconds` (a worker variable such as FAILED_AUTH_LIMIT). */
export function parseRateLimit(text: string | undefined, fallback: RateLimitConfig): RateLimitConfig {
  const match = /^\s*(\d{1,6})\s*\/\s*(\d{1,5})\s*$/.exec(text ?? '');
  if (!match) return fallback;
  const limit = Number(match[1]);
  const windowSeconds = Number(match[2]);
  return limit > 0 && windowSeconds > 0 ? { limit, windowSeconds } : fallback;
}

/** The sliding-window decision, apart from storage: `allowedAt` holds the counted times, oldest first. */
export function decide(allowedAt: number[], config: RateLimitConfig, now: number): RateLimitDecision & { expired: number } {
  const { limit, windowSeconds } = config;
  const windowStart = now - windowSeconds * 1000;
  let expired = 0;
  while (expired < allowedAt.length && allowedAt[expired]! <= windowStart) expired++;
  const counted = allowedAt.length - expired;
  if (counted < limit) {
    return { allowed: true, retryAfterSeconds: 0, limit, remaining: limit - counted - 1, windowSeconds, expired };
  }
  // Room comes back when the request at the front of those that fill the limit leaves the window.
  const frees = allowedAt[allowedAt.length - limit]! + windowSeconds * 1000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((frees - now) / 1000)), limit, remaining: 0, windowSeconds, expired };
}

/**
 * How many permits a lease grants: what was asked for, but never more than a quarter of the room
 * left in the window (at least one while there is room), so near its limit a credential is counted
 * one request at a time, exactly, and no isolate holds what another could have used.
 */
export function leaseSize(room: number, wanted: number): number {
  if (room <= 0) return 0;
  return Math.max(1, Math.min(wanted, Math.floor(room / 4)));
}

/** A lease's answer: the decision for the request that asked, and the permits granted (the first is its own). */
export interface LeaseDecision extends RateLimitDecision {
  permits: string[];
}

/**
 * The counted requests of one limiter, in memory: their times, oldest first, and a key for each
 * (the permit, and its storage key). Keys sort as the times do: the time, zero-padded, then a
 * sequence for the same millisecond. The Durable Object stores what each call changes.
 */
export class CountedWindow {
  readonly allowedAt: number[] = [];
  readonly keys: string[] = [];
  private sequence = 0;

  /** Takes back what was stored, in key order. */
  load(counted: Iterable<[string, number]>): void {
    for (const [key, at] of counted) {
      this.keys.push(key);
      this.allowedAt.push(at);
    }
  }

  /**
   * Counts up to `wanted` requests if the window has room under `config` (`leaseSize` of it):
   * the first at `now`, the rest at `leasedUntil`. Returns the decision, the keys that left the
   * window, and the keys counted with their times.
   */
  grant(config: RateLimitConfig, wanted: number, now: number, leasedUntil: number): { decision: LeaseDecision; expired: string[]; counted: Record<string, number> } {
    const { expired, ...decision } = decide(this.allowedAt, config, now);
    this.allowedAt.splice(0, expired);
    const left = this.keys.splice(0, expired);
    const counted: Record<string, number> = {};
    if (!decision.allowed) return { decision: { ...decision, permits: [] }, expired: left, counted };
    const room = decision.remaining + 1;
    const granted = leaseSize(room, wanted);
    for (let i = 0; i < granted; i++) {
      const at = i === 0 ? now : leasedUntil;
      const key = `hit:${String(at).padStart(15, '0')}:${String(this.sequence++ % 1e6).padStart(6, '0')}`;
      this.insert(at, key);
      counted[key] = at;
    }
    const permits = Object.keys(counted);
    return { decision: { ...decision, remaining: room - granted, permit: permits[0], permits }, expired: left, counted };
  }

  /** Uncounts `permits` still counted; returns those it uncounted. */
  giveBack(permits: string[]): string[] {
    return permits.filter((permit) => {
      const index = this.keys.lastIndexOf(permit);
      if (index < 0) return false;
      this.keys.splice(index, 1);
      this.allowedAt.splice(index, 1);
      return true;
    });
  }

  /** Adds a counted time in order (a leased permit may be counted later than one counted after it). */
  private insert(at: number, key: string): void {
    let index = this.allowedAt.length;
    while (index > 0 && this.allowedAt[index - 1]! > at) index--;
    this.allowedAt.splice(index, 0, at);
    this.keys.splice(index, 0, key);
  }
}

/** Cloudflare's Durable Object location hints (developers.cloudflare.com/durable-objects: "location hints"). */
export const locationHints = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;
export type LocationHint = (typeof locationHints)[number];

export function isLocationHint(value: string): value is LocationHint {
  return (locationHints as readonly string[]).includes(value);
}

/** The limiter binding as the workers use it (the Durable Object namespace of RateLimiter). */
export interface LimiterNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id, options?: { locationHint?: LocationHint }): {
    check(config: RateLimitConfig): Promise<RateLimitDecision>;
    lease(config: RateLimitConfig, wanted: number, leaseMs: number, returned?: string[]): Promise<LeaseDecision>;
    giveBack(permits: string | string[]): Promise<void>;
  };
}

/** Bindings of a worker that counts requests. */
export interface RateLimitedEnv {
  RATE_LIMITER?: LimiterNamespace;
  /**
   * Where new limiter objects are created: Cloudflare's location hint nearest the database
   * (`enam`, `weur`, …), which `npm run deploy` sets from deploy.toml's [placement] region, so a
   * worker placed next to the database does not call across an ocean to count. Unset: near the
   * first request, as Cloudflare does by default.
   */
  RATE_LIMIT_LOCATION_HINT?: string;
  /** Failed authentications allowed per client IP, `requests/seconds` (default 30/60). */
  FAILED_AUTH_LIMIT?: string;
  /**
   * How many failing clients an isolate counts at once (default 1000). Past it, nothing new is
   * counted or stored for unauthenticated traffic: unverified credentials from clients not yet
   * seen are answered 429 without any lookup, while verified and tagged credentials pass.
   */
  FAILED_AUTH_CLIENTS?: string;
  /** Base64 key of the tags on issued credentials (shared/auth/key-tag.ts); without it, none are checked. */
  CREDENTIAL_TAG_KEY?: string;
}
