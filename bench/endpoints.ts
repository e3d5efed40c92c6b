/**
 * Every endpoint of the five APIs as the benchmark drives it: the request through the worker, and
 * its floor, the same database work called straight at the local /rest/v1 gateway with the token
 * the worker would send. Inputs are unique where a repeat would change the outcome (no 409 loops).
 */
import { randomUUID } from 'node:crypto';
import { kitPurchaseRequest } from '../functions/kit/schema.ts';
import { kitPurchaseForLedger } from '../functions/kit/wire.ts';
import { lumenPurchaseForLedger } from '../functions/lumen/wire.ts';
import type { ApiName } from '../platform/stack/config.ts';
import type { StackInfo } from '../platform/stack/index.ts';
import type { PresentedCredential } from '../shared/auth/credentials.ts';
import { workerToken } from '../shared/db/client.ts';
import { oauthHeader } from '../test/oauth-client.ts';
import type { RequestBuilder } from './load.ts';

export interface BenchEndpoint {
  api: ApiName;
  name: string;
  write: boolean;
  /** Steps through the worker (one request) and at the floor (one request per database call). */
  worker: RequestBuilder[];
  floor: RequestBuilder[];
  /** Database calls one request of this endpoint makes, by design. */
  designedRoundTrips: number;
  /** Calls to the card processor one request makes when it is Stripe (a card order's charge). */
  processorCalls?: number;
  /** Also measured against the publisher's protocol floor (bench/protocol-floor.ts serves ValidateOrder only). */
  protocolFloor?: boolean;
}

export interface BenchFixtures {
  stack: StackInfo;
  jwtSecret: string;
  /** Kit tokens of acme to take turns with, so Kit's 600-a-minute limit per token is not what is measured. */
  kitTokens: string[];
  /** acme consumers with a stored card each (user key, card id), one per order so orders do not queue on one consumer. */
  storedCardConsumers: Array<{ userKey: string; cardId: string }>;
  dpdPurchaseNumber: number;
}

/** Tokens as the worker signs them, renewed each minute (they live three). */
function tokenFor(jwtSecret: string, credential: PresentedCredential | null) {
  let cached = { minute: -1, token: Promise.resolve('') };
  return () => {
    const minute = Math.floor(Date.now() / 60_000);
    if (cached.minute !== minute) cached = { minute, token: workerToken(jwtSecret, credential) };
    return cached.token;
  };
}

