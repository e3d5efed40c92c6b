/**
 * The DPD purchases API through the full stack: every list filter alone and combined, paging with
 * its count header, every field of a purchase in DPD's types, reactivate with and without
 * refulfill, Basic auth failures and other companies' ids. Each test company is made here, so
 * purchases other test files add elsewhere cannot change what these see.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, demo, stack, superuser } from './helpers.ts';

let db: pg.Client;
interface Fixture {
  slug: string;
  auth: string;
  purchases: Record<'a' | 'b' | 'c' | 'd' | 'e', number>;
  products: Record<string, number>;
  storefronts: Record<string, number>;
  customers: Record<string, number>;
}
let fx: Fixture;

/** A company with DPD credentials and a known set of purchases, written straight to the ledger. */
async function makeFixture(): Promise<Fixture> {
  const slug = `dpd-${crypto.randomUUID().slice(0, 8)}`;
  expect((await admin('company', 'create', '--slug', slug, '--name', 'DPD Test')).code).toBe(0);
  const { username, password } = JSON.parse((await admin('credential', 'issue', 'dpd', '--company', slug, '--json')).stdout);
  const company = (await db.query('select id from ledger.companies where slug = $1', [slug])).rows[0].id;
  const one = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows[0];
  const storefront = async (name: string) => Number((await one('insert into ledger.storefronts (company_id, name) values ($1, $2) returning number', [company, name])).number);
  const storefronts = { s1: await storefront('One'), s2: await storefront('Two') };
  const product = async (name: string, days: number | null, keys: number) =>
    one('insert into ledger.products (company_id, name, download_limit, download_days, keys_per_unit) values ($1, $2, 3, $3, $4) returning id, number', [company, name, days, keys]);
  const p1 = await product('E-book', 30, 1);
  const p2 = await product('Mug', null, 0);
  const customer = async (email: string, first: string, last: string) =>
    one('insert into ledger.customers (company_id, email, first_name, last_name) values ($1, $2, $3, $4) returning id, number', [company, email, first, last]);
  const alice = await customer('alice@example.com', 'Alice', 'Zephyr');
  const bob = await customer('bob@example.com', 'Bob', 'Young');
  const alina = await customer('ALINA@example.com', 'Alina', 'Zed');
  const sf = async (n: number) => (await one('select id from ledger.storefronts where number = $1', [n])).id;
  const purchase = async (status: string, total: string | null, storefrontNumber: number, buyer: any, createdAt: string, ships: boolean, shipped: boolean, items: Array<[any, number]>) => {
    const row = await one(
      `insert into ledger.purchases (company_id, source, status, total, currency, storefront_id, customer_id, created_at, requires_shipping)
       values ($1, 'dpd', $2, $3, 'USD', $4, $5, $6, $7) returning id, number`,
      [company, status, total, await sf(storefrontNumber), buyer.id, createdAt, ships],
    );
    for (const [i, [prod, quantity]] of items.entries()) {
      await db.query(
        `insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price, position, download_count, expires_at, product_keys, keys_wanted)
         values ($1, $2, $3, $4, 5, $5, 2, now() - interval '1 day', $6, $7)`,
        [row.id, company, prod.id, quantity, i, prod === p1 ? ['OLD-KEY'] : [], prod === p1 ? 1 : 0],
      );
    }
    if (ships) await db.query(`insert into ledger.shipments (company_id, purchase_id, status) values ($1, $2, $3)`, [company, row.id, shipped ? 'shipped' : 'pending']);
    return Number(row.number);
  };
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
  const purchases = {
    a: await purchase('paid', '10.00', storefronts.s1, alice, '2024-01-05T10:00:00Z', false, false, [[p1, 1]]),
    b: await purchase('pending', '25.50', storefronts.s2, bob, '2024-03-01T00:00:00Z', true, false, [[p2, 2]]),
    c: await purchase('refunded', '25.50', storefronts.s1, alina, hoursAgo(24), true, true, [[p1, 1], [p2, 1]]),
    d: await purchase('paid', '99.99', storefronts.s2, bob, hoursAgo(3), true, false, [[p2, 1]]),
    e: await purchase('canceled', null, storefronts.s1, alice, hoursAgo(1), false, false, [[p1, 1]]),
  };
  return {
    slug,
    auth: `Basic ${btoa(`${username}:${password}`)}`,
    purchases,
    products: { p1: Number(p1.number), p2: Number(p2.number) },
    storefronts,
    customers: { alice: Number(alice.number), bob: Number(bob.number), alina: Number(alina.number) },
  };
}

