/**
 * The edge entry (top-level wrangler.toml, functions/edge): every vendor path answers through
 * `apis.edge` as through its own worker, one request per endpoint; a publisher request signed for
 * the edge's URL verifies; each API's document, page and health are published under its name.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiNames, type ApiName } from '../platform/stack/config.ts';
import { demo, sampleOrderForm, stack } from './helpers.ts';
import { oauthHeader } from './oauth-client.ts';

const acme = () => demo('acme');
const edge = () => stack().apis.edge;

interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A new body for each send (writes must not repeat each other). */
  body?: () => string;
  /** Signed OAuth 1.0a for the URL it is sent to (the publisher API). */
  signed?: boolean;
}

async function send(origin: string, call: Call): Promise<{ status: number; type: string | null; body: unknown }> {
  const url = `${origin}${call.path}`;
  const body = call.body?.();
  const headers: Record<string, string> = { ...call.headers };
  if (call.signed) {
    headers.Authorization = oauthHeader(acme().groupcommerce, url, call.method, body ?? null);
    if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, { method: call.method, headers, body });
  const type = res.headers.get('Content-Type');
  const answer = type?.includes('json') ? ((await res.json()) as Record<string, unknown>) : await res.text();
  // The publisher API stamps each answer with the server's time.
  if (typeof answer === 'object' && answer && 'lastPublished' in answer) answer.lastPublished = '(time)';
  return { status: res.status, type, body: answer };
}

