/**
 * Admission: a presented credential is verified by the database before anything is counted for it,
 * then its requests are counted against its API's limit (shared/rate-limit). Failed
 * authentications are counted per client IP instead, so made-up keys cost an attacker the same
 * budget whatever keys they invent, and create no state of their own.
 *
 * Verifying costs a round trip; a credential verified in this isolate is remembered (by digest)
 * for a minute with its limit, so the hot path stays one database call: every RPC the handler
 * makes checks the credential again, so a revoked one is refused at once all the same. The memory
 * only decides whether the credential may have a counter and what its limit is. Counting costs a
 * call to the credential's limiter only now and then: permits are leased to the isolate in small
 * batches while it serves the credential steadily (shared/rate-limit/lease.ts).
 */
import type { Context } from 'hono';
import * as z from 'zod/mini';
import type { ApiName } from '../apis.ts';
import { credentialClaims, type PresentedCredential } from '../auth/credentials.ts';
import { checkTag, type TagVerdict } from '../auth/key-tag.ts';
import { callTypedRpc, defineRpc } from '../db/rpc.ts';
import type { WorkerEnv } from '../env/index.ts';
import { ApiError, unavailable } from '../errors/index.ts';
import { remember } from '../memory/index.ts';
import { clientKey } from '../net/ip.ts';
import { leaseMs, PermitPool } from '../rate-limit/lease.ts';
import { isLocationHint, parseRateLimit, type LeaseDecision, type RateLimitConfig, type RateLimitDecision } from '../rate-limit/window.ts';
import { connectForRequest } from './authenticate.ts';
import { afterAnswer, type WorkerAppEnv } from './context.ts';

/** The caller's limit for one API: how many requests in how many seconds. */
const requestLimitRpc = defineRpc('caller_request_limit', z.object({ requests: z.number(), window_seconds: z.number() }));

/** The API a credential is counted for (its limit differs per API). */
export type LimitedApi = ApiName;


/** Failed authentications a client may make in a window unless FAILED_AUTH_LIMIT says otherwise. */
export const defaultFailedAuthLimit: RateLimitConfig = { limit: 30, windowSeconds: 60 };
/** Failing clients an isolate counts at once unless FAILED_AUTH_CLIENTS says otherwise. */
export const defaultFailingClientCeiling = 1000;

const verifiedForMs = 60_000;
const memorySize = 10_000;

/** Credentials verified in this isolate, by digest: their limit, until a minute after verification. */
const verified = new Map<string, { config: RateLimitConfig; until: number }>();
/** Clients this isolate saw refused for failing to authenticate too often, until their wait ends. */
const blockedClients = new Map<string, number>();
/** Clients whose failures this isolate is counting (each has a limiter object), until their window ends. */
const failingClients = new Map<string, number>();
/** Clients that presented a credential the database verified, until a minute later. */
const knownClients = new Map<string, number>();

/** The client's address as Cloudflare states it (set by Cloudflare and by workerd locally, never taken from the client). */
export function clientIp(c: Context): string {
  return c.req.header('CF-Connecting-IP') ?? 'unknown';
}

/** Who the client is for counting: its IPv4 address, or its IPv6 /64 (shared/net/ip.ts). */
export function clientOf(c: Context): string {
  return clientKey(clientIp(c));
}

function limiter<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, name: string) {
  const namespace = c.env?.RATE_LIMITER;
  if (!namespace) {
    c.get('log').log('error', 'worker is missing bindings', { missing: ['RATE_LIMITER'] });
    throw unavailable();
  }
  const hint = c.env.RATE_LIMIT_LOCATION_HINT;
  return namespace.get(namespace.idFromName(name), hint && isLocationHint(hint) ? { locationHint: hint } : undefined);
}

async function count<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, name: string, config: RateLimitConfig): Promise<RateLimitDecision> {
  try {
    return await limiter(c, name).check(config);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw unavailable(error);
  }
}

