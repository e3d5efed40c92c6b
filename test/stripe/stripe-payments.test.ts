/**
 * Card orders charged through Stripe (the local Stripe-compatible server, on the Stripe-mode
 * platform of the integration-stripe project): the reference's sample order charged once, a
 * replayed request and a fresh duplicate charging nothing more, declines, 3-D Secure and outages
 * answered as documented with nothing written, and a stored card kept as Stripe's ids and reused.
 * The server's own Stripe behaviours (idempotency, errors, lists) are checked with the stripe SDK.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companyFootprint, demo, sampleOrderForm, signedGet, signedOrder, stack, superuser } from '../helpers.ts';

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

function payments() {
  const { payments } = stack();
  if (payments.processor !== 'stripe') throw new Error('these tests need the Stripe-mode platform (the integration-stripe project)');
  return payments;
}

function stripe(): Stripe {
  const base = new URL(payments().apiBase);
  return new Stripe(payments().secretKey, { protocol: 'http', host: base.hostname, port: base.port, maxNetworkRetries: 0 });
}

/** Every PaymentIntent the local server holds, newest first. */
async function paymentIntents(): Promise<Stripe.PaymentIntent[]> {
  return (await stripe().paymentIntents.list({ limit: 100 })).data;
}

const card = (number: string): Record<string, string> => ({ 'BillingInfo.CardNumber': number });

async function order(form: Record<string, string>) {
  const res = await signedOrder(demo('acme').groupcommerce, form);
  return { status: res.status, headers: res.headers, body: (await res.json()) as { orderId?: number; chargeAmount: number; duplicateOrderId: number | null; errors: Array<{ code: string; message: string }> } };
}

