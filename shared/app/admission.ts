/**
 * Admission: a presented credential is verified by the database before anything is counted for it,
 * then its requests are counted against its API's limit (shared/rate-limit). Failed
 * authentications are counted per client IP instead, so made-up keys cost an attacker the same
 * budget whatever keys they invent, and create no state of their own.
 *
 * Verifying costs a round trip; a credential verified in this isolate is remembered (by digest)
 * for a minute with its limit, so the hot path stays one database call: every RPC the handler
 * makes checks the credential again, so a revoked one is refused at once all the same. The memory
 * only decides whether the credential may have a counter and what its limit is.
 */
import type { Context } from 'hono';
import { credentialClaims, type PresentedCredential } from '../auth/credentials.ts';
import { connectDatabase } from '../db/client.ts';
import { callJsonRpc } from '../db/rpc.ts';
import type { WorkerEnv } from '../env/index.ts';
import { ApiError, unavailable } from '../errors/index.ts';
import { remember } from '../memory/index.ts';
import { parseRateLimit, type RateLimitConfig, type RateLimitDecision } from '../rate-limit/window.ts';
import { databaseSettings } from './authenticate.ts';
import type { WorkerAppEnv } from './index.ts';

/** The API a credential is counted for (its limit differs per API). */
export type LimitedApi = 'lumen' | 'operations' | 'kit' | 'dpd' | 'groupcommerce';


/** Failed authentications a client IP may make in a window unless FAILED_AUTH_LIMIT says otherwise. */
export const defaultFailedAuthLimit: RateLimitConfig = { limit: 30, windowSeconds: 60 };

const verifiedForMs = 60_000;
const memorySize = 10_000;

/** Credentials verified in this isolate, by digest: their limit, until a minute after verification. */
const verified = new Map<string, { config: RateLimitConfig; until: number }>();
/** Client IPs this isolate saw refused for failing to authenticate too often, until their wait ends. */
const blockedIps = new Map<string, number>();

/** The client's address as Cloudflare states it (set by Cloudflare and by workerd locally, never taken from the client). */
export function clientIp(c: Context): string {
  return c.req.header('CF-Connecting-IP') ?? 'unknown';
}

function limiter<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, name: string) {
  const namespace = c.env?.RATE_LIMITER;
  if (!namespace) {
    c.get('log').log('error', 'worker is missing bindings', { missing: ['RATE_LIMITER'] });
    throw unavailable();
  }
  return namespace.get(namespace.idFromName(name));
}

async function count<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, name: string, config: RateLimitConfig): Promise<RateLimitDecision> {
  try {
    return await limiter(c, name).check(config);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw unavailable(error);
  }
}

function tooManyFailures(retryAfterSeconds: number): ApiError {
  return new ApiError('rate_limited', `Too many failed authentication attempts from this address. Retry in ${retryAfterSeconds} seconds.`, {
    reason: 'authentication_attempts_exceeded',
    retryAfterSeconds,
    values: { retryAfterSeconds: String(retryAfterSeconds) },
  });
}

/** Refuses, without a database call, a credential this isolate has not verified from an IP known to be over its failure limit. */
export function refuseBlockedIp(c: Context): void {
  const until = blockedIps.get(clientIp(c));
  if (until === undefined) return;
  const wait = Math.ceil((until - Date.now()) / 1000);
  if (wait > 0) throw tooManyFailures(wait);
  blockedIps.delete(clientIp(c));
}

/**
 * Verifies `credential` (once a minute per isolate) and counts the request against its limit for
 * `api`. Throws the API's 401 for a credential that is not live, and `rate_limited` (429 with a
 * truthful Retry-After) past the limit. Sets RateLimit-Limit and RateLimit-Remaining.
 */
export async function admitCredential<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, api: LimitedApi, credential: PresentedCredential): Promise<void> {
  const claims = await credentialClaims(credential);
  const key = `${api}:${claims.cred_kind}:${claims.cred_id}:${claims.cred_digest}`;
  let known = verified.get(key);
  if (!known || known.until <= Date.now()) {
    refuseBlockedIp(c);
    const db = await connectDatabase(databaseSettings(c), credential);
    const limit = await callJsonRpc<{ limit: number; window_seconds: number }>(db, 'caller_request_limit', { api });
    known = { config: { limit: limit.limit, windowSeconds: limit.window_seconds }, until: Date.now() + verifiedForMs };
    remember(verified, key, known, memorySize);
  }
  const decision = await count(c, `credential:${key}`, known.config);
  c.header('RateLimit-Limit', String(decision.limit));
  c.header('RateLimit-Remaining', String(decision.remaining));
  if (!decision.allowed) {
    const values = { limit: String(decision.limit), windowSeconds: String(decision.windowSeconds), retryAfterSeconds: String(decision.retryAfterSeconds) };
    throw new ApiError(
      'rate_limited',
      `Too many requests: this credential may make ${values.limit} requests every ${values.windowSeconds} seconds. Retry in ${values.retryAfterSeconds} seconds.`,
      { reason: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds, values },
    );
  }
}

/**
 * Counts a failed authentication against the client's IP; past the IP's limit the answer becomes
 * 429 (the API's shape, Retry-After) instead of 401, and this isolate refuses that IP's unverified
 * credentials without asking the database until the wait is over. Called by the shared error path
 * for every 401, so every API and every route holds the same limit.
 */
export async function countFailedAuthentication<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, error: ApiError): Promise<ApiError> {
  const ip = clientIp(c);
  const config = parseRateLimit(c.env?.FAILED_AUTH_LIMIT, defaultFailedAuthLimit);
  let decision: RateLimitDecision;
  try {
    decision = await count(c, `ip:${ip}`, config);
  } catch {
    // The 401 stands when the counter cannot be reached: failing open here refuses nobody wrongly.
    return error;
  }
  if (decision.allowed) return error;
  remember(blockedIps, ip, Date.now() + decision.retryAfterSeconds * 1000, memorySize);
  return tooManyFailures(decision.retryAfterSeconds);
}