/** Permits leased to this isolate (shared/rate-limit/lease.ts), per credential. */
const leased = new PermitPool(memorySize);

/**
 * Counts a credential's request: with a permit this isolate holds, or by asking its limiter for
 * one, and a few more while the isolate serves the credential steadily. Permits left when a
 * lease ends are given back with the next lease, or soon after it (waitUntil), so they are spent
 * by whichever isolate needs them.
 */
async function countCredential<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, name: string, config: RateLimitConfig): Promise<RateLimitDecision> {
  const now = Date.now();
  const held = leased.take(name, now);
  if (held) return held;
  let granted: LeaseDecision;
  const stub = limiter(c, name);
  try {
    granted = await stub.lease(config, leased.wanted(name, now), leaseMs, leased.endLeases(name, now));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw unavailable(error);
  }
  const lease = leased.keep(name, granted, now);
  // Refused, while requests of this isolate that asked at the same time were leased more than
  // they spend: one of those permits serves this request.
  if (!granted.allowed) return leased.take(name, Date.now()) ?? granted;
  if (lease) {
    // A lease's leftovers normally go back with the next lease of the credential in this isolate,
    // at no cost of its own; when none comes within another lease's length, they go back alone.
    const giveBackLeftovers = new Promise((ended) => setTimeout(ended, Math.max(0, lease.until + leaseMs - Date.now()))).then(async () => {
      const left = leased.expire(name, lease);
      if (left.length > 0) await stub.giveBack(left);
    });
    afterAnswer(c, giveBackLeftovers.catch(() => {
      // Not given back: they stay counted until they leave the window, as if spent.
    }));
  }
  return granted;
}

/** The 429 for failed authentications: this client's, or (`many`) too many clients' at once. */
function tooManyFailures(retryAfterSeconds: number, many = false): ApiError {
  const who = many ? 'Too many clients are failing to authenticate; credentials not seen before are refused for now.' : 'Too many failed authentication attempts from this address.';
  return new ApiError('rate_limited', `${who} Retry in ${retryAfterSeconds} seconds.`, {
    reason: 'authentication_attempts_exceeded',
    retryAfterSeconds,
    values: { retryAfterSeconds: String(retryAfterSeconds) },
  });
}

function failingClientCeiling(env: WorkerEnv | undefined): number {
  const ceiling = Number(env?.FAILED_AUTH_CLIENTS);
  return Number.isInteger(ceiling) && ceiling > 0 ? ceiling : defaultFailingClientCeiling;
}

/** Whether as many clients are failing as this isolate will count (expired ones forgotten first). */
function overCeiling(env: WorkerEnv | undefined, now: number): boolean {
  const ceiling = failingClientCeiling(env);
  if (failingClients.size < ceiling) return false;
  for (const [client, until] of failingClients) if (until <= now) failingClients.delete(client);
  return failingClients.size >= ceiling;
}

/** Seconds until the first failing client's window ends and room is made. */
function secondsUntilRoom(now: number): number {
  let first = Infinity;
  for (const until of failingClients.values()) first = Math.min(first, until);
  return Math.max(1, Math.ceil((first - now) / 1000));
}

/**
 * Before a credential this isolate has not verified is looked up: refuses it, without a database
 * call, when its client is over its failure limit, or when as many clients are failing as the
 * isolate counts and this one is not among those already seen. A credential whose tag the
 * platform made (`tagged`) is never refused here: issued keys do not wait behind made-up ones.
 */
export function refuseUnverified(c: Context, verdict: TagVerdict = 'untagged'): void {
  if (verdict === 'tagged') return;
  const client = clientOf(c);
  const now = Date.now();
  const until = blockedClients.get(client);
  if (until !== undefined) {
    const wait = Math.ceil((until - now) / 1000);
    if (wait > 0) throw tooManyFailures(wait);
    blockedClients.delete(client);
  }
  const env = (c as Context<WorkerAppEnv>).env;
  if (!failingClients.has(client) && !((knownClients.get(client) ?? 0) > now) && overCeiling(env, now)) {
    throw tooManyFailures(secondsUntilRoom(now), true);
  }
}

