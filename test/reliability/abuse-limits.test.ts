/**
 * Made-up credentials against the failed-authentication limit, on workers of this file's own (a
 * limit of 30 a minute per client, at most 20 failing clients counted per worker):
 * - IPv6 clients count by their /64, so walking through addresses of one block is one client;
 * - the state unauthenticated traffic can create is bounded: past the ceiling, credentials not yet
 *   verified from clients not yet seen are answered 429 without any lookup, while verified and
 *   tagged credentials pass;
 * - a shared address that made-up keys got blocked still lets the platform's tagged keys through,
 *   and a made-up key in the tagged format costs no database call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, demo, roundTrips } from '../helpers.ts';
import { oauthHeader } from '../oauth-client.ts';
import { startOwnWorkers, type OwnWorkers } from '../own-workers.ts';
import { record } from './report.ts';

const failedAuthLimit = 30;
const failingClientCeiling = 20;
let workers: OwnWorkers;
let slug: string;

beforeAll(async () => {
  workers = await startOwnWorkers('abuse-limits', { FAILED_AUTH_LIMIT: `${failedAuthLimit}/60`, FAILED_AUTH_CLIENTS: String(failingClientCeiling) });
  slug = `abuse-limits-${Date.now()}`;
  expect((await admin('company', 'create', '--slug', slug, '--name', 'Abuse Limits Co')).code).toBe(0);
}, 60_000);
afterAll(async () => workers?.stop());

async function issue(api: string, ...extra: string[]): Promise<Record<string, string>> {
  const issued = await admin('credential', 'issue', api, '--company', slug, ...extra, '--json');
  expect(issued.code, issued.stderr).toBe(0);
  return JSON.parse(issued.stdout);
}

const made = () => randomBytes(24).toString('base64url');
/** A key in the tagged format with a tag the platform did not make. */
const forged = (prefix: string) => `${prefix}v2_${randomBytes(32).toString('base64url')}${randomBytes(8).toString('base64url').slice(0, 11)}`;

function lumen(key: string, ip: string, requestId: string = randomUUID()) {
  return fetch(`${workers.urls.lumen}/partners/v1/purchases`, {
    method: 'POST',
    headers: { 'CF-Connecting-IP': ip, 'X-Request-Id': requestId, 'X-Partner-Api-Key': key, 'Content-Type': 'application/json' },
    body: '{}',
  });
}
function kit(token: string, ip: string, requestId: string = randomUUID()) {
  return fetch(`${workers.urls.kit}/v4/purchases?per_page=1`, { headers: { 'CF-Connecting-IP': ip, 'X-Request-Id': requestId, Authorization: `Bearer ${token}` } });
}
function dpd(username: string, password: string, ip: string, requestId: string = randomUUID()) {
  return fetch(`${workers.urls.dpd}/purchases?status=ACT`, {
    headers: { 'CF-Connecting-IP': ip, 'X-Request-Id': requestId, Authorization: `Basic ${btoa(`${username}:${password}`)}` },
  });
}

async function statusOf(res: Promise<Response>): Promise<number> {
  const answer = await res;
  await answer.arrayBuffer();
  return answer.status;
}

describe('IPv6', () => {
  it('counts a /64 as one client: 60 made-up keys from 60 of its addresses are 30 × 401, then 429, with one counter', async () => {
    const before = await workers.storedObjects('lumen');
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await statusOf(lumen(`lumen_sk_${made()}`, `2001:db8:aa:bb:${(i + 1).toString(16)}::${(i * 7 + 3).toString(16)}`)));
    expect(statuses.slice(0, failedAuthLimit)).toEqual(Array(failedAuthLimit).fill(401));
    expect(statuses.slice(failedAuthLimit)).toEqual(Array(60 - failedAuthLimit).fill(429));
    expect(await workers.storedObjects('lumen')).toBe(before + 1);
    // The next /64 is another client; an IPv4 address written as IPv6 is that IPv4 address.
    expect(await statusOf(lumen(`lumen_sk_${made()}`, '2001:db8:aa:bc::1'))).toBe(401);
    record('abuse', { attack: 'IPv6 walk', requests: 60, addresses: 60, answered401: failedAuthLimit, answered429: 60 - failedAuthLimit, counters: 1 });
  });
});

