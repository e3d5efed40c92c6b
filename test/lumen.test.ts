/**
 * The Lumen partner purchases API through the full stack: both reference examples as shown, what
 * each fulfillment model leaves in the ledger, every validation rule, one error shape, duplicates
 * under concurrency, and the partner's rate limit with a truthful Retry-After.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lumenFulfilledExample, partnerFulfilledExample } from '../functions/lumen/openapi.ts';
import { admin, companyFootprint, demo, stack, superuser } from './helpers.ts';

async function report(body: unknown, options: { key?: string | null; contentType?: string | null } = {}) {
  const key = options.key === undefined ? demo('acme').lumen.apiKey : options.key;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  const res = await fetch(`${stack().apis.lumen}/partners/v1/purchases`, {
    method: 'POST',
    headers: { ...(key ? { 'X-Partner-Api-Key': key } : {}), ...(contentType ? { 'Content-Type': contentType } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;
/** acme's purchases (the reports here are acme's), counted apart from what other test files write. */
const purchaseCount = async () => (await companyFootprint(db, demo('acme').companyId)).purchases!;

describe('the reference examples', () => {
  it('Lumen-fulfilled: 201 echoing the purchase, and a pending shipment to the address', async () => {
    const res = await report(lumenFulfilledExample);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        id: expect.stringMatching(/^pur_[0-9a-f]{10}$/),
        partnerPurchaseId: 'PARTNER_PUR_123',
        fulfillment: true,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        ...Object.fromEntries(Object.entries(lumenFulfilledExample).filter(([k]) => !['partnerPurchaseId', 'fulfillment'].includes(k))),
      },
    });
    expect(Object.keys(res.body.data)).toEqual([
      'id', 'partnerPurchaseId', 'fulfillment', 'createdAt', 'customer', 'items', 'shippingAddress', 'additionalInfo', 'properties',
    ]);
    const { rows } = await db.query(
      `select s.status, p.shipping_street, p.shipping_country_code, p.requires_shipping, c.email, i.quantity, pr.code
       from ledger.purchases p
       join ledger.shipments s on s.purchase_id = p.id
       join ledger.customers c on c.id = p.customer_id
       join ledger.purchase_items i on i.purchase_id = p.id
       join ledger.products pr on pr.id = i.product_id
       where p.source = 'lumen' and p.external_id = 'PARTNER_PUR_123'`,
    );
    expect(rows).toEqual([
      { status: 'pending', shipping_street: '123 Main St', shipping_country_code: 'US', requires_shipping: true, email: 'customer@example.com', quantity: 1, code: 'LMN_123456' },
    ]);
  });

  it('partner-fulfilled: 201, and the customer registered for account setup once, however often they buy', async () => {
    const res = await report(partnerFulfilledExample);
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.stringMatching(/^pur_[0-9a-f]{10}$/),
      partnerPurchaseId: 'PARTNER_PUR_456',
      fulfillment: false,
      createdAt: expect.any(String),
      customer: partnerFulfilledExample.customer,
      items: partnerFulfilledExample.items,
      additionalInfo: partnerFulfilledExample.additionalInfo,
    });
    const again = await report({ ...partnerFulfilledExample, partnerPurchaseId: unique('again'), customer: { ...partnerFulfilledExample.customer, email: 'CUSTOMER@example.com' } });
    expect(again.status).toBe(201);
    const { rows } = await db.query(
      `select count(*)::int as setups from ledger.account_setups a join ledger.customers c on c.id = a.customer_id
       where c.email_key = 'customer@example.com'`,
    );
    expect(rows[0].setups).toBe(1);
    const shipments = await db.query(
      `select count(*)::int as n from ledger.shipments s join ledger.purchases p on p.id = s.purchase_id where p.external_id = 'PARTNER_PUR_456'`,
    );
    expect(shipments.rows[0].n).toBe(0);
  });
});

