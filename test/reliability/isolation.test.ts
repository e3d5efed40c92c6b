/**
 * Tenant isolation, enumerated: for every endpoint and every kind of id it takes, acme using
 * globex's ids gets the API's not-found or forbidden answer (or, where an id is the caller's own
 * name for a thing, a thing of its own) and never a byte of globex's data. Then directly against
 * PostgREST: every RPC the catalog lists, called with acme's worker token and globex's ids, yields
 * none of globex's rows, and with the anon key none may be called at all.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workerToken } from '../../shared/db/client.ts';
import type { PresentedCredential } from '../../shared/auth/credentials.ts';
import { demo, signedGet, signedOrder, stack, superuser } from '../helpers.ts';
import { record } from './report.ts';

let db: pg.Client;
const acme = () => demo('acme');
const globex = () => demo('globex');

/** What only globex's data holds: ids, emails, names, tokens; none may reach acme. */
let markers: string[] = [];
/** globex's ids of each kind, made or found before the checks. */
const b = {} as {
  operationsPurchase: string;
  operationsLead: string;
  operationsProduct: string;
  kitPurchase: number;
  kitTransaction: string;
  lumenPurchaseId: string;
  dpdPurchase: number;
  dpdProduct: number;
  dpdStorefront: number;
  dpdCustomer: number;
  dpdEmail: string;
  userKey: string;
  storedCard: string;
  chargeAttempt: string;
};