/** What carries a credential's tag: the secret, or an OAuth consumer's public key. */
function taggedPart(credential: PresentedCredential): string {
  return credential.kind === 'oauth_consumer' ? (credential.keyId ?? '') : credential.secret;
}

/**
 * Whether the platform issued `credential` (shared/auth/key-tag.ts). A made-up credential in the
 * tagged format is refused here as `reason` (the API words it), with no database call.
 */
export async function checkCredentialTag<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, credential: PresentedCredential, reason = 'invalid_credential'): Promise<TagVerdict> {
  const verdict = await checkTag(taggedPart(credential), c.env?.CREDENTIAL_TAG_KEY || undefined);
  if (verdict === 'forged') throw new ApiError('unauthenticated', 'The credential was not issued by this platform.', { reason });
  return verdict;
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
    refuseUnverified(c, await checkCredentialTag(c, credential));
    const db = await connectForRequest(c, credential);
    const limit = await callTypedRpc(db, requestLimitRpc, { api });
    known = { config: { limit: limit.requests, windowSeconds: limit.window_seconds }, until: Date.now() + verifiedForMs };
    remember(verified, key, known, memorySize);
    remember(knownClients, clientOf(c), Date.now() + verifiedForMs, memorySize);
  }
  const name = `credential:${key}`;
  const decision = await countCredential(c, name, known.config);
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
  if (decision.permit) permits.set(c, { name, permit: decision.permit });
}

/** The permit each admitted request took, so a request refused as a replay can hand it back. */
const permits = new WeakMap<Context, { name: string; permit: string }>();

/** Reasons that mean the request was a replay of one already served (the publisher's used nonce). */
const replayReasons = new Set(['nonce_used']);

/**
 * A request refused as a replay gives its permit back: a captured request sent again must not
 * spend its owner's allowance. After the answer (waitUntil), so it costs the request nothing.
 */
export function giveBackReplayedPermit<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, error: ApiError): void {
  const taken = permits.get(c);
  if (!taken || !error.reason || !replayReasons.has(error.reason)) return;
  permits.delete(c);
  if (leased.giveBack(taken.name, taken.permit, Date.now())) return;
  afterAnswer(c, limiter(c, taken.name).giveBack(taken.permit).catch(() => {
    // Not given back: the replay stays counted, as it was before this existed.
  }));
}

/**
 * Counts a failed authentication against the client; past the client's limit the answer becomes
 * 429 (the API's shape, Retry-After) instead of 401, and this isolate refuses that client's
 * unverified credentials without asking the database until the wait is over. Called by the
 * shared error path for every 401, so every API and every route holds the same limit. State for
 * unauthenticated traffic is bounded: past FAILED_AUTH_CLIENTS failing clients, a new one gets
 * no counter (no object) and is answered 429.
 */
export async function countFailedAuthentication<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, error: ApiError): Promise<ApiError> {
  const client = clientOf(c);
  const config = parseRateLimit(c.env?.FAILED_AUTH_LIMIT, defaultFailedAuthLimit);
  const now = Date.now();
  if (!failingClients.has(client) && overCeiling(c.env, now)) return tooManyFailures(secondsUntilRoom(now), true);
  failingClients.set(client, now + config.windowSeconds * 1000);
  let decision: RateLimitDecision;
  try {
    decision = await count(c, `ip:${client}`, config);
  } catch {
    // The 401 stands when the counter cannot be reached: failing open here refuses nobody wrongly.
    return error;
  }
  if (decision.allowed) return error;
  remember(blockedClients, client, now + decision.retryAfterSeconds * 1000, memorySize);
  return tooManyFailures(decision.retryAfterSeconds);
}