describe('validation', () => {
  const valid = () => ({ ...structuredClone(lumenFulfilledExample), partnerPurchaseId: unique('v') });
  const without = (path: string[]) => {
    const body: any = valid();
    let node = body;
    for (const key of path.slice(0, -1)) node = node[key];
    delete node[path.at(-1)!];
    return body;
  };
  const cases: Array<[string, unknown, Array<{ field: string; message: RegExp }>]> = [
    ['partnerPurchaseId missing', without(['partnerPurchaseId']), [{ field: 'partnerPurchaseId', message: /required/ }]],
    ['fulfillment not a boolean', { ...valid(), fulfillment: 'yes' }, [{ field: 'fulfillment', message: /true or false/ }]],
    ['customer missing', without(['customer']), [{ field: 'customer', message: /required/ }]],
    ['customer.email not an email', { ...valid(), customer: { email: 'nope', firstName: 'J', lastName: 'D' } }, [{ field: 'customer.email', message: /email/ }]],
    ['customer.lastName missing', without(['customer', 'lastName']), [{ field: 'customer.lastName', message: /required/ }]],
    ['items empty', { ...valid(), items: [] }, [{ field: 'items', message: /at least one/ }]],
    ['quantity zero', { ...valid(), items: [{ productId: 'LMN_123456', quantity: 0 }] }, [{ field: 'items[0].quantity', message: /whole number of at least 1/ }]],
    ['quantity fractional', { ...valid(), items: [{ productId: 'LMN_123456', quantity: 1.5 }] }, [{ field: 'items[0].quantity', message: /whole number/ }]],
    ['productId missing', { ...valid(), items: [{ quantity: 1 }] }, [{ field: 'items[0].productId', message: /required/ }]],
    ['shippingAddress missing when Lumen ships', without(['shippingAddress']), [{ field: 'shippingAddress', message: /required when fulfillment is true/ }]],
    ['a starred address field missing', without(['shippingAddress', 'zip']), [{ field: 'shippingAddress.zip', message: /required when fulfillment is true/ }]],
    ['countryCode not ISO 3166-1', { ...valid(), shippingAddress: { ...lumenFulfilledExample.shippingAddress, countryCode: 'UK' } }, [{ field: 'shippingAddress.countryCode', message: /ISO 3166-1/ }]],
    ['phone formatted', { ...valid(), shippingAddress: { ...lumenFulfilledExample.shippingAddress, phone: '(555) 123-4567' } }, [{ field: 'shippingAddress.phone', message: /digits/ }]],
    ['properties nested too deep', { ...valid(), properties: { a: [[[[[[1]]]]]] } }, [{ field: 'properties.a', message: /JSON value nesting at most 5 levels/ }]],
    ['properties too large', { ...valid(), properties: { a: 'x'.repeat(17_000) } }, [{ field: 'properties', message: /at most 16 KB/ }]],
    ['properties too many', { ...valid(), properties: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, [{ field: 'properties', message: /at most 50 keys/ }]],
    ['an unknown field', { ...valid(), coupon: 'X' }, [{ field: 'coupon', message: /not a known field/ }]],
    ['a product not granted', { ...valid(), items: [{ productId: 'LMN_123456', quantity: 1 }, { productId: 'LMN_777001', quantity: 1 }] }, [{ field: 'items[1].productId', message: /not a product granted/ }]],
    ['a segment not agreed', { ...valid(), additionalInfo: { audienceSegment: 'everyone' } }, [{ field: 'additionalInfo.audienceSegment', message: /not an audience segment agreed/ }]],
  ];

  it.each(cases)('%s: 400 INVALID_INPUT naming the field, nothing written', async (_name, body, details) => {
    const before = await purchaseCount();
    const res = await report(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'INVALID_INPUT', message: expect.any(String) } });
    expect(res.body.error.details).toEqual(details.map(({ field, message }) => ({ field, message: expect.stringMatching(message) })));
    expect(await purchaseCount()).toBe(before);
  });

  it('reports every problem at once', async () => {
    const res = await report({ partnerPurchaseId: '', fulfillment: true, customer: { email: 'x' }, items: [{ productId: 'LMN_123456', quantity: -1 }] });
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([
      'partnerPurchaseId', 'customer.email', 'customer.firstName', 'customer.lastName', 'items[0].quantity', 'shippingAddress',
    ]);
  });

  it('accepts a partial address when the partner ships, and refuses a model the partnership has not enabled', async () => {
    const partial = await report({ ...partnerFulfilledExample, partnerPurchaseId: unique('p'), shippingAddress: { city: 'Boston', countryCode: 'US' } });
    expect(partial.status).toBe(201);
    expect(partial.body.data.shippingAddress).toEqual({ city: 'Boston', countryCode: 'US' });
    // globex's partnership is partner-fulfilled only.
    const globex = await report(
      { ...lumenFulfilledExample, partnerPurchaseId: unique('g'), items: [{ productId: 'LMN_777001', quantity: 1 }], additionalInfo: { audienceSegment: 'newsletter_readers' } },
      { key: demo('globex').lumen.apiKey },
    );
    expect(globex.status).toBe(400);
    expect(globex.body.error.details).toEqual([{ field: 'fulfillment', message: 'Lumen-fulfilled purchases (true) are not enabled for this partnership' }]);
  });

  it('requires Content-Type: application/json and a JSON object', async () => {
    for (const [body, contentType] of [[JSON.stringify(valid()), 'text/plain'], [JSON.stringify(valid()), null], ['{"partnerPurchaseId":', 'application/json'], ['"text"', 'application/json']] as const) {
      const res = await report(body, { contentType });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'INVALID_INPUT', details: [] } });
    }
  });
});