beforeAll(async () => {
  db = await superuser();
  const ops = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
    method: 'POST',
    headers: { 'X-Api-Key': globex().operations.apiKey },
    body: JSON.stringify({ action: 'create_purchase', lead_id: globex().operations.leadIds[2], product_id: globex().operations.productIds[0], purchase_amount: 3 }),
  });
  expect(ops.status).toBe(201);
  b.operationsPurchase = ((await ops.json()) as { purchase: { id: string } }).purchase.id;
  b.operationsLead = globex().operations.leadIds[2]!;
  b.operationsProduct = globex().operations.productIds[0]!;

  b.kitTransaction = `globex-${randomUUID()}`;
  const kit = await fetch(`${stack().apis.kit}/v4/purchases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${globex().kit.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ purchase: { email_address: `globex-kit-${randomUUID()}@example.com`, transaction_id: b.kitTransaction, total: 5, currency: 'EUR',
      products: [{ name: 'Globex gadget', pid: 'g-1', lid: 'g-l1', quantity: 1, unit_price: 5 }] } }),
  });
  expect(kit.status).toBe(201);
  b.kitPurchase = ((await kit.json()) as { purchase: { id: number } }).purchase.id;

  b.lumenPurchaseId = `GLOBEX-${randomUUID()}`;
  const lumen = await fetch(`${stack().apis.lumen}/partners/v1/purchases`, {
    method: 'POST',
    headers: { 'X-Partner-Api-Key': globex().lumen.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ partnerPurchaseId: b.lumenPurchaseId, fulfillment: false, customer: { email: `globex-lumen-${randomUUID()}@example.com`, firstName: 'Gloria', lastName: 'Bex' },
      items: [{ productId: globex().lumen.productIds[0], quantity: 1 }] }),
  });
  expect(lumen.status).toBe(201);

  b.userKey = `globex-consumer-${randomUUID()}@example.com`;
  const order = await signedOrder(globex().groupcommerce, {
    'ConsumerInfo.UserKey': b.userKey, 'ConsumerInfo.Email': b.userKey, 'ConsumerInfo.FirstName': 'Greta', 'ConsumerInfo.LastName': 'Globex',
    'BillingInfo.NameOnCard': 'Greta Globex', 'BillingInfo.CardNumber': '4111111111111111', 'BillingInfo.CVV': '123', 'BillingInfo.ExpirationMonth': '12',
    'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 2), 'BillingInfo.BillingAddress': '1 Allee', 'BillingInfo.BillingCity': 'Berlin',
    'BillingInfo.BillingState': 'BE', 'BillingInfo.BillingZip': '10115', 'BillingInfo.StoreCreditCard': 'True',
    'OrderDetails[0].OfferId': '7001', 'OrderDetails[0].OfferOptionId': '7101', 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': 'berlin',
  });
  expect(order.status).toBe(200);
  b.storedCard = (await db.query('select s.id from ledger.stored_cards s join ledger.customers c on c.id = s.customer_id where c.user_key = $1', [b.userKey])).rows[0].id;
  b.chargeAttempt = (await db.query('select id from ledger.charge_attempts where user_key = $1', [b.userKey])).rows[0].id;

  b.dpdPurchase = globex().dpd.purchaseIds[0]!;
  b.dpdProduct = globex().dpd.productIds[0]!;
  b.dpdStorefront = globex().dpd.storefrontIds[0]!;
  const customer = (await db.query(`select c.number, c.email from ledger.purchases p join ledger.customers c on c.id = p.customer_id where p.number = $1`, [b.dpdPurchase])).rows[0];
  b.dpdCustomer = Number(customer.number);
  b.dpdEmail = customer.email;

  const company = globex().companyId;
  const rows = await db.query(
    `select x from (
       select id::text as x from ledger.purchases where company_id = $1
       union all select email from ledger.customers where company_id = $1 and email is not null
       union all select first_name from ledger.customers where company_id = $1 and length(first_name) > 4
       union all select name from ledger.products where company_id = $1 and length(name) > 6
       union all select processor_token from ledger.stored_cards where company_id = $1
       union all select id::text from ledger.stored_cards where company_id = $1
       union all select id::text from ledger.charge_attempts where company_id = $1
       union all select name from ledger.companies where id = $1
       union all select $1::text
     ) m where x is not null`,
    [company],
  );
  markers = [...new Set(rows.rows.map((r) => r.x as string))];
  expect(markers.length).toBeGreaterThan(10);
});
afterAll(async () => db?.end());

/**
 * Whether `value` is globex's alone: other test files, running meanwhile, may give acme the same
 * email or product name (their examples are shared), which is then no leak.
 */
async function globexOnly(value: string): Promise<boolean> {
  const { rows } = await db.query(
    `select not exists (select 1 from ledger.customers where company_id <> $1 and (email = $2 or first_name = $2 or last_name = $2))
        and not exists (select 1 from ledger.products where company_id <> $1 and name = $2) as only`,
    [globex().companyId, value],
  );
  return rows[0].only;
}

/** Fails if the answer carries any of globex's markers, beyond what the request itself said. */
async function expectNoLeak(what: string, answer: string, request: string) {
  // Whole values only: acme's rpc-kit@example.com does not carry globex's kit@example.com.
  const whole = (text: string, m: string) => new RegExp(`(?<![\\w.@+-])${m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.@+-])`).test(text);
  const hits = markers.filter((m) => whole(answer, m) && !request.includes(m));
  const leaked = [];
  for (const hit of hits) if (await globexOnly(hit)) leaked.push(hit);
  record('isolation', { check: what, leaked: leaked.length > 0 });
  expect(leaked, `${what} leaked: ${leaked.join(', ')}`).toEqual([]);
}

async function operations(body: Record<string, unknown>) {
  const request = JSON.stringify(body);
  const res = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, { method: 'POST', headers: { 'X-Api-Key': acme().operations.apiKey }, body: request });
  return { status: res.status, text: await res.text(), request };
}

describe('through the APIs, acme with globex\'s ids', () => {
  it('operations: leads, products and purchases of globex are forbidden or not found', async () => {
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['create_purchase lead_id', { action: 'create_purchase', lead_id: b.operationsLead, product_id: acme().operations.productIds[0], purchase_amount: 1 }, 403],
      ['create_purchase product_id', { action: 'create_purchase', lead_id: acme().operations.leadIds[0], product_id: b.operationsProduct, purchase_amount: 1 }, 403],
      ['get_purchase purchase_id', { action: 'get_purchase', purchase_id: b.operationsPurchase }, 404],
      ['list_purchases lead_id', { action: 'list_purchases', lead_id: b.operationsLead }, 403],
      // A filter by an id the caller cannot see lists nothing, as for an id that does not exist.
      ['list_reward_events purchase_id', { action: 'list_reward_events', purchase_id: b.operationsPurchase }, 200],
      ['list_reward_events lead_id', { action: 'list_reward_events', lead_id: b.operationsLead }, 200],
    ];
    for (const [name, body, status] of cases) {
      const res = await operations(body);
      expect(res.status, `${name}: ${res.text}`).toBe(status);
      if (status === 200) expect(JSON.parse(res.text).reward_events).toEqual([]);
      await expectNoLeak(`operations ${name}`, res.text, res.request);
    }
  });

  it('Lumen: globex\'s products and segments are refused; its partnerPurchaseId is acme\'s own', async () => {
    const send = async (body: Record<string, unknown>) => {
      const request = JSON.stringify(body);
      const res = await fetch(`${stack().apis.lumen}/partners/v1/purchases`, { method: 'POST', headers: { 'X-Partner-Api-Key': acme().lumen.apiKey, 'Content-Type': 'application/json' }, body: request });
      return { status: res.status, text: await res.text(), request };
    };
    const base = { fulfillment: false, customer: { email: 'iso@example.com', firstName: 'Iso', lastName: 'Late' }, items: [{ productId: acme().lumen.productIds[0], quantity: 1 }] };
    const product = await send({ ...base, partnerPurchaseId: `ISO-${randomUUID()}`, items: [{ productId: globex().lumen.productIds[0], quantity: 1 }] });
    expect(product.status).toBe(400);
    await expectNoLeak('lumen productId', product.text, product.request);
    const segment = await send({ ...base, partnerPurchaseId: `ISO-${randomUUID()}`, additionalInfo: { audienceSegment: globex().lumen.audienceSegments[0] } });
    expect(segment.status).toBe(400);
    await expectNoLeak('lumen audienceSegment', segment.text, segment.request);
    const same = await send({ ...base, partnerPurchaseId: b.lumenPurchaseId });
    expect(same.status, same.text).toBe(201);
    await expectNoLeak('lumen partnerPurchaseId', same.text, same.request);
  });

  it('Kit: globex\'s purchase is not found; its transaction_id makes acme a purchase of its own', async () => {
    const get = await fetch(`${stack().apis.kit}/v4/purchases/${b.kitPurchase}`, { headers: { Authorization: `Bearer ${acme().kit.token}` } });
    const getText = await get.text();
    expect(get.status).toBe(404);
    await expectNoLeak('kit GET /v4/purchases/:id', getText, String(b.kitPurchase));
    const list = await fetch(`${stack().apis.kit}/v4/purchases?per_page=1000`, { headers: { Authorization: `Bearer ${acme().kit.token}` } });
    const listText = await list.text();
    expect(JSON.parse(listText).purchases.map((p: { id: number }) => p.id)).not.toContain(b.kitPurchase);
    await expectNoLeak('kit GET /v4/purchases', listText, '');
    const request = JSON.stringify({ purchase: { email_address: 'iso-kit@example.com', transaction_id: b.kitTransaction, total: 1, currency: 'USD',
      products: [{ name: 'Acme thing', pid: 'a-1', lid: 'a-l1', quantity: 1, unit_price: 1 }] } });
    const post = await fetch(`${stack().apis.kit}/v4/purchases`, { method: 'POST', headers: { Authorization: `Bearer ${acme().kit.token}`, 'Content-Type': 'application/json' }, body: request });
    const postText = await post.text();
    expect(post.status, postText).toBe(201);
    expect(JSON.parse(postText).purchase.id).not.toBe(b.kitPurchase);
    await expectNoLeak('kit POST transaction_id', postText, request);
  });

  it('DPD: globex\'s purchase is not found, and its products, storefronts, customers and emails filter to nothing', async () => {
    const auth = { Authorization: `Basic ${Buffer.from(`${acme().dpd.username}:${acme().dpd.password}`).toString('base64')}` };
    // A filter by an id the caller cannot see lists nothing (200 []), as for an id that does not exist.
    const cases: Array<[string, string, string, number]> = [
      ['GET /purchases/:id', 'GET', `/purchases/${b.dpdPurchase}`, 404],
      ['POST /purchases/:id/reactivate', 'POST', `/purchases/${b.dpdPurchase}/reactivate`, 404],
      ['product_id', 'GET', `/purchases?product_id=${b.dpdProduct}`, 200],
      ['storefront_id', 'GET', `/purchases?storefront_id=${b.dpdStorefront}`, 200],
      ['customer_id', 'GET', `/purchases?customer_id=${b.dpdCustomer}`, 200],
      ['customer_email', 'GET', `/purchases?customer_email=${encodeURIComponent(b.dpdEmail)}`, 200],
    ];
    for (const [name, method, path, expected] of cases) {
      const res = await fetch(`${stack().apis.dpd}${path}`, { method, headers: auth });
      const text = await res.text();
      expect(res.status, `${name}: ${text}`).toBe(expected);
      if (expected === 200) expect([text, res.headers.get('Dpd-Collection-Count')]).toEqual(['[]', '0']);
      await expectNoLeak(`dpd ${name}`, text, decodeURIComponent(path));
    }
  });

  it('publisher: globex\'s offers, options, segments, promo codes, stored cards and consumers are not acme\'s', async () => {
    const consumer = `iso-${randomUUID()}@example.com`;
    const form = {
      'ConsumerInfo.UserKey': consumer, 'ConsumerInfo.Email': consumer, 'ConsumerInfo.FirstName': 'Iso', 'ConsumerInfo.LastName': 'Late',
      'BillingInfo.PaymentCapturedOffSite': 'True',
      'OrderDetails[0].OfferId': '9035', 'OrderDetails[0].OfferOptionId': '9123', 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': 'new-york',
    };
    const cases: Array<[string, Record<string, string>, number]> = [
      ['OfferId', { 'OrderDetails[0].OfferId': '7001', 'OrderDetails[0].OfferOptionId': '7101', 'OrderDetails[0].SegmentKey': 'berlin' }, 400],
      ['OfferOptionId', { 'OrderDetails[0].OfferOptionId': '7101' }, 400],
      ['SegmentKey', { 'OrderDetails[0].SegmentKey': 'berlin' }, 400],
      ['PromoCodes', { PromoCodes: 'WILLKOMMEN' }, 400],
      ['StoredCreditCardId', { 'BillingInfo.PaymentCapturedOffSite': 'False', 'BillingInfo.StoredCreditCardId': b.storedCard }, 400],
      ['StoredCreditCardId with globex\'s UserKey', { 'ConsumerInfo.UserKey': b.userKey, 'BillingInfo.PaymentCapturedOffSite': 'False', 'BillingInfo.StoredCreditCardId': b.storedCard }, 400],
    ];
    for (const [name, change, status] of cases) {
      const sent = { ...form, ...change };
      const res = await signedOrder(acme().groupcommerce, sent);
      const text = await res.text();
      expect(res.status, `${name}: ${text}`).toBe(status);
      await expectNoLeak(`publisher ${name}`, text, JSON.stringify(sent));
    }
    // globex's UserKey names a consumer of acme's own: acme's order creates it; globex's is untouched.
    const own = { ...form, 'ConsumerInfo.UserKey': b.userKey, 'ConsumerInfo.Email': 'acme-side@example.com', 'ConsumerInfo.ReferredByUserKey': b.userKey };
    const placed = await signedOrder(acme().groupcommerce, own);
    const placedText = await placed.text();
    expect(placed.status, placedText).toBe(200);
    await expectNoLeak('publisher UserKey', placedText, JSON.stringify(own));
    const consumers = await db.query('select company_id, email, first_name from ledger.customers where user_key = $1 order by company_id', [b.userKey]);
    expect(consumers.rows).toEqual(expect.arrayContaining([
      { company_id: globex().companyId, email: b.userKey, first_name: 'Greta' },
      { company_id: acme().companyId, email: 'acme-side@example.com', first_name: 'Iso' },
    ]));
    const cards = await signedGet(acme().groupcommerce, `/api/v3/publisher/consumer/creditcards?UserKey=${encodeURIComponent(b.userKey)}`);
    const cardsText = await cards.text();
    expect(cards.status).toBe(200);
    expect(JSON.parse(cardsText).creditCards).toEqual([]);
    await expectNoLeak('publisher creditcards UserKey', cardsText, b.userKey);
  });
});

describe('directly against PostgREST', () => {
  /** A call with `token`, or with the publishable key alone (`null`: the gateway makes it anon). */
  const rpc = async (fn: string, token: string | null, args: Record<string, unknown>) => {
    const res = await fetch(`${stack().supabase.url}/rest/v1/rpc/${fn}`, {
      method: 'POST',
      headers: { apikey: stack().supabase.anonKey, ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    });
    return { status: res.status, text: await res.text() };
  };
  const nonce = () => ({ nonce: randomUUID(), signed_at: Math.floor(Date.now() / 1000), window_seconds: 300 });
  // globex's consumer, stored card, promo code and offer, in the ledger's names (functions/groupcommerce/wire.ts).
  const order = (extra: Record<string, unknown> = {}) => ({
    customer: { user_key: b.userKey, no_email: false }, payment: 'stored_card', stored_card_id: b.storedCard, promo_codes: ['WILLKOMMEN'],
    lines: [{ offer_number: 7001, option_number: 7101, quantity: 1, segment_key: 'berlin', is_gift: false }], ...extra,
  });
  const kinds: Record<string, PresentedCredential> = {};
  beforeAll(() => {
    kinds.operations = { kind: 'operations_api_key', secret: acme().operations.apiKey };
    kinds.lumen = { kind: 'lumen_api_key', secret: acme().lumen.apiKey };
    kinds.kit = { kind: 'kit_token', secret: acme().kit.token };
    kinds.dpd = { kind: 'dpd_basic', keyId: acme().dpd.username, secret: acme().dpd.password };
    kinds.groupcommerce = { kind: 'oauth_consumer', keyId: acme().groupcommerce.consumerKey, secret: acme().groupcommerce.consumerSecret };
  });

  /** Every RPC in `public`, with the credential kind that calls it and globex's ids as arguments. */
  const calls: Record<string, [kind: string | null, args: () => Record<string, unknown>]> = {
    authenticate: ['kit', () => ({})],
    caller_request_limit: ['dpd', () => ({ api: 'dpd' })],
    oauth_consumer_secret: [null, () => ({ consumer_key: globex().groupcommerce.consumerKey })],
    oauth_accept_request: ['groupcommerce', nonce],
    operations_create_purchase: ['operations', () => ({ lead: b.operationsLead, product: b.operationsProduct, amount: 1, purchased_at: null, note: null, idempotency_key: null, request_hash: null })],
    operations_get_purchase: ['operations', () => ({ purchase: b.operationsPurchase })],
    operations_list_purchases: ['operations', () => ({ lead: b.operationsLead, page_size: 100, after_id: null })],
    operations_list_reward_events: ['operations', () => ({ purchase: b.operationsPurchase, lead: null, page_size: 100, after_id: null })],
    lumen_create_purchase: ['lumen', () => ({
      purchase: { external_id: b.lumenPurchaseId, requires_shipping: false, attributes: {}, customer: { email: 'rpc@example.com' }, lines: [{ product_code: globex().lumen.productIds[0], quantity: 1 }] },
      lumen_fulfilled: false, segment: null,
    })],
    kit_create_purchase: ['kit', () => ({ purchase: { customer: { email: 'rpc-kit@example.com' }, external_id: b.kitTransaction, status: 'paid', currency: 'USD', lines: [] } })],
    kit_get_purchase: ['kit', () => ({ purchase_number: b.kitPurchase })],
    kit_list_purchases: ['kit', () => ({ page_size: 1000, after_number: null, before_number: null, with_count: true })],
    dpd_get_purchase: ['dpd', () => ({ purchase_number: b.dpdPurchase })],
    dpd_list_purchases: ['dpd', () => ({ page_number: 1, status: null, product_number: b.dpdProduct, storefront_number: null, customer_number: null, email_prefix: null,
      first_name_prefix: null, last_name_prefix: null, created_from: null, created_to: null, total: null, total_comparison: null, unshipped: null })],
    dpd_reactivate_purchase: ['dpd', () => ({ purchase_number: b.dpdPurchase, email_to: null, renew_keys: false })],
    gc_consumer_credit_cards: ['groupcommerce', () => ({ ...nonce(), user_key: b.userKey })],
    gc_order: ['groupcommerce', () => ({ ...nonce(), ordered: order(), place: false })],
    gc_place_charged_order: ['groupcommerce', () => ({
      ordered: order({ payment: 'new_card', stored_card_id: undefined, promo_codes: [] }),
      payment: { attempt_id: b.chargeAttempt, amount: '20.00', transaction_id: `rpc-${randomUUID()}` },
    })],
    gc_settle_charge_attempt: ['groupcommerce', () => ({ attempt_id: b.chargeAttempt, outcome: 'refunded' })],
    // Reconciliation's: the publisher worker's cron, as its own role alone (the test below).
    reconcile_claim: ['groupcommerce', () => ({ quiet_seconds: 0, max_attempts: 100, lease_seconds: 1 })],
    reconcile_settle: ['groupcommerce', () => ({ attempt_id: b.chargeAttempt, charge: null })],
    // The relay's: the delivery worker's role alone may call them (the test below: a worker token may not).
    relay_claim: ['kit', () => ({ max_messages: 100, lease_seconds: 1 })],
    relay_messages: ['kit', () => ({ messages: [] })],
    relay_record: ['kit', () => ({ results: [], lease_seconds: 1 })],
  };

  it("refuses the relay's and reconciliation's RPCs to a worker token and to the anon key", async () => {
    const worker = await workerToken(inject('jwtSecret'), kinds.kit!);
    for (const fn of ['relay_claim', 'relay_messages', 'relay_record', 'reconcile_claim', 'reconcile_settle']) {
      for (const token of [worker, null, stack().supabase.legacyAnonKey]) {
        const res = await rpc(fn, token, calls[fn]![1]());
        expect(res.status, `${fn}: ${res.text}`).toBeGreaterThanOrEqual(401);
        expect(res.status, `${fn}: ${res.text}`).toBeLessThan(500);
        expect(res.text).toMatch(/permission denied/);
      }
    }
  });

  it('covers every RPC the catalog lists (a new RPC without a case fails here)', async () => {
    const { rows } = await db.query(`select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1`);
    expect(rows.map((r) => r.proname).sort()).toEqual(Object.keys(calls).sort());
  });

  it('gives acme\'s worker token none of globex\'s rows from any RPC', async () => {
    for (const [fn, [kind, args]] of Object.entries(calls)) {
      const token = await workerToken(inject('jwtSecret'), kind ? kinds[kind]! : null);
      const sent = args();
      const res = await rpc(fn, token, sent);
      expect(res.status, `${fn}: ${res.text}`).toBeLessThan(500);
      await expectNoLeak(`rpc ${fn}`, res.text, JSON.stringify(sent));
    }
    // The Lumen and Kit calls above made acme purchases of its own at most; globex's are unchanged.
    const { rows } = await db.query(`select count(*)::int as n from ledger.purchases where company_id = $1 and external_id in ($2, $3)`, [globex().companyId, b.lumenPurchaseId, b.kitTransaction]);
    expect(rows[0].n).toBe(2);
    // globex's charge attempt, named to acme's token by the charge RPCs, is as it was.
    expect((await db.query('select status, settled_by from ledger.charge_attempts where id = $1', [b.chargeAttempt])).rows).toEqual([{ status: 'placed', settled_by: 'request' }]);
  });

  it('lets the publishable key (anon) call no RPC', async () => {
    for (const [fn, [, args]] of Object.entries(calls)) {
      const res = await rpc(fn, null, args());
      expect([401, 403, 404], `${fn}: ${res.status} ${res.text}`).toContain(res.status);
      record('isolation', { check: `anon rpc ${fn}`, leaked: false });
    }
  });
});