async function dpd(path: string, init: { auth?: string | null; method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const auth = init.auth === undefined ? fx.auth : init.auth;
  const res = await fetch(`${stack().apis.dpd}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(auth ? { Authorization: auth } : {}), ...init.headers },
    ...(init.body ? { body: init.body } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
const ids = (res: { body: any }) => (res.body as Array<{ id: number }>).map((p) => p.id);

beforeAll(async () => {
  db = await superuser();
  fx = await makeFixture();
});
afterAll(async () => db?.end());

describe('GET /purchases filters', () => {
  const p = () => fx.purchases;
  const cases: Array<[string, () => string, () => number[]]> = [
    ['no filter, newest first', () => '', () => [p().e, p().d, p().c, p().b, p().a]],
    ['status=ACT', () => 'status=ACT', () => [p().d, p().a]],
    ['status in lower case', () => 'status=pnd', () => [p().b]],
    ['status=CAN', () => 'status=CAN', () => [p().e]],
    ['product_id', () => `product_id=${fx.products.p1}`, () => [p().e, p().c, p().a]],
    ['storefront_id', () => `storefront_id=${fx.storefronts.s2}`, () => [p().d, p().b]],
    ['customer_id', () => `customer_id=${fx.customers.bob}`, () => [p().d, p().b]],
    ['subscriber_id', () => `subscriber_id=${fx.customers.alina}`, () => [p().c]],
    ['customer_email starts with, any case', () => 'customer_email=AL', () => [p().e, p().c, p().a]],
    ['customer_first_name', () => 'customer_first_name=ali', () => [p().e, p().c, p().a]],
    ['customer_last_name', () => 'customer_last_name=Ze', () => [p().e, p().c, p().a]],
    ['a LIKE wildcard is taken literally', () => 'customer_email=%25', () => []],
    ['date range (ISO dates)', () => 'date_min=2024-01-01&date_max=2024-12-31', () => [p().b, p().a]],
    ['date_min as words', () => 'date_min=2%20days%20ago', () => [p().e, p().d, p().c]],
    ['date_min=yesterday', () => 'date_min=yesterday', () => [p().e, p().d]],
    ['date_max as a month name', () => 'date_max=January%205%202024%2011:00', () => [p().a]],
    ['date_min as @unix', () => `date_min=@${Math.floor(Date.UTC(2024, 1, 1) / 1000)}&date_max=${Math.floor(Date.UTC(2024, 11, 31) / 1000)}`, () => [p().b]],
    ['date_max as RFC 2822', () => 'date_max=Fri,%2005%20Jan%202024%2010:00:00%20%2B0000', () => [p().a]],
    ['total equals', () => 'total=25.50', () => [p().c, p().b]],
    ['total_op=gt', () => 'total=25.50&total_op=gt', () => [p().d]],
    // A purchase reported without an amount shows 0.00 and is compared as 0.00.
    ['total_op=lt', () => 'total=25.50&total_op=lt', () => [p().e, p().a]],
    ['total_op=ne', () => 'total=25.50&total_op=ne', () => [p().e, p().d, p().a]],
    ['total of none', () => 'total=0', () => [p().e]],
    ['total_op=gt than none', () => 'total=0&total_op=gt', () => [p().d, p().c, p().b, p().a]],
    ['total_op=ne to none', () => 'total=0.00&total_op=ne', () => [p().d, p().c, p().b, p().a]],
    ['ship: tangibles not yet shipped', () => 'ship=1', () => [p().d, p().b]],
    ['status and ship', () => 'status=ACT&ship=1', () => [p().d]],
    ['storefront, email and date', () => `storefront_id=${fx.storefronts.s1}&customer_email=ali&date_min=2025-01-01`, () => [p().e, p().c]],
    ['product, customer and total', () => `product_id=${fx.products.p2}&customer_id=${fx.customers.bob}&total=99.99`, () => [p().d]],
  ];

  it.each(cases)('%s', async (_name, query, expected) => {
    const res = await dpd(`/purchases?${query()}`);
    expect(res.status).toBe(200);
    // "yesterday" is midnight, so the purchase made 24 hours ago may fall either side of it.
    if (_name === 'date_min=yesterday') {
      expect(ids(res)).toEqual(expect.arrayContaining([p().e, p().d]));
      return;
    }
    expect(ids(res)).toEqual(expected());
    expect(res.headers.get('Dpd-Collection-Count')).toBe(String(expected().length));
  });

  it.each([
    ['status=SHIPPED', 'status'],
    ['total_op=gte&total=1', 'total_op'],
    ['date_min=whenever', 'date_min'],
    ['date_max=2024-13-45', 'date_max'],
    ['total=cheap', 'total'],
    ['product_id=abc', 'product_id'],
    ['page=0', 'page'],
  ])('%s is a 400 naming the parameter', async (query, field) => {
    const res = await dpd(`/purchases?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'BADREQUEST', errors: [{ field }] });
  });

  it('serves the same routes under /v2', async () => {
    const res = await dpd('/v2/purchases?status=ACT');
    expect(ids(res)).toEqual([fx.purchases.d, fx.purchases.a]);
  });
});

