/**
 * The Kit v4 purchases API through the full stack: the reference's example, every field and
 * rule, the transaction_id rule under concurrency, cursor paging both ways, cross-account ids,
 * purchases from other APIs in the list, and Kit's rate limit.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLeads } from '../platform/demo.ts';
import { kitExampleRequest } from '../functions/kit/openapi.ts';
import { admin, companyFootprint, demo, stack, superuser } from './helpers.ts';

// The reference's example, as the API document gives it.
const example = kitExampleRequest;

async function kit(token: string | null, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${stack().apis.kit}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
const post = (token: string, body: unknown) => kit(token, '/v4/purchases', { method: 'POST', body });
const withPurchase = (changes: Record<string, unknown>) => ({ purchase: { ...example.purchase, ...changes } });

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

/** A company of its own with a Kit token, for tests that count or page. */
async function freshAccount(): Promise<string> {
  const slug = `kit-${crypto.randomUUID().slice(0, 8)}`;
  expect((await admin('company', 'create', '--slug', slug, '--name', 'Kit Test')).code).toBe(0);
  return JSON.parse((await admin('credential', 'issue', 'kit', '--company', slug, '--json')).stdout).token;
}

describe('POST /v4/purchases', () => {
  it("answers the reference's example with acme's demo token as npm run try -- kit shows: 201 the first time, then 200 updating it", async () => {
    const first = await post(demo('acme').kit.token, example);
    expect(first.status).toBe(201);
    const again = await post(demo('acme').kit.token, example);
    expect(again.status).toBe(200);
    expect(again.body.purchase.id).toBe(first.body.purchase.id);
  });

  it('creates the reference\'s example and answers exactly as the reference shows', async () => {
    const res = await post(demo('globex').kit.token, example);
    expect(res.status).toBe(201);
    const { shipping: _shipping, products, ...fields } = example.purchase;
    expect(res.body).toEqual({
      purchase: {
        id: expect.any(Number),
        ...Object.fromEntries(['transaction_id', 'status', 'email_address', 'currency', 'transaction_time', 'subtotal', 'discount', 'tax', 'total'].map((k) => [k, fields[k as keyof typeof fields]])),
        products: products.map(({ name, pid, lid, quantity, unit_price, sku }) => ({ quantity, lid, unit_price, sku, name, pid })),
      },
    });
    expect(Object.keys(res.body.purchase)).toEqual([
      'id', 'transaction_id', 'status', 'email_address', 'currency', 'transaction_time', 'subtotal', 'discount', 'tax', 'total', 'products',
    ]);
    expect(Object.keys(res.body.purchase.products[0])).toEqual(['quantity', 'lid', 'unit_price', 'sku', 'name', 'pid']);
  });

  it('makes the subscriber and the products the account lacks, once', async () => {
    const token = await freshAccount();
    await post(token, withPurchase({ transaction_id: 'a-1', email_address: 'Sub@Example.com' }));
    await post(token, withPurchase({ transaction_id: 'a-2', email_address: 'sub@example.com' }));
    const { rows } = await db.query(
      `select (select count(*) from ledger.customers c where c.company_id = p.company_id)::int as subscribers,
              (select count(*) from ledger.products pr where pr.company_id = p.company_id)::int as products,
              (select count(*) from ledger.purchases q where q.company_id = p.company_id)::int as purchases
       from ledger.purchases p where p.source = 'kit' and p.external_id = 'a-2'`,
    );
    expect(rows).toEqual([{ subscribers: 1, products: 3, purchases: 2 }]);
  });

  it('fills what is left out: status paid, time now; takes a lower-case currency', async () => {
    const started = Date.now();
    const { status: _s, transaction_time: _t, ...rest } = example.purchase;
    const res = await post(demo('acme').kit.token, { purchase: { ...rest, transaction_id: `fill-${Date.now()}`, currency: 'eur' } });
    expect(res.status).toBe(201);
    expect(res.body.purchase.status).toBe('paid');
    expect(res.body.purchase.currency).toBe('EUR');
    expect(Date.parse(res.body.purchase.transaction_time)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000 - 5000);
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['email_address not an email', withPurchase({ email_address: 'pru' }), /^purchase\.email_address must be an email address$/],
    // The reference's page shows its example's address as an email-protection placeholder.
    ['the reference page\'s placeholder address', withPurchase({ email_address: '[email protected]' }), /^purchase\.email_address must be an email address$/],
    ['transaction_id missing', withPurchase({ transaction_id: undefined }), /^purchase\.transaction_id is required$/],
    ['currency unknown', withPurchase({ currency: 'ZZZ' }), /^purchase\.currency must be a three-letter ISO 4217/],
    ['status unknown', withPurchase({ status: 'shipped' }), /^purchase\.status must be one of paid, pending/],
    ['a negative total', withPurchase({ total: -1 }), /^purchase\.total must not be negative$/],
    // The amounts must add up, to the cent: the sentence names the fields and both sums.
    ['amounts that do not add up', withPurchase({ total: 81.5 }), /^purchase\.total is 81\.50, but subtotal − discount \+ tax \+ shipping = 78\.66 − 5\.00 \+ 7\.87 \+ 0\.00 = 81\.53$/],
    ['a discount above the rest', withPurchase({ discount: 100, total: undefined }), /^purchase\.discount is more than the rest: subtotal − discount \+ tax \+ shipping = 78\.66 − 100\.00 \+ 7\.87 \+ 0\.00 = -13\.47$/],
    ['tax in fractions of a cent', withPurchase({ tax: 7.875 }), /^purchase\.tax must have at most 2 decimal places$/],
    ['transaction_time not a time', withPurchase({ transaction_time: 'yesterday' }), /^purchase\.transaction_time must be an ISO 8601/],
    ['no products', withPurchase({ products: [] }), /^purchase\.products must list at least one product$/],
    ['a product without pid', withPurchase({ products: [{ name: 'x', lid: 'l', quantity: 1, unit_price: 1 }] }), /^purchase\.products\[0\]\.pid is required$/],
    ['a quantity of zero', withPurchase({ products: [{ ...example.purchase.products[0], quantity: 0 }] }), /^purchase\.products\[0\]\.quantity must be a whole number of at least 1$/],
    ['an unknown field', withPurchase({ coupon: 'X' }), /^purchase\.coupon is not a known field$/],
    ['no purchase object', { email_address: 'x@example.com' }, /purchase is required|email_address is not a known field/],
    ['malformed JSON', '{"purchase":', /not valid JSON/],
  ];
  it.each(invalid)('%s: 422 with a sentence naming the field, nothing written', async (_name, body, message) => {
    const before = await companyFootprint(db, demo('acme').companyId);
    const res = await post(demo('acme').kit.token, body);
    expect(res.status).toBe(422);
    expect(res.body.errors.some((e: string) => message.test(e)), JSON.stringify(res.body)).toBe(true);
    expect(await companyFootprint(db, demo('acme').companyId)).toEqual(before);
  });
});

describe('the transaction_id rule', () => {
  it('a second POST updates the purchase (200) instead of making another', async () => {
    const token = await freshAccount();
    const first = await post(token, withPurchase({ transaction_id: 'T-1' }));
    const second = await post(token, withPurchase({
      transaction_id: 'T-1', status: 'refunded', subtotal: 23.22, tax: 0, discount: 0, total: 23.22, products: [example.purchase.products[0]],
    }));
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.purchase).toMatchObject({ id: first.body.purchase.id, status: 'refunded', subtotal: 23.22, total: 23.22 });
    expect(second.body.purchase.products).toHaveLength(1);
    const list = await kit(token, '/v4/purchases?include_total_count=true');
    expect(list.body.pagination.total_count).toBe(1);
  });

  it('20 concurrent POSTs of one transaction_id make exactly one purchase', async () => {
    const token = await freshAccount();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(token, withPurchase({ transaction_id: 'T-burst' }))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.purchase.id)).size).toBe(1);
    expect((await kit(token, '/v4/purchases?include_total_count=true')).body.pagination.total_count).toBe(1);
  });
});