describe('the state made-up credentials can create', () => {
  it('is bounded per worker: past the ceiling, unseen clients with unverified credentials are refused without a lookup; verified and tagged ones pass', async () => {
    const acmeToken = demo('acme').kit.token;
    // A partner whose token this worker verified before the flood.
    expect(await statusOf(kit(acmeToken, '192.0.2.150'))).toBe(200);
    const tagged = (await issue('kit')).token!;
    const before = await workers.storedObjects('kit');

    const statuses: number[] = [];
    for (let i = 1; i <= failingClientCeiling + 5; i++) statuses.push(await statusOf(kit(`kit_at_${made()}`, `192.0.2.${i}`)));
    expect(statuses.slice(0, failingClientCeiling)).toEqual(Array(failingClientCeiling).fill(401));
    expect(statuses.slice(failingClientCeiling)).toEqual(Array(5).fill(429));
    // One counter per failing client up to the ceiling, none past it.
    expect(await workers.storedObjects('kit')).toBe(before + failingClientCeiling);

    // An unverified credential from a client not seen: 429 with no database call.
    const unseen = randomUUID();
    const refused = await kit(demo('globex').kit.token, '192.0.2.201', unseen);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { errors: string[] }).errors[0]).toMatch(/Too many clients are failing to authenticate/);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(await roundTrips(unseen)).toBe(0);
    // The verified partner passes, from its address or another; so does a tagged key never seen.
    expect(await statusOf(kit(acmeToken, '192.0.2.150'))).toBe(200);
    expect(await statusOf(kit(acmeToken, '192.0.2.202'))).toBe(200);
    expect(await statusOf(kit(tagged, '192.0.2.203'))).toBe(200);
    record('abuse', { attack: 'many failing clients', clients: failingClientCeiling + 5, counters: failingClientCeiling, refusedWithoutLookup: 6 });
  });
});

describe('a shared address', () => {
  it("that made-up keys got blocked still lets the platform's tagged keys through; a forged tag costs no lookup", async () => {
    const nat = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i <= failedAuthLimit; i++) statuses.push(await statusOf(dpd(made(), made(), nat)));
    expect(statuses.at(-1)).toBe(429);

    // A neighbour behind the same address with a key issued in the tagged format: served.
    const neighbour = await issue('dpd', '--username', `nat-${Date.now()}`);
    expect(await statusOf(dpd(neighbour.username!, neighbour.password!, nat))).toBe(200);
    // A key issued before tagging (globex's demo key, which this worker has not verified) waits.
    expect(await statusOf(dpd(demo('globex').dpd.username, demo('globex').dpd.password, nat))).toBe(429);

    // A made-up key in the tagged format, from an address in good standing: 401, no database call.
    for (const [send, label] of [
      [(id: string) => dpd(neighbour.username!, forged('dpd_pw_'), '198.51.100.90', id), 'dpd'],
      [(id: string) => lumen(forged('lumen_sk_'), '198.51.100.91', id), 'lumen'],
      // (This worker is past its failing-client ceiling: a client it already counts.)
      [(id: string) => kit(forged('kit_at_'), '192.0.2.3', id), 'kit'],
    ] as const) {
      const id = randomUUID();
      expect(await statusOf(send(id)), label).toBe(401);
      expect(await roundTrips(id), label).toBe(0);
    }
    // The same for a publisher's consumer key: its consumer secret is not looked up.
    const url = `${workers.urls.groupcommerce}/api/v3/publisher/consumer/creditcards?UserKey=u1`;
    const id = randomUUID();
    const publisher = await fetch(url, {
      headers: { 'CF-Connecting-IP': '198.51.100.93', 'X-Request-Id': id, Authorization: oauthHeader({ consumerKey: forged('gck_'), consumerSecret: made() }, url, 'GET', null) },
    });
    expect(publisher.status).toBe(401);
    expect(await roundTrips(id)).toBe(0);
    record('abuse', { attack: 'shared address', blockedAfter: failedAuthLimit, taggedServed: true, forgedLookups: 0 });
  });
});