/** The shape of an answer: its keys, recursively, with values left out (writes differ in ids and times). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 1).map(shape);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return typeof value;
}

const basic = () => ({ Authorization: `Basic ${Buffer.from(`${acme().dpd.username}:${acme().dpd.password}`).toString('base64')}` });
const kitAuth = () => ({ Authorization: `Bearer ${acme().kit.token}` });
const json = { 'Content-Type': 'application/json' };

const reads: Array<[name: string, call: () => Call]> = [
  ['DPD GET / (ping)', () => ({ method: 'GET', path: '/', headers: basic() })],
  ['DPD GET /purchases', () => ({ method: 'GET', path: '/purchases?page=1', headers: basic() })],
  ['DPD GET /v2/purchases', () => ({ method: 'GET', path: '/v2/purchases?page=1', headers: basic() })],
  ['DPD GET /v2/purchases/:id (unknown)', () => ({ method: 'GET', path: '/v2/purchases/999999999', headers: basic() })],
  ['Kit GET /v4/purchases', () => ({ method: 'GET', path: '/v4/purchases', headers: kitAuth() })],
  ['Kit GET /v4/purchases/:id (unknown)', () => ({ method: 'GET', path: '/v4/purchases/999999999', headers: kitAuth() })],
  [
    'operations list_purchases',
    () => ({
      method: 'POST',
      path: '/functions/v1/openapi-operations',
      headers: { 'X-Api-Key': acme().operations.apiKey, ...json },
      body: () => JSON.stringify({ action: 'list_purchases', lead_id: acme().operations.leadIds[0] }),
    }),
  ],
  ['Group Commerce GET creditcards', () => ({ method: 'GET', path: `/api/v3/publisher/consumer/creditcards?UserKey=nobody-${randomUUID()}`, signed: true })],
  ['Lumen without a key', () => ({ method: 'POST', path: '/partners/v1/purchases', headers: json, body: () => '{}' })],
];

const writes: Array<[name: string, call: () => Call]> = [
  [
    'Lumen POST /partners/v1/purchases',
    () => ({
      method: 'POST',
      path: '/partners/v1/purchases',
      headers: { 'X-Partner-Api-Key': acme().lumen.apiKey, ...json },
      body: () =>
        JSON.stringify({
          partnerPurchaseId: `EDGE-${randomUUID()}`,
          fulfillment: false,
          customer: { email: `edge-${randomUUID()}@example.com` },
          items: [{ productId: acme().lumen.productIds[0], quantity: 1 }],
        }),
    }),
  ],
  [
    'operations create_purchase',
    () => ({
      method: 'POST',
      path: '/functions/v1/openapi-operations',
      headers: { 'X-Api-Key': acme().operations.apiKey, ...json },
      body: () => JSON.stringify({ action: 'create_purchase', lead_id: acme().operations.leadIds[0], product_id: acme().operations.productIds[0], purchase_amount: 5 }),
    }),
  ],
  [
    'Kit POST /v4/purchases',
    () => ({
      method: 'POST',
      path: '/v4/purchases',
      headers: { ...kitAuth(), ...json },
      body: () =>
        JSON.stringify({
          purchase: {
            email_address: `edge-${randomUUID()}@example.com`,
            transaction_id: `EDGE-${randomUUID()}`,
            currency: 'USD',
            total: 10,
            products: [{ name: 'Edge widget', pid: 'edge-1', lid: 'edge-l1', quantity: 1, unit_price: 10 }],
          },
        }),
    }),
  ],
  ['DPD POST /v2/purchases/:id/reactivate (unknown)', () => ({ method: 'POST', path: '/v2/purchases/999999999/reactivate', headers: basic() })],
  ['Group Commerce POST /order/validate', () => ({ method: 'POST', path: '/api/v3/publisher/order/validate', signed: true, body: () => new URLSearchParams(sampleOrderForm()).toString() })],
  ['Group Commerce POST /order', () => ({ method: 'POST', path: '/api/v3/publisher/order', signed: true, body: () => new URLSearchParams(sampleOrderForm()).toString() })],
];

function apiOf(call: Call): ApiName {
  if (call.path.startsWith('/partners/')) return 'lumen';
  if (call.path.startsWith('/functions/')) return 'operations';
  if (call.path.startsWith('/v4/')) return 'kit';
  if (call.path.startsWith('/api/v3/')) return 'groupcommerce';
  return 'dpd';
}

describe('every vendor path through the edge', () => {
  it.each(reads)('%s: the same answer as from its own worker', async (_name, make) => {
    const call = make();
    const direct = await send(stack().apis[apiOf(call)], call);
    const through = await send(edge(), call);
    expect(direct.status).toBeLessThan(500);
    expect(through).toEqual(direct);
  });

  it.each(writes)('%s: the same status and shape as from its own worker', async (_name, make) => {
    const call = make();
    const direct = await send(stack().apis[apiOf(call)], call);
    const through = await send(edge(), call);
    expect(direct.status).toBeLessThan(500);
    expect(through.status, JSON.stringify(through.body)).toBe(direct.status);
    expect(through.type).toBe(direct.type);
    expect(shape(through.body)).toEqual(shape(direct.body));
  });

  it('verifies a publisher request signed for the edge URL, and refuses one signed for the worker URL sent to the edge', async () => {
    const placed = await send(edge(), { method: 'POST', path: '/api/v3/publisher/order', signed: true, body: () => new URLSearchParams(sampleOrderForm()).toString() });
    expect(placed.status).toBe(200);
    const body = new URLSearchParams(sampleOrderForm()).toString();
    const signedForWorker = oauthHeader(acme().groupcommerce, `${stack().apis.groupcommerce}/api/v3/publisher/order`, 'POST', body);
    const res = await fetch(`${edge()}/api/v3/publisher/order`, {
      method: 'POST',
      headers: { Authorization: signedForWorker, 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('answers a path no API serves with 404 and a pointer to /docs', async () => {
    const res = await fetch(`${edge()}/nowhere`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/\/docs/);
  });
});

describe("each API's document, page and health under its name", () => {
  it.each(apiNames)('%s', async (api) => {
    const direct = await (await fetch(`${stack().apis[api]}/openapi.json`)).json();
    const published = await fetch(`${edge()}/${api}/openapi.json`);
    expect(published.status).toBe(200);
    expect(await published.json()).toEqual(direct);

    const page = await fetch(`${edge()}/${api}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    // The page links its own files and document under the API's name.
    expect(html).toContain(`href="/${api}/docs/swagger-ui.css"`);
    expect(html).toContain(`url: '/${api}/openapi.json'`);
    const css = await fetch(`${edge()}/${api}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('Content-Type')).toMatch(/text\/css/);
    await css.body?.cancel();

    expect(await (await fetch(`${edge()}/${api}/health?deep=1`)).json()).toEqual({ status: 'ok', service: api, database: 'ok' });
  });

  it('sends a browser opening / to the index; DPD clients at / are answered by DPD', async () => {
    const browser = await fetch(`${edge()}/`, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('Location')).toBe('/docs');
    const dpd = demo('acme').dpd;
    const basic = `Basic ${btoa(`${dpd.username}:${dpd.password}`)}`;
    // A DPD client: its credential (whatever it accepts), or no credential and no HTML wanted.
    for (const headers of [{ Authorization: basic }, { Authorization: basic, Accept: 'text/html' }]) {
      const res = await fetch(`${edge()}/`, { headers, redirect: 'manual' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'SUCCESS' });
    }
    const challenged = await fetch(`${edge()}/`, { headers: { Accept: 'application/json' }, redirect: 'manual' });
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
    await challenged.body?.cancel();
  });

  it('lists the five at /docs, and checks them all at /health?deep=1', async () => {
    const index = await (await fetch(`${edge()}/docs`)).text();
    for (const api of apiNames) expect(index).toContain(`href="/${api}/docs"`);
    expect(await (await fetch(`${edge()}/health`)).json()).toEqual({ status: 'ok', service: 'edge' });
    expect(await (await fetch(`${edge()}/health?deep=1`)).json()).toEqual({
      status: 'ok',
      service: 'edge',
      apis: Object.fromEntries(apiNames.map((api) => [api, 'ok'])),
    });
  });
});
