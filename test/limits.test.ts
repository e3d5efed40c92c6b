/**
 * Limits that hold against abuse, on workers of this file's own (same database, a low per-IP
 * failure limit, their own Durable Object storage, restartable):
 * - made-up credentials create no limiter state and are answered 401, then 429, per client IP,
 *   on every API, in each API's shape;
 * - a partnership's limit is the limit on the first request after idle time and after the
 *   workers restart (every object and isolate gone), and so are the counts;
 * - every API has a per-credential limit a company's operator sets with the admin CLI, answered
 *   429 with a Retry-After that holds.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiNames, type ApiName } from '../platform/stack/config.ts';
import { admin } from './helpers.ts';
import { oauthHeader } from './oauth-client.ts';
import { startOwnWorkers, type OwnWorkers } from './own-workers.ts';

const failedAuthLimit = { limit: 50, windowSeconds: 60 };

let workers: OwnWorkers;

beforeAll(async () => {
  // The platform's own bindings, with the low failure limit this file tries, and the limiters
  // created with a location hint, as a deployment placed in a region creates them.
  workers = await startOwnWorkers('limits', { FAILED_AUTH_LIMIT: `${failedAuthLimit.limit}/${failedAuthLimit.windowSeconds}`, RATE_LIMIT_LOCATION_HINT: 'weur' });
}, 60_000);

afterAll(async () => workers?.stop());

const restartWorkers = () => workers.restart();
const storedObjects = (api: ApiName) => workers.storedObjects(api);

const made = () => randomBytes(12).toString('hex');

/** A request to `api` with a made-up credential, from `ip`. */
function madeUpRequest(api: ApiName, ip: string): Promise<Response> {
  const base = workers.urls[api];
  const from = { 'CF-Connecting-IP': ip };
  switch (api) {
    case 'lumen':
      return fetch(`${base}/partners/v1/purchases`, { method: 'POST', headers: { ...from, 'X-Partner-Api-Key': `lumen_sk_${made()}`, 'Content-Type': 'application/json' }, body: '{}' });
    case 'operations':
      return fetch(`${base}/functions/v1/openapi-operations`, { method: 'POST', headers: { ...from, 'X-Api-Key': `ops_sk_${made()}` }, body: '{"action":"list_purchases"}' });
    case 'dpd':
      return fetch(`${base}/v2/purchases`, { headers: { ...from, Authorization: `Basic ${btoa(`${made()}:${made()}`)}` } });
    case 'kit':
      return fetch(`${base}/v4/purchases`, { headers: { ...from, Authorization: `Bearer kit_at_${made()}` } });
    case 'groupcommerce': {
      const url = `${base}/api/v3/publisher/consumer/creditcards?user_key=u1`;
      return fetch(url, { headers: { ...from, Authorization: oauthHeader({ consumerKey: made(), consumerSecret: made() }, url, 'GET', null) } });
    }
  }
}

/** The error code each API's shape carries for a 429. */
async function errorCodeOf(api: ApiName, res: Response): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (await res.json()) as any;
  switch (api) {
    case 'lumen':
      return body.error.code;
    case 'operations':
      return typeof body.error === 'string' ? 'message' : body;
    case 'dpd':
      return body.status;
    case 'kit':
      return Array.isArray(body.errors) ? 'errors' : body;
    case 'groupcommerce':
      return body.errors?.[0]?.code;
  }
}

describe('made-up credentials', () => {
  it('1,000 requests with random Lumen keys: 401 up to the per-IP limit, then 429, and no limiter state per key', async () => {
    expect(await storedObjects('lumen')).toBe(0);
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let sent = 0; sent < 1000; sent += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => madeUpRequest('lumen', '198.51.100.7')));
      for (const res of batch) {
        statuses.push(res.status);
        if (res.status === 429 && !limited) limited = res;
        else await res.body?.cancel();
      }
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(failedAuthLimit.limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1000 - failedAuthLimit.limit);
    const body = (await limited!.json()) as { error: { message: string } };
    expect(body).toMatchObject({ success: false, error: { code: 'RATE_LIMIT' } });
    expect(body.error.message).toMatch(/failed authentication/);
    const retryAfter = Number(limited!.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(failedAuthLimit.windowSeconds);
    // One object: the client IP's counter. None for the thousand keys.
    expect(await storedObjects('lumen')).toBe(1);
    // Another address is not held back by the first one's failures.
    expect((await madeUpRequest('lumen', '198.51.100.8')).status).toBe(401);
  }, 120_000);

  it.each(apiNames.filter((api) => api !== 'lumen'))('%s: 401, then 429 in its own shape past the per-IP limit, no state per key', async (api) => {
    const before = await storedObjects(api);
    const ip = `203.0.113.${apiNames.indexOf(api) + 10}`;
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < failedAuthLimit.limit + 5; i++) {
      const res = await madeUpRequest(api, ip);
      statuses.push(res.status);
      if (res.status === 429 && !limited) limited = res;
      else await res.body?.cancel();
    }
    expect(statuses.slice(0, failedAuthLimit.limit).every((s) => s === 401), statuses.join(',')).toBe(true);
    expect(statuses.slice(failedAuthLimit.limit)).toEqual([429, 429, 429, 429, 429]);
    expect(Number(limited!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(await errorCodeOf(api, limited!)).toEqual(
      { operations: 'message', dpd: 'RATELIMITED', kit: 'errors', groupcommerce: 'AuthenticationAttemptsExceeded' }[api as Exclude<ApiName, 'lumen'>],
    );
    expect(await storedObjects(api)).toBe(before + 1);
  }, 60_000);
});