describe('one error shape', () => {
  it('401 UNAUTHORIZED for a missing or wrong key, even with a bad body', async () => {
    for (const key of [null, 'lumen_demo_wrong']) {
      const res = await report('{bad', { key });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED', details: [] } });
    }
  });

  it('404 NOT_FOUND for an unknown route', async () => {
    const res = await fetch(`${stack().apis.lumen}/partners/v1/refunds`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('properties', () => {
  it('takes any JSON value within the bounds, echoes it unchanged and keeps it with the purchase', async () => {
    const properties = {
      campaign: { id: 42, tags: ['spring', 'email'], source: { medium: 'newsletter', weights: [0.5, 1e-3] } },
      gift: true, note: null, count: -7, list: [1, 'two', { three: [3] }], deepest: [[[[1]]]],
    };
    const body = { ...partnerFulfilledExample, partnerPurchaseId: unique('props'), properties };
    const res = await report(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.properties).toEqual(properties);
    expect(JSON.stringify(res.body.data.properties)).toBe(JSON.stringify(properties));
    const { rows } = await db.query(`select attributes -> 'properties' as properties from ledger.purchases where source = 'lumen' and external_id = $1`, [body.partnerPurchaseId]);
    expect(rows).toEqual([{ properties }]);
  });

  it('refuses a hostile depth without exhausting anything', async () => {
    // Written out by hand: the test's own JSON.stringify would not survive this depth.
    const body = JSON.stringify({ ...partnerFulfilledExample, partnerPurchaseId: unique('deep'), properties: { deep: 0 } })
      .replace('"deep":0', `"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const res = await report(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'properties.deep', message: expect.stringMatching(/nesting at most 5 levels/) }]);
  });
});

describe('duplicates', () => {
  it('20 concurrent identical reports make one purchase: one 201, nineteen 409 DUPLICATE_PURCHASE', async () => {
    const body = { ...lumenFulfilledExample, partnerPurchaseId: unique('dup') };
    const before = await purchaseCount();
    const answers = await Promise.all(Array.from({ length: 20 }, () => report(body)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const conflicts = answers.filter((a) => a.status === 409);
    expect(conflicts).toHaveLength(19);
    for (const c of conflicts) expect(c.body).toMatchObject({ success: false, error: { code: 'DUPLICATE_PURCHASE' } });
    expect(await purchaseCount()).toBe(before + 1);
  });

  it('are per partner: another partner may use the same partnerPurchaseId', async () => {
    const res = await report({ ...partnerFulfilledExample, items: [{ productId: 'LMN_777001', quantity: 1 }], additionalInfo: { audienceSegment: 'newsletter_readers' } }, { key: demo('globex').lumen.apiKey });
    expect(res.status).toBe(201);
  });
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMIT past the partnership\'s limit, with a Retry-After that holds', async () => {
    const slug = `rl-${Date.now()}`;
    const ok = async (...args: string[]) => expect((await admin(...args)).code).toBe(0);
    await ok('company', 'create', '--slug', slug, '--name', 'Rate Limited');
    const { apiKey } = JSON.parse((await admin('credential', 'issue', 'lumen', '--company', slug, '--json')).stdout);
    await ok('partnership', 'set', '--company', slug, '--partner-fulfilled', 'yes', '--rate-limit', '3', '--rate-window', '4');
    await ok('product', 'create', '--company', slug, '--name', 'Widget', '--code', 'LMN_W1');
    await ok('partnership', 'grant-product', '--company', slug, '--product', 'LMN_W1');
    const body = () => ({ ...partnerFulfilledExample, partnerPurchaseId: unique('rl'), items: [{ productId: 'LMN_W1', quantity: 1 }], additionalInfo: undefined });

    const statuses = [];
    let limited;
    for (let i = 0; i < 5; i++) {
      const res = await report(body(), { key: apiKey });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(limited!.body).toMatchObject({ success: false, error: { code: 'RATE_LIMIT' } });
    const retryAfter = Number(limited!.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(4);
    // Waiting as told is enough.
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await report(body(), { key: apiKey })).status).toBe(201);
  });
});

describe('stack.json', () => {
  it('gives each company its granted products, segments and rate limit', () => {
    expect(demo('acme').lumen).toMatchObject({
      productIds: ['LMN_123456', 'LMN_654321'],
      audienceSegments: ['segment_of_audience', 'type_of_audience'],
      rateLimit: { limit: 120, windowSeconds: 60 },
    });
    expect(demo('globex').lumen.rateLimit).toEqual({ limit: 30, windowSeconds: 60 });
  });
});