export async function benchEndpoints(f: BenchFixtures): Promise<BenchEndpoint[]> {
  const acme = f.stack.demo.acme!;
  const gateway = f.stack.supabase.url;
  const origin = (api: ApiName) => f.stack.apis[api];
  const path = (url: string) => new URL(url).pathname + new URL(url).search;

  // Floor tokens, resolved before each run starts (setupRequest is synchronous).
  const credentials: Record<string, PresentedCredential> = {
    lumen: { kind: 'lumen_api_key', secret: acme.lumen.apiKey },
    operations: { kind: 'operations_api_key', secret: acme.operations.apiKey },
    dpd: { kind: 'dpd_basic', keyId: acme.dpd.username, secret: acme.dpd.password },
    groupcommerce: { kind: 'oauth_consumer', keyId: acme.groupcommerce.consumerKey, secret: acme.groupcommerce.consumerSecret },
  };
  const tokens: Record<string, string> = {};
  const refreshers = Object.fromEntries(Object.entries(credentials).map(([k, c]) => [k, tokenFor(f.jwtSecret, c)]));
  const kitRefreshers = f.kitTokens.map((secret) => tokenFor(f.jwtSecret, { kind: 'kit_token', secret }));
  const kitFloorTokens: string[] = [];
  const refresh = async () => {
    for (const [k, r] of Object.entries(refreshers)) tokens[k] = await r();
    for (const [i, r] of kitRefreshers.entries()) kitFloorTokens[i] = await r();
  };
  await refresh();
  setInterval(() => void refresh(), 10_000).unref();

  const rpc = (fn: string, token: () => string, args: () => unknown): RequestBuilder => () => ({
    method: 'POST',
    path: `${new URL(gateway).pathname.replace(/\/$/, '')}/rest/v1/rpc/${fn}`,
    headers: { apikey: f.stack.supabase.anonKey, Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args()),
  });
  /** What the recording call is told of the charge: the attempt the pricing call (the step before) wrote. */
  const chargedPayment = (context: Record<string, any>) => ({
    attempt_id: (JSON.parse(String(context.previous ?? '{}')) as { attempt_id?: string }).attempt_id,
    amount: '74.92',
    transaction_id: `bench-${randomUUID()}`,
    billing_card_type: 'visa',
    billing_card_last4: '1111',
  });
  let kitTurn = 0;
  const nextKit = () => (kitTurn = (kitTurn + 1) % f.kitTokens.length);
  let cardTurn = 0;
  const nextCardConsumer = () => f.storedCardConsumers[(cardTurn = (cardTurn + 1) % f.storedCardConsumers.length)]!;

  const lumenPurchase = () => ({
    partnerPurchaseId: `BENCH-${randomUUID()}`, fulfillment: false,
    customer: { email: `bench-${randomUUID()}@example.com`, firstName: 'Ben', lastName: 'Ch' },
    items: [{ productId: acme.lumen.productIds[0]!, quantity: 1 }],
  });
  const kitPurchase = () => ({
    email_address: `bench-${randomUUID()}@example.com`, transaction_id: `BENCH-${randomUUID()}`, currency: 'USD', total: 10,
    products: [{ name: 'Bench widget', pid: 'bench-1', lid: 'bench-l1', quantity: 1, unit_price: 10 }],
  });
  const lead = acme.operations.leadIds[0]!;
  const product = acme.operations.productIds[0]!;
  const spa = { 'OrderDetails[0].OfferId': '9035', 'OrderDetails[0].OfferOptionId': '9123', 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': 'new-york' };
  const spaLines = [{ offer_number: 9035, option_number: 9123, quantity: 1, segment_key: 'new-york', is_gift: false }];
  const newConsumer = () => {
    const key = `bench-${randomUUID()}@example.com`;
    return { 'ConsumerInfo.UserKey': key, 'ConsumerInfo.Email': key, 'ConsumerInfo.FirstName': 'Ben', 'ConsumerInfo.LastName': 'Ch' };
  };
  const card = {
    'BillingInfo.NameOnCard': 'Ben Ch', 'BillingInfo.CardNumber': '4111111111111111', 'BillingInfo.CVV': '123', 'BillingInfo.ExpirationMonth': '12',
    'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 2), 'BillingInfo.BillingAddress': '1 Way', 'BillingInfo.BillingCity': 'Town',
    'BillingInfo.BillingState': 'NY', 'BillingInfo.BillingZip': '10010',
  };
  /** A signed publisher request: fresh nonce and timestamp each time. */
  const signed = (route: string, form: () => Record<string, string> | null, method: 'GET' | 'POST' = 'POST'): RequestBuilder => () => {
    const url = `${origin('groupcommerce')}${route}`;
    const fields = form();
    const body = fields ? new URLSearchParams(fields).toString() : null;
    return {
      method,
      path: path(url),
      headers: { Authorization: oauthHeader(acme.groupcommerce, url, method, body), ...(body === null ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }) },
      ...(body === null ? {} : { body }),
    };
  };
  const nonce = () => ({ nonce: randomUUID(), signed_at: Math.floor(Date.now() / 1000), window_seconds: 300 });
  // The floors send what the workers send the database: the order in the ledger's names.
  const ordered = (customer: Record<string, unknown>, order: Record<string, unknown> = {}) => ({
    customer: { no_email: false, ...customer }, payment: 'new_card', store_card: false, spend_credits: true, promo_codes: [],
    use_promotional_price: false, allow_duplicate: false, send_email: true, tracking_fields: [], lines: spaLines, ...order,
  });
  const dpdAuth = { Authorization: `Basic ${Buffer.from(`${acme.dpd.username}:${acme.dpd.password}`).toString('base64')}` };
  const dpdList = (query: Record<string, unknown>) => ({
    page_number: 1, status: null, product_number: null, storefront_number: null, customer_number: null, email_prefix: null, first_name_prefix: null,
    last_name_prefix: null, created_from: null, created_to: null, total: null, total_comparison: null, unshipped: null, ...query,
  });
  const post = (route: string, headers: Record<string, string>, body: () => unknown): RequestBuilder => () => ({
    method: 'POST', path: route, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body()),
  });
  const kitHeaders = (): Record<string, string> => ({ Authorization: `Bearer ${f.kitTokens[nextKit()]}` });
  const kitGet = (route: string): RequestBuilder => () => ({ method: 'GET', path: route, headers: kitHeaders() });

  // One existing purchase of each id-taking read, made now.
  const opsPurchase = await (await fetch(`${origin('operations')}/functions/v1/openapi-operations`, {
    method: 'POST', headers: { 'X-Api-Key': acme.operations.apiKey },
    body: JSON.stringify({ action: 'create_purchase', lead_id: lead, product_id: product, purchase_amount: 5 }),
  })).json() as { purchase: { id: string } };
  const kitFirst = await (await fetch(`${origin('kit')}/v4/purchases`, {
    method: 'POST', headers: { Authorization: `Bearer ${f.kitTokens[0]}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ purchase: kitPurchase() }),
  })).json() as { purchase: { id: number } };

  return [
    {
      api: 'lumen', name: 'POST /partners/v1/purchases', write: true, designedRoundTrips: 1,
      worker: [post('/partners/v1/purchases', { 'X-Partner-Api-Key': acme.lumen.apiKey }, lumenPurchase)],
      floor: [rpc('lumen_create_purchase', () => tokens.lumen!, () => ({ purchase: lumenPurchaseForLedger(lumenPurchase()), lumen_fulfilled: false }))],
    },
    {
      api: 'operations', name: 'create_purchase', write: true, designedRoundTrips: 1,
      worker: [post('/functions/v1/openapi-operations', { 'X-Api-Key': acme.operations.apiKey }, () => ({ action: 'create_purchase', lead_id: lead, product_id: product, purchase_amount: 10 }))],
      floor: [rpc('operations_create_purchase', () => tokens.operations!, () => ({ lead, product, amount: '10' }))],
    },
    {
      api: 'operations', name: 'get_purchase', write: false, designedRoundTrips: 1,
      worker: [post('/functions/v1/openapi-operations', { 'X-Api-Key': acme.operations.apiKey }, () => ({ action: 'get_purchase', purchase_id: opsPurchase.purchase.id }))],
      floor: [rpc('operations_get_purchase', () => tokens.operations!, () => ({ purchase: opsPurchase.purchase.id }))],
    },
    {
      api: 'operations', name: 'list_purchases', write: false, designedRoundTrips: 1,
      worker: [post('/functions/v1/openapi-operations', { 'X-Api-Key': acme.operations.apiKey }, () => ({ action: 'list_purchases', lead_id: lead, limit: 10 }))],
      floor: [rpc('operations_list_purchases', () => tokens.operations!, () => ({ lead, page_size: 10 }))],
    },
    {
      api: 'operations', name: 'list_reward_events', write: false, designedRoundTrips: 1,
      worker: [post('/functions/v1/openapi-operations', { 'X-Api-Key': acme.operations.apiKey }, () => ({ action: 'list_reward_events', lead_id: lead, limit: 10 }))],
      floor: [rpc('operations_list_reward_events', () => tokens.operations!, () => ({ lead, page_size: 10 }))],
    },
    {
      api: 'kit', name: 'POST /v4/purchases', write: true, designedRoundTrips: 1,
      worker: [() => ({ method: 'POST', path: '/v4/purchases', headers: { ...kitHeaders(), 'Content-Type': 'application/json' }, body: JSON.stringify({ purchase: kitPurchase() }) })],
      floor: [rpc('kit_create_purchase', () => kitFloorTokens[nextKit()]!, () => ({ purchase: kitPurchaseForLedger(kitPurchaseRequest.parse({ purchase: kitPurchase() }).purchase) }))],
    },
    {
      api: 'kit', name: 'GET /v4/purchases', write: false, designedRoundTrips: 1,
      worker: [kitGet('/v4/purchases?per_page=50')],
      floor: [rpc('kit_list_purchases', () => kitFloorTokens[nextKit()]!, () => ({ page_size: 50, with_count: false }))],
    },
    {
      api: 'kit', name: 'GET /v4/purchases/:id', write: false, designedRoundTrips: 1,
      worker: [kitGet(`/v4/purchases/${kitFirst.purchase.id}`)],
      floor: [rpc('kit_get_purchase', () => kitFloorTokens[nextKit()]!, () => ({ purchase_number: kitFirst.purchase.id }))],
    },
    {
      api: 'dpd', name: 'GET /purchases', write: false, designedRoundTrips: 1,
      worker: [() => ({ method: 'GET', path: '/purchases', headers: dpdAuth })],
      floor: [rpc('dpd_list_purchases', () => tokens.dpd!, () => dpdList({}))],
    },
    {
      api: 'dpd', name: 'GET /purchases?status&product_id', write: false, designedRoundTrips: 1,
      worker: [() => ({ method: 'GET', path: `/purchases?status=ACT&product_id=${acme.dpd.productIds[0]}`, headers: dpdAuth })],
      floor: [rpc('dpd_list_purchases', () => tokens.dpd!, () => dpdList({ status: 'paid', product_number: acme.dpd.productIds[0] }))],
    },
    {
      api: 'dpd', name: 'GET /purchases/:id', write: false, designedRoundTrips: 1,
      worker: [() => ({ method: 'GET', path: `/purchases/${f.dpdPurchaseNumber}`, headers: dpdAuth })],
      floor: [rpc('dpd_get_purchase', () => tokens.dpd!, () => ({ purchase_number: f.dpdPurchaseNumber }))],
    },
    {
      api: 'dpd', name: 'POST /purchases/:id/reactivate', write: true, designedRoundTrips: 1,
      worker: [() => ({ method: 'POST', path: `/purchases/${f.dpdPurchaseNumber}/reactivate`, headers: dpdAuth })],
      floor: [rpc('dpd_reactivate_purchase', () => tokens.dpd!, () => ({ purchase_number: f.dpdPurchaseNumber, renew_keys: false }))],
    },
    {
      api: 'groupcommerce', name: 'order, off-platform', write: true, designedRoundTrips: 1,
      worker: [signed('/api/v3/publisher/order', () => ({ ...newConsumer(), 'BillingInfo.PaymentCapturedOffSite': 'True', ...spa }))],
      floor: [rpc('gc_order', () => tokens.groupcommerce!, () => ({ ...nonce(), place: true,
        ordered: ordered({ user_key: `bench-${randomUUID()}`, first_name: 'Ben', last_name: 'Ch', email: 'b@example.com' }, { payment: 'off_platform' }) }))],
    },
    {
      api: 'groupcommerce', name: 'order, new card', write: true, designedRoundTrips: 2, processorCalls: 1,
      worker: [signed('/api/v3/publisher/order', () => ({ ...newConsumer(), ...card, ...spa }))],
      floor: [
        (context) => {
          context.ordered = ordered({ user_key: `bench-${randomUUID()}`, first_name: 'Ben', last_name: 'Ch', email: 'b@example.com' });
          return rpc('gc_order', () => tokens.groupcommerce!, () => ({ ...nonce(), place: true, ordered: context.ordered }))(context);
        },
        (context) => rpc('gc_place_charged_order', () => tokens.groupcommerce!, () => ({ ordered: context.ordered, payment: chargedPayment(context) }))(context),
      ],
    },
    {
      api: 'groupcommerce', name: 'order, stored card', write: true, designedRoundTrips: 2, processorCalls: 1,
      worker: [signed('/api/v3/publisher/order', () => {
        const consumer = nextCardConsumer();
        return { 'ConsumerInfo.UserKey': consumer.userKey, 'BillingInfo.StoredCreditCardId': consumer.cardId, 'BillingInfo.SpendCredits': 'False', AllowDuplicatePurchase: 'True', ...spa };
      })],
      floor: [
        (context) => {
          const consumer = nextCardConsumer();
          context.ordered = ordered({ user_key: consumer.userKey }, { payment: 'stored_card', stored_card_id: consumer.cardId, spend_credits: false, allow_duplicate: true });
          return rpc('gc_order', () => tokens.groupcommerce!, () => ({ ...nonce(), place: true, ordered: context.ordered }))(context);
        },
        (context) => rpc('gc_place_charged_order', () => tokens.groupcommerce!, () => ({ ordered: context.ordered, payment: chargedPayment(context) }))(context),
      ],
    },
    {
      api: 'groupcommerce', name: 'order/validate', write: false, designedRoundTrips: 1, protocolFloor: true,
      worker: [signed('/api/v3/publisher/order/validate', () => ({ ...newConsumer(), ...card, ...spa }))],
      floor: [rpc('gc_order', () => tokens.groupcommerce!, () => ({ ...nonce(), place: false, ordered: ordered({ user_key: `bench-${randomUUID()}`, first_name: 'Ben', last_name: 'Ch', email: 'b@example.com' }) }))],
    },
    {
      api: 'groupcommerce', name: 'consumer/creditcards', write: false, designedRoundTrips: 1,
      worker: [signed(`/api/v3/publisher/consumer/creditcards?UserKey=${encodeURIComponent('consumertest@example.com')}`, () => null, 'GET')],
      floor: [rpc('gc_consumer_credit_cards', () => tokens.groupcommerce!, () => ({ ...nonce(), user_key: 'consumertest@example.com' }))],
    },
  ];
}