async function issue(api: ApiName, slug: string): Promise<Record<string, string>> {
  const issued = await admin('credential', 'issue', api, '--company', slug, '--json');
  expect(issued.code, issued.stderr).toBe(0);
  return JSON.parse(issued.stdout);
}

async function newCompany(prefix: string): Promise<string> {
  const slug = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1000)}`;
  expect((await admin('company', 'create', '--slug', slug, '--name', 'Limits')).code).toBe(0);
  return slug;
}

describe("a partnership's limit after idle time and after eviction", () => {
  it('holds 120 a minute on a burst after 15 idle seconds, and keeps its count when every object and isolate is gone', async () => {
    const slug = await newCompany('lim-lumen');
    const ok = async (...args: string[]) => expect((await admin(...args)).code).toBe(0);
    await ok('partnership', 'set', '--company', slug, '--partner-fulfilled', 'yes', '--rate-limit', '120', '--rate-window', '60');
    const { apiKey } = await issue('lumen', slug);
    // A body the partnership refuses (no product granted) still counts: admission comes first.
    const call = () =>
      fetch(`${workers.urls.lumen}/partners/v1/purchases`, { method: 'POST', headers: { 'X-Partner-Api-Key': apiKey!, 'Content-Type': 'application/json' }, body: '{}' });

    const first = await call();
    expect(first.status).toBe(400);
    expect(first.headers.get('RateLimit-Limit')).toBe('120');
    await new Promise((r) => setTimeout(r, 15_000));

    const burst = await Promise.all(Array.from({ length: 100 }, call));
    expect(burst.map((res) => res.status).filter((s) => s === 429)).toHaveLength(0);
    expect(new Set(burst.map((res) => res.headers.get('RateLimit-Limit')))).toEqual(new Set(['120']));
    const rest = await Promise.all(Array.from({ length: 19 }, call));
    expect(rest.map((res) => res.status).filter((s) => s === 429)).toHaveLength(0);
    const over = await call();
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(60);

    await restartWorkers();
    const afterRestart = await call();
    expect(afterRestart.status).toBe(429);
    expect(afterRestart.headers.get('RateLimit-Limit')).toBe('120');
    expect(Number(afterRestart.headers.get('Retry-After'))).toBeLessThanOrEqual(retryAfter);
  }, 90_000);
});

describe('a limit per credential on every API, set per company', () => {
  it.each(['operations', 'dpd', 'kit', 'groupcommerce'] as const)('%s: the company\'s limit, then 429 with a Retry-After that holds', async (api) => {
    const slug = await newCompany(`lim-${api}`);
    const set = await admin('limit', 'set', '--company', slug, '--api', api, '--requests', '3', '--window', '5');
    expect(set.code, set.stderr).toBe(0);
    const credential = await issue(api, slug);
    const base = workers.urls[api];
    const call = (): Promise<Response> => {
      switch (api) {
        case 'operations':
          return fetch(`${base}/functions/v1/openapi-operations`, {
            method: 'POST',
            headers: { 'X-Api-Key': credential.apiKey!, 'Content-Type': 'application/json' },
            body: JSON.stringify({ action: 'list_reward_events', input: {} }),
          });
        case 'dpd':
          return fetch(`${base}/v2/purchases`, { headers: { Authorization: `Basic ${btoa(`${credential.username}:${credential.password}`)}` } });
        case 'kit':
          return fetch(`${base}/v4/purchases`, { headers: { Authorization: `Bearer ${credential.token}` } });
        case 'groupcommerce': {
          const url = `${base}/api/v3/publisher/consumer/creditcards?user_key=limits-${made()}`;
          return fetch(url, { headers: { Authorization: oauthHeader({ consumerKey: credential.consumerKey!, consumerSecret: credential.consumerSecret! }, url, 'GET', null) } });
        }
      }
    };
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await call();
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.body?.cancel();
    }
    // Served (an answer of the API's, whatever it says of the request), then refused for the limit.
    expect(statuses.slice(0, 3).every((s) => s !== 401 && s !== 429 && s < 500), statuses.join(',')).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const retryAfter = Number(limited!.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await call()).status).not.toBe(429);
  }, 30_000);

  it('lists each API\'s limit and where it comes from', async () => {
    const slug = await newCompany('lim-list');
    expect((await admin('partnership', 'set', '--company', slug, '--partner-fulfilled', 'yes', '--rate-limit', '90')).code).toBe(0);
    expect((await admin('limit', 'set', '--company', slug, '--api', 'dpd', '--requests', '1200')).code).toBe(0);
    const listed = await admin('limit', 'list', '--company', slug, '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).limits).toEqual([
      { api: 'lumen', requests: 90, windowSeconds: 60, source: 'partnership' },
      { api: 'operations', requests: 600, windowSeconds: 60, source: 'default' },
      { api: 'dpd', requests: 1200, windowSeconds: 60, source: 'company' },
      { api: 'kit', requests: 600, windowSeconds: 60, source: 'default' },
      { api: 'groupcommerce', requests: 600, windowSeconds: 60, source: 'default' },
    ]);
    expect((await admin('limit', 'clear', '--company', slug, '--api', 'dpd')).code).toBe(0);
    const cleared = JSON.parse((await admin('limit', 'list', '--company', slug, '--json')).stdout);
    expect(cleared.limits[2]).toEqual({ api: 'dpd', requests: 600, windowSeconds: 60, source: 'default' });
    expect((await admin('limit', 'set', '--company', slug, '--api', 'stripe', '--requests', '3')).code).not.toBe(0);
  });
});
