/**
 * The local Stripe server answers as Stripe documents, not as our processor expects: each rule its
 * header cites, driven through the `stripe` SDK itself and through the platform's Stripe processor,
 * and every object it returns shaped as Stripe's example of that object (stripe-fixtures.json).
 */
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeProcessor } from '../../shared/payments/stripe.ts';
import { freePortBlock } from './preflight.ts';
import { startStripeServer, type StripeServer } from './stripe-server.ts';

const secretKey = 'sk_test_local_contract';
const fixtures = JSON.parse(readFileSync(new URL('./stripe-fixtures.json', import.meta.url), 'utf8')) as {
  provenance: { repository: string; commit: string };
  resources: Record<string, Record<string, unknown>>;
};

let server: StripeServer;
let withoutRawCards: StripeServer;

beforeAll(async () => {
  const [port, other] = await freePortBlock(2);
  server = await startStripeServer({ host: '127.0.0.1', port: port!, secretKey });
  withoutRawCards = await startStripeServer({ host: '127.0.0.1', port: other!, secretKey, rawCardData: false });
});
afterAll(async () => {
  await server?.stop();
  await withoutRawCards?.stop();
});

const sdk = (target = server) => {
  const base = new URL(target.url);
  return new Stripe(secretKey, { httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 0, protocol: 'http', host: base.hostname, port: base.port });
};
const processor = (target = server) => stripeProcessor({ secretKey, apiBase: target.url, timeoutMs: 5000 });
const card = { number: '4242424242424242', cvv: '123', expiryMonth: 12, expiryYear: new Date().getUTCFullYear() + 2, nameOnCard: 'Ada Lovelace' };
const rawCard = { type: 'card', card: { number: card.number, exp_month: card.expiryMonth, exp_year: card.expiryYear, cvc: card.cvv } } as Stripe.PaymentIntentCreateParams.PaymentMethodData;
let attempts = 0;
const options = () => ({ attempt: `contract-${++attempts}-${Date.now()}`, storeCard: false });

async function refusal(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeError);
  return error as Stripe.errors.StripeError;
}

/** Where `ours` lacks a field of Stripe's example, or holds another JSON type (null stands for any). */
function shapeDifferences(example: unknown, ours: unknown, path: string): string[] {
  const kind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
  if (example === null || ours === null) return [];
  if (kind(example) !== kind(ours)) return [`${path}: ${kind(ours)}, Stripe's example has ${kind(example)}`];
  // metadata is the caller's own map: the example's keys are an example of one.
  if (kind(example) !== 'object' || path.endsWith('.metadata')) return [];
  return Object.entries(example as Record<string, unknown>).flatMap(([key, value]) =>
    key in (ours as Record<string, unknown>) ? shapeDifferences(value, (ours as Record<string, unknown>)[key], `${path}.${key}`) : [`${path}.${key}: missing`],
  );
}

describe('the local Stripe server refuses what Stripe refuses', () => {
  it('an unknown parameter: 400 parameter_unknown naming it (https://docs.stripe.com/error-codes#parameter-unknown)', async () => {
    // The pinned API version has no payment_method_types on create (allowed_payment_method_types replaced it).
    const error = await refusal(sdk().paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('payment_method_types');
    expect(error.message).toBe('Received unknown parameter: payment_method_types');
    const nested = await refusal(sdk().customers.create({ nickname: 'x' } as Stripe.CustomerCreateParams));
    expect(nested.param).toBe('nickname');
  });

  it('a confirmation that allows redirects without a return_url (https://docs.stripe.com/api/payment_intents/create)', async () => {
    const error = await refusal(sdk().paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: rawCard }));
    expect(error.statusCode).toBe(400);
    expect(error.type).toBe('StripeInvalidRequestError');
    expect(error.message).toMatch(/^A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard/);
    const withReturn = await sdk().paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: rawCard, return_url: 'https://shop.example/back' });
    expect(withReturn.status).toBe('succeeded');
    const noRedirects = await sdk().paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: rawCard, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    expect(noRedirects.status).toBe('succeeded');
    const cardsOnly = await sdk().paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: rawCard, allowed_payment_method_types: ['card'] });
    expect(cardsOnly.status).toBe('succeeded');
  });

  it('raw card numbers from an account without raw card data access: our processor answers processor_error and keeps Stripe\'s words for the log', async () => {
    const error = await refusal(sdk(withoutRawCards).paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: rawCard, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis');
    const result = await processor(withoutRawCards).chargeCard(card, '10.00', 'USD', options());
    expect(result).toMatchObject({ ok: false, reason: 'processor_error', message: 'The payment processor could not take the payment (Stripe answered 400).' });
    expect(result.ok === false && result.detail).toContain('enabling-access-to-raw-card-data-apis');
    expect(withoutRawCards.paymentIntents()).toEqual([]);
  });

  it('an amount below the currency\'s minimum: 400 amount_too_small, a permanent refusal for our processor (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts)', async () => {
    const error = await refusal(sdk().paymentIntents.create({ amount: 49, currency: 'usd' }));
    expect(error.code).toBe('amount_too_small');
    expect(error.message).toBe('Amount must be at least $0.50 usd');
    expect((await refusal(sdk().paymentIntents.create({ amount: 29, currency: 'gbp' }))).code).toBe('amount_too_small');
    expect((await sdk().paymentIntents.create({ amount: 30, currency: 'gbp' })).status).toBe('requires_payment_method');
    const result = await processor().chargeCard(card, '0.49', 'USD', options());
    expect(result).toMatchObject({ ok: false, reason: 'refused' });
  });

  it('accepts every call our processor makes: a new card, a stored one, a refund', async () => {
    const stored = await processor().chargeCard(card, '12.34', 'USD', { ...options(), storeCard: true });
    expect(stored.ok, JSON.stringify(stored)).toBe(true);
    if (!stored.ok) return;
    const again = await processor().chargeToken(stored.card, '5.00', 'USD', options());
    expect(again.ok, JSON.stringify(again)).toBe(true);
    expect(await processor().refund(stored.transactionId)).toEqual({ ok: true });
  });
});

describe("the local Stripe server's objects", () => {
  it(`carry every field of Stripe's example objects with the same JSON types (${fixtures.provenance.repository} at ${fixtures.provenance.commit.slice(0, 8)})`, async () => {
    const stripe = sdk();
    const customer = await stripe.customers.create({ name: 'Ada Lovelace' });
    const intent = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      confirm: true,
      customer: customer.id,
      setup_future_usage: 'off_session',
      payment_method_data: rawCard,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    const method = await stripe.paymentMethods.attach(String(intent.payment_method), { customer: customer.id });
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    const objects: Record<string, unknown> = { payment_intent: intent, customer, payment_method: method, refund };
    for (const [name, object] of Object.entries(objects)) {
      const { lastResponse: _lastResponse, ...fields } = object as Record<string, unknown>;
      expect(shapeDifferences(fixtures.resources[name], fields, name), name).toEqual([]);
    }
    expect(Object.keys(intent).length).toBeGreaterThanOrEqual(Object.keys(fixtures.resources.payment_intent!).length);
  });
});