describe('in Stripe mode', () => {
  it("charges the reference's sample order once; a replay and a fresh duplicate charge nothing more", async () => {
    const form = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4111111111111111' };
    const before = (await paymentIntents()).length;
    let sent: { headers: Record<string, string>; body: string } | undefined;
    const res = await signedOrder(demo('acme').groupcommerce, form, (init) => (sent = { ...init, headers: { ...init.headers } }));
    const placed = (await res.json()) as { orderId: number; chargeAmount: number };
    expect(res.status).toBe(200);
    const intents = await paymentIntents();
    expect(intents.length).toBe(before + 1);
    expect(intents[0]).toMatchObject({ status: 'succeeded', amount: Math.round(placed.chargeAmount * 100), currency: 'usd', customer: null });
    const [recorded] = (await db.query(
      `select o.transaction_id, p.billing_card_type, p.billing_card_last4 from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id where p.number = $1`,
      [placed.orderId],
    )).rows;
    expect(recorded).toEqual({ transaction_id: intents[0]!.id, billing_card_type: 'Visa', billing_card_last4: '1111' });

    // The same request again, nonce and all: refused, nothing charged.
    const replay = await fetch(`${stack().apis.groupcommerce}/api/v3/publisher/order`, { method: 'POST', ...sent! });
    expect(replay.status).toBe(401);
    // A fresh request for the same order: a duplicate, 409, nothing charged.
    const duplicate = await order(form);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.duplicateOrderId).toBe(placed.orderId);
    expect((await paymentIntents()).length).toBe(before + 1);
  });

  it.each([
    ['4000000000000002', 402, 'CardDeclined', /declined \(generic_decline\)/],
    ['4000000000009995', 402, 'CardDeclined', /declined \(insufficient_funds\)/],
    ['4000000000003220', 402, 'CardDeclined', /requires 3-D Secure authentication/],
  ])('answers card %s with %i %s and writes nothing', async (number, status, code, message) => {
    const before = await companyFootprint(db, demo('acme').companyId);
    const form = { ...sampleOrderForm(), ...card(number), 'BillingInfo.StoreCreditCard': 'True' };
    const res = await order(form);
    expect(res.status).toBe(status);
    expect(res.body.errors).toEqual([{ code, message: expect.stringMatching(message) }]);
    if (status === 503) expect(res.headers.get('Retry-After')).toBe('5');
    expect(await companyFootprint(db, demo('acme').companyId)).toEqual(before);
    if (number === '4000000000003220') expect((await paymentIntents())[0]!.status).toBe('canceled');
  });

  it('answers a failure of Stripe\'s own (a 500) as an outcome being reconciled, and reconciliation finds nothing charged', async () => {
    const form = { ...sampleOrderForm(), ...card('4000000000000119') };
    const res = await order(form);
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('5');
    // Stripe documents that a 500 may have been processed: the client is told so, not "nothing was charged".
    expect(res.body.errors).toEqual([{ code: 'PaymentBeingReconciled', message: expect.stringMatching(/may have been charged/) }]);
    const attempt = async () =>
      (await db.query('select status, settled_by from ledger.charge_attempts where user_key = $1', [form['ConsumerInfo.UserKey']])).rows;
    for (let waited = 0; waited < 45_000 && (await attempt())[0]?.status === 'pending'; waited += 500) await new Promise((r) => setTimeout(r, 500));
    expect(await attempt()).toEqual([{ status: 'failed', settled_by: 'reconciliation' }]);
  });

  it("keeps a stored card as Stripe's Customer and PaymentMethod ids, and charges it by them", async () => {
    const form: Record<string, string> = { ...sampleOrderForm(), ...card('4242424242424242'), 'BillingInfo.StoreCreditCard': 'True' };
    const first = await order(form);
    expect(first.status).toBe(200);
    const charged = (await paymentIntents())[0]!;
    expect(charged).toMatchObject({ status: 'succeeded', setup_future_usage: 'off_session', customer: expect.stringMatching(/^cus_/) });
    const listed = await signedGet(demo('acme').groupcommerce, `/api/v3/publisher/consumer/creditcards?UserKey=${encodeURIComponent(form['ConsumerInfo.UserKey']!)}`);
    const [stored] = ((await listed.json()) as { creditCards: Array<{ storedCreditCardId: string; lastFourDigits: string }> }).creditCards;
    expect(stored).toMatchObject({ lastFourDigits: '4242' });
    const [row] = (await db.query('select processor_token, brand, last4 from ledger.stored_cards where id = $1', [stored!.storedCreditCardId])).rows;
    expect(row).toEqual({ processor_token: `${charged.customer}/${charged.payment_method}`, brand: 'Visa', last4: '4242' });

    const again = await order({
      'ConsumerInfo.UserKey': form['ConsumerInfo.UserKey']!,
      'BillingInfo.StoredCreditCardId': stored!.storedCreditCardId,
      'BillingInfo.SpendCredits': 'False',
      'OrderDetails[0].Quantity': '2',
      'OrderDetails[0].OfferId': form['OrderDetails[0].OfferId']!,
      'OrderDetails[0].OfferOptionId': form['OrderDetails[0].OfferOptionId']!,
      'OrderDetails[0].SegmentKey': form['OrderDetails[0].SegmentKey']!,
    });
    expect(again.status).toBe(200);
    expect((await paymentIntents())[0]).toMatchObject({ status: 'succeeded', customer: charged.customer, payment_method: charged.payment_method });
  });

  it('charges once when identical card orders race: one order, the others 409', async () => {
    const form = { ...sampleOrderForm(), ...card('4242424242424242') };
    const intentsBefore = (await paymentIntents()).length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => order(form)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const charged = (await paymentIntents()).slice(0, (await paymentIntents()).length - intentsBefore).filter((i) => i.status === 'succeeded');
    const refunded = new Set((await stripe().refunds.list({ limit: 100 })).data.map((r) => r.payment_intent));
    // Each racer priced before the first was placed reused its charge attempt, so its key: Stripe
    // answered them all with the one charge, and nothing needed refunding.
    const kept = charged.filter((i) => !refunded.has(i.id));
    expect(charged).toHaveLength(1);
    expect(kept).toHaveLength(1);
    const placed = answers.find((a) => a.status === 200)!;
    const [recorded] = (await db.query('select o.transaction_id from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id where p.number = $1', [placed.body.orderId])).rows;
    expect(recorded.transaction_id).toBe(kept[0]!.id);
  });
});

describe('the local Stripe server', () => {
  it('replays an idempotent request and refuses its key with other parameters, as Stripe does', async () => {
    const key = `test-${randomUUID()}`;
    const params = { amount: 500, currency: 'usd', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' }, payment_method_data: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } } } as Stripe.PaymentIntentCreateParams;
    const first = await stripe().paymentIntents.create(params, { idempotencyKey: key });
    const replayed = await stripe().paymentIntents.create(params, { idempotencyKey: key });
    expect(replayed.id).toBe(first.id);
    await expect(stripe().paymentIntents.create({ ...params, amount: 600 }, { idempotencyKey: key })).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    const refund = await stripe().refunds.create({ payment_intent: first.id });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 500 });
    await expect(stripe().refunds.create({ payment_intent: first.id })).rejects.toMatchObject({ code: 'charge_already_refunded' });
  });

  it('refuses a wrong key and answers unknown objects in Stripe’s error shape', async () => {
    const base = new URL(payments().apiBase);
    const wrong = new Stripe('sk_test_wrong', { protocol: 'http', host: base.hostname, port: base.port, maxNetworkRetries: 0 });
    await expect(wrong.paymentIntents.list()).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    await expect(stripe().paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({ code: 'resource_missing', statusCode: 404 });
  });
});