describe('GET /v4/purchases', () => {
  it('pages newest first, forward with after and back with before, unmoved by new purchases', async () => {
    const token = await freshAccount();
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await post(token, withPurchase({ transaction_id: `P-${i}` }))).body.purchase.id);
    const newestFirst = [...ids].reverse();
    const page = (query: string) => kit(token, `/v4/purchases?per_page=2${query}`);
    const idsOf = (res: { body: any }) => res.body.purchases.map((p: { id: number }) => p.id);

    const one = await page('');
    expect(idsOf(one)).toEqual(newestFirst.slice(0, 2));
    expect(one.body.pagination).toMatchObject({ has_previous_page: false, has_next_page: true, per_page: 2 });
    // A purchase made while paging does not shift the pages already begun.
    await post(token, withPurchase({ transaction_id: 'P-late' }));
    const two = await page(`&after=${one.body.pagination.end_cursor}`);
    expect(idsOf(two)).toEqual(newestFirst.slice(2, 4));
    expect(two.body.pagination).toMatchObject({ has_previous_page: true, has_next_page: true });
    const three = await page(`&after=${two.body.pagination.end_cursor}`);
    expect(idsOf(three)).toEqual(newestFirst.slice(4));
    expect(three.body.pagination.has_next_page).toBe(false);
    const back = await page(`&before=${three.body.pagination.start_cursor}`);
    expect(idsOf(back)).toEqual(newestFirst.slice(2, 4));
    const front = await page(`&before=${one.body.pagination.start_cursor}`);
    expect(idsOf(front)).toHaveLength(1);
    expect(front.body.pagination.has_previous_page).toBe(false);

    const counted = await kit(token, '/v4/purchases?include_total_count=true');
    expect(counted.body.pagination).toMatchObject({ per_page: 500, total_count: 6 });
    expect(counted.body.purchases[0]).toHaveProperty('subscriber_id');
  });

  it('refuses bad paging parameters with 422', async () => {
    for (const query of ['per_page=0', 'per_page=1001', 'per_page=ten', 'after=bogus', 'after=WzFd&before=WzFd', 'include_total_count=maybe']) {
      const res = await kit(demo('acme').kit.token, `/v4/purchases?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.errors).toHaveLength(1);
    }
  });

  it('lists purchases reported through other APIs with what is known', async () => {
    const token = await freshAccount();
    expect((await kit(token, '/v4/purchases')).body.purchases).toEqual([]);
    const operations = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
      method: 'POST',
      headers: { 'X-Api-Key': demo('acme').operations.apiKey },
      body: JSON.stringify({ action: 'create_purchase', lead_id: demoLeads.acmeDirect, purchase_amount: 19.99, product_id: demo('acme').operations.productIds[0] }),
    });
    const created = ((await operations.json()) as any).purchase;
    const { rows } = await db.query('select number from ledger.purchases where id = $1', [created.id]);
    const listed = (await kit(demo('acme').kit.token, '/v4/purchases?per_page=1000')).body.purchases.find((p: { id: number }) => p.id === Number(rows[0].number));
    expect(listed).toMatchObject({ transaction_id: null, status: 'paid', currency: 'USD', total: 19.99, email_address: null });
    expect(listed.products).toEqual([expect.objectContaining({ quantity: 1, unit_price: 19.99, name: 'Annual subscription', pid: 'LMN_123456' })]);
  });
});

describe('GET /v4/purchases/{id}', () => {
  it('answers with subscriber_id; another account\'s id, an unknown one and a malformed one are 404', async () => {
    const created = await post(demo('acme').kit.token, withPurchase({ transaction_id: `G-${Date.now()}` }));
    const got = await kit(demo('acme').kit.token, `/v4/purchases/${created.body.purchase.id}`);
    expect(got.status).toBe(200);
    expect(got.body.purchase).toEqual({ ...created.body.purchase, subscriber_id: expect.any(Number) });
    expect(Object.keys(got.body.purchase).slice(0, 3)).toEqual(['id', 'transaction_id', 'subscriber_id']);
    for (const [token, id] of [[demo('globex').kit.token, created.body.purchase.id], [demo('acme').kit.token, 999999999], [demo('acme').kit.token, 'abc']]) {
      const res = await kit(token as string, `/v4/purchases/${id}`);
      expect([res.status, res.body]).toEqual([404, { errors: ['Not Found'] }]);
    }
  });
});

describe('authentication and rate limit', () => {
  it('401 for a missing or wrong token, and for an API key', async () => {
    expect(await kit(null, '/v4/purchases')).toMatchObject({ status: 401, body: { errors: ['The access token is missing.'] } });
    expect(await kit('kit_demo_wrong', '/v4/purchases')).toMatchObject({ status: 401, body: { errors: ['The access token is invalid'] } });
    expect(await post('kit_demo_wrong', '{bad json')).toMatchObject({ status: 401 });
    const apiKey = await kit(null, '/v4/purchases', { headers: { 'X-Kit-Api-Key': 'kit_api_key' } });
    expect(apiKey.status).toBe(401);
    expect(apiKey.body.errors[0]).toMatch(/OAuth access token/);
  });

  it('allows 600 requests a minute per token, then 429 with a Retry-After', async () => {
    const token = await freshAccount();
    const statuses: number[] = [];
    // Malformed ids are answered after the rate limit counts them and before any database call.
    for (let batch = 0; batch < 30; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => kit(token, '/v4/purchases/x')));
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.every((s) => s === 404)).toBe(true);
    const limited = await kit(token, '/v4/purchases/x');
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0]).toMatch(/Rate limit/);
    const retryAfter = Number(limited.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});