describe('paging', () => {
  it('100 a page, newest first, the filtered count in Dpd-Collection-Count, NOTFOUND past the end', async () => {
    const company = (await db.query('select id from ledger.companies where slug = $1', [fx.slug])).rows[0].id;
    await db.query(
      `insert into ledger.purchases (company_id, source, status, total, currency, created_at)
       select $1, 'dpd', 'pending', 1, 'USD', now() - make_interval(secs => g) from generate_series(1, 150) g`,
      [company],
    );
    const first = await dpd('/purchases?status=PND');
    const second = await dpd('/purchases?status=PND&page=2');
    expect(first.body).toHaveLength(100);
    expect(second.body).toHaveLength(51);
    expect(first.headers.get('Dpd-Collection-Count')).toBe('151');
    const all = [...ids(first), ...ids(second)];
    expect(new Set(all).size).toBe(151);
    expect([...all].sort((x, y) => y - x)).toEqual(all);
    const past = await dpd('/purchases?status=PND&page=3');
    expect([past.status, past.body]).toEqual([404, { status: 'NOTFOUND' }]);
  });
});

describe('GET /purchases/:id', () => {
  it('has every attribute of the reference, in its types', async () => {
    const acme = `Basic ${btoa(`acme:${demo('acme').dpd.password}`)}`;
    const res = await dpd('/purchases/1001', { auth: acme });
    expect(res.status).toBe(200);
    const p = res.body;
    expect(Object.keys(p)).toEqual([
      'id', 'created_at', 'updated_at', 'storefront_id', 'salt', 'status', 'currency', 'subtotal', 'discount', 'tax', 'shipping', 'total',
      'processor_fee', 'buyer_email', 'buyer_firstname', 'buyer_lastname', 'customer', 'customer_notes', 'custom_fields',
      'shipping_firstname', 'shipping_lastname', 'shipping_street', 'shipping_street2', 'shipping_city', 'shipping_state', 'shipping_zip_code',
      'shipping_country_code', 'shipping_country', 'shipping_phone', 'shipping_vatin', 'shipping_business_name', 'shipping_carrier',
      'shipping_tracking_number', 'requires_shipping', 'tangibles_to_ship', 'billing_firstname', 'billing_lastname', 'billing_street',
      'billing_street2', 'billing_city', 'billing_state', 'billing_zip_code', 'billing_country_code', 'billing_card_type',
      'billing_card_number', 'line_items', 'coupons', 'ip_address', 'marketing_optin',
    ]);
    expect(p).toMatchObject({
      id: 1001, storefront_id: 101, status: 'ACT', currency: 'USD',
      // spec: total = subtotal + discount + tax + shipping, a discount being money off.
      subtotal: '120.00', discount: '-12.00', tax: '8.64', shipping: '10.00', total: '126.64', processor_fee: '3.97',
      buyer_email: 'dana.scully@example.com', buyer_firstname: 'Dana', buyer_lastname: 'Scully',
      customer_notes: 'Please gift wrap.',
      custom_fields: [{ label: 'How did you hear about us?', response: 'A friend' }, { label: 'Company name', response: 'FBI' }],
      shipping_country_code: 'US', shipping_country: 'United States', requires_shipping: true, tangibles_to_ship: 3,
      billing_card_type: 'Visa', billing_card_number: '************4242', ip_address: '203.0.113.7', marketing_optin: true,
      coupons: [{ name: 'Spring sale', code: 'SPRING10', discount_amount: '10.00', discount_type: 'percent' }],
    });
    for (const key of ['created_at', 'updated_at']) expect(Number.isInteger(p[key])).toBe(true);
    expect(p.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(p.customer).toEqual({
      id: expect.any(Number), firstname: 'Dana', lastname: 'Scully', email: 'dana.scully@example.com', receives_email: true,
      created_at: expect.any(Number), updated_at: expect.any(Number),
    });
    expect(p.line_items[0]).toEqual({
      id: expect.any(Number), purchase_id: 1001, product_id: 1, price: '50.00', quantity: 1, subtotal: '50.00', tax: '3.60',
      discount: '-12.00', total: '41.60', product_name: 'Annual subscription', download_limit: 5, download_count: 0,
      expires_at: expect.any(Number), product_keys: ['DEMO-1001-1'], has_all_keys: true,
    });
    expect(p.line_items[1]).toMatchObject({ product_id: 2, quantity: 2, subtotal: '70.00', total: '75.04', expires_at: null, product_keys: [] });
  });

  it('tangibles_to_ship is null without shipping and 0 once shipped', async () => {
    expect((await dpd(`/purchases/${fx.purchases.a}`)).body).toMatchObject({ requires_shipping: false, tangibles_to_ship: null });
    expect((await dpd(`/purchases/${fx.purchases.c}`)).body).toMatchObject({ requires_shipping: true, tangibles_to_ship: 0 });
    expect((await dpd(`/purchases/${fx.purchases.b}`)).body).toMatchObject({ tangibles_to_ship: 2 });
  });

  it('shows a purchase another API reported with the rest empty, in the right types', async () => {
    const res = await fetch(`${stack().apis.kit}/v4/purchases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${demo('globex').kit.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ purchase: { email_address: 'kit@example.com', transaction_id: `dpd-${Date.now()}`, currency: 'EUR', total: 9.5, products: [{ name: 'Zine', pid: 'Z-1', lid: 'L-1', quantity: 1, unit_price: 9.5 }] } }),
    });
    const kitId = ((await res.json()) as any).purchase.id;
    const globex = `Basic ${btoa(`globex:${demo('globex').dpd.password}`)}`;
    const p = (await dpd(`/purchases/${kitId}`, { auth: globex })).body;
    expect(p).toMatchObject({
      id: kitId, status: 'ACT', currency: 'EUR', total: '9.50', subtotal: '9.50', discount: '0.00', tax: '0.00', shipping: '0.00',
      storefront_id: null, buyer_email: 'kit@example.com',
      buyer_firstname: '', shipping_street: '', billing_card_number: '', requires_shipping: false, tangibles_to_ship: null,
      custom_fields: [], coupons: [], ip_address: '', marketing_optin: false,
    });
    expect(p.line_items).toEqual([expect.objectContaining({ product_name: 'Zine', price: '9.50', quantity: 1, product_keys: [] })]);
  });

  it('answers another company\'s purchase as it answers a missing one', async () => {
    for (const id of [1001, 999999999, 'abc']) {
      const res = await dpd(`/purchases/${id}`);
      expect([res.status, res.body]).toEqual([404, { status: 'NOTFOUND' }]);
    }
  });
});

describe('POST /purchases/:id/reactivate', () => {
  const outbox = async (number: number) =>
    (await db.query(`select o.to_address, o.template from ledger.email_outbox o join ledger.purchases p on p.id = o.purchase_id where p.number = $1 order by o.created_at`, [number])).rows;

  it('makes the purchase active, renews downloads and queues the email to the buyer', async () => {
    const id = fx.purchases.c;
    const before = (await dpd(`/purchases/${id}`)).body;
    expect(before.status).toBe('RFD');
    const res = await dpd(`/purchases/${id}/reactivate`, { method: 'POST' });
    expect([res.status, res.body]).toEqual([200, { status: 'OK' }]);
    const after = (await dpd(`/purchases/${id}`)).body;
    expect(after.status).toBe('ACT');
    const ebook = after.line_items[0];
    expect(ebook.download_count).toBe(0);
    expect(ebook.expires_at).toBeGreaterThan(Date.now() / 1000 + 29 * 86400);
    expect(ebook.product_keys).toEqual(['OLD-KEY']);
    expect(after.line_items[1].expires_at).toBeNull();
    expect(await outbox(id)).toEqual([{ to_address: 'ALINA@example.com', template: 'purchase_reactivated' }]);
  });

  it('with refulfill delivers new keys, and sends to customer_email when given', async () => {
    const id = fx.purchases.e;
    const res = await dpd(`/purchases/${id}/reactivate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'refulfill=1&customer_email=other%40example.com',
    });
    expect(res.body).toEqual({ status: 'OK' });
    const keys = (await dpd(`/purchases/${id}`)).body.line_items[0].product_keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toBe('OLD-KEY');
    expect(await outbox(id)).toEqual([{ to_address: 'other@example.com', template: 'purchase_refulfilled' }]);
  });

  it('refuses a bad email, and another company\'s purchase is NOTFOUND', async () => {
    const bad = await dpd(`/purchases/${fx.purchases.a}/reactivate?customer_email=nope`, { method: 'POST' });
    expect(bad.status).toBe(400);
    const other = await dpd('/purchases/1001/reactivate', { method: 'POST' });
    expect([other.status, other.body]).toEqual([404, { status: 'NOTFOUND' }]);
    // A body that is not the form its Content-Type claims is a 400, not a failure of the server.
    const broken = await dpd(`/purchases/${fx.purchases.a}/reactivate`, { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '{"refulfill":true}' });
    expect([broken.status, broken.body]).toEqual([400, { status: 'BADREQUEST', message: 'The request body is not a valid form.' }]);
  });
});

describe('HTTP Basic', () => {
  it('answers the ping with SUCCESS, at the root and under /v2', async () => {
    for (const path of ['/', '/v2', '/v2/']) expect((await dpd(path)).body).toEqual({ status: 'SUCCESS' });
  });

  it('401 with a WWW-Authenticate challenge for no, malformed or wrong credentials', async () => {
    for (const auth of [null, 'Basic !!!', `Basic ${btoa('acme:wrong')}`, `Basic ${btoa(`${fx.slug}:${demo('acme').dpd.password}`)}`]) {
      for (const path of ['/purchases', '/purchases/1001', '/']) {
        const res = await dpd(path, { auth });
        expect(res.status, `${auth} ${path}`).toBe(401);
        expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic realm="DPD API"/);
        expect(res.body.status).toBe('UNAUTHORIZED');
      }
    }
  });
});
