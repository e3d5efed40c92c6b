/**
 * Publisher orders through the full stack, OAuth-signed: the reference's sample, the three billing
 * scenarios, the four order-detail scenarios, prices, promo codes, credits and referrals,
 * duplicates (also under concurrency), payments that fail, ValidateOrder, and what lands in the
 * ledger.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workerToken } from '../shared/db/client.ts';
import { companyFootprint, demo, processorIds, roundTrips, signedGet, signedOrder, stack, superuser } from './helpers.ts';

let db: pg.Client;
beforeAll(async () => {
  db = await superuser();
});
afterAll(async () => db?.end());

const acme = () => demo('acme').groupcommerce;
const nextYear = String(new Date().getUTCFullYear() + 1);
type Form = Record<string, string>;

interface OrderBody {
  errors: Array<{ code: string; message: string }>;
  lastPublished: string;
  success: boolean;
  chargeAmount: number;
  creditValueUsed: number;
  currencySymbol: string;
  duplicateOrderId: number | null;
  isoCurrencyCode: string;
  orderId?: number | null;
  pendingCreditValueAwarded: number;
}

async function order(form: Form, slug: 'acme' | 'globex' = 'acme', headers: Record<string, string> = {}) {
  const res = await signedOrder(demo(slug).groupcommerce, form, (init) => Object.assign(init.headers, headers));
  return { status: res.status, headers: res.headers, body: (await res.json()) as OrderBody };
}

async function validate(form: Form, slug: 'acme' | 'globex' = 'acme') {
  const res = await signedOrder(demo(slug).groupcommerce, form, undefined, { path: '/api/v3/publisher/order/validate' });
  return { status: res.status, body: (await res.json()) as OrderBody };
}

const sql = async (text: string, values: unknown[] = []) => (await db.query(text, values)).rows;

function newConsumer(): Form {
  const key = `buyer-${randomUUID()}@example.com`;
  return { 'ConsumerInfo.UserKey': key, 'ConsumerInfo.Email': key, 'ConsumerInfo.FirstName': 'Pat', 'ConsumerInfo.LastName': 'Buyer' };
}

function card(number = '4111111111111111'): Form {
  return {
    'BillingInfo.NameOnCard': 'Pat Buyer',
    'BillingInfo.CardNumber': number,
    'BillingInfo.CVV': '123',
    'BillingInfo.ExpirationMonth': '12',
    'BillingInfo.ExpirationYear': nextYear,
    'BillingInfo.BillingAddress': '628 Broadway',
    'BillingInfo.BillingCity': 'New York',
    'BillingInfo.BillingState': 'NY',
    'BillingInfo.BillingZip': '10010',
  };
}

const offSite: Form = { 'BillingInfo.PaymentCapturedOffSite': 'True' };

/** acme's spa offer (74.92, does not ship). */
function spa(index = 0, quantity = 1): Form {
  const d = `OrderDetails[${index}]`;
  return { [`${d}.OfferId`]: '9035', [`${d}.OfferOptionId`]: '9123', [`${d}.Quantity`]: String(quantity), [`${d}.SegmentKey`]: 'new-york' };
}

/** acme's cookware offer (59.00, promotional 49.00, ships), with its shipping address. */
function cookware(index = 0, quantity = 1): Form {
  const d = `OrderDetails[${index}]`;
  return {
    [`${d}.OfferId`]: '9033', [`${d}.OfferOptionId`]: '9173', [`${d}.Quantity`]: String(quantity), [`${d}.SegmentKey`]: 'new-york',
    [`${d}.ShippingName`]: 'Pat Buyer', [`${d}.Address`]: '1 Main St', [`${d}.City`]: 'Cleveland', [`${d}.State`]: 'oh',
    [`${d}.Country`]: 'us', [`${d}.PostalCode`]: '44122',
  };
}

const consumerRow = async (userKey: string) =>
  (await sql('select * from ledger.customers where user_key = $1', [userKey]))[0] as Record<string, unknown> | undefined;

/** acme's rows in every ledger table, for showing that a refused order wrote none. */
const footprint = () => companyFootprint(db, demo('acme').companyId);

describe('the reference\'s sample request', () => {
  const sample =
    'ConsumerInfo.Email=consumertest%40groupcommerce.com&ConsumerInfo.UserKey=consumertest%40groupcommerce.com&ConsumerInfo.FirstName=consumer&ConsumerInfo.LastName=test&ConsumerInfo.ReferredByUserKey=rbuk%40groupcommerce.com&BillingInfo.NameOnCard=cardname&BillingInfo.CardNumber=4111111111111111&BillingInfo.PaymentType=Unknown&BillingInfo.CVV=111&BillingInfo.ExpirationMonth=7&BillingInfo.ExpirationYear=2020&BillingInfo.BillingPhone=2165615908&BillingInfo.BillingAddress=628+Broadway&BillingInfo.BillingCity=New+York&BillingInfo.BillingState=NY&BillingInfo.BillingZip=10010&BillingInfo.BillingCountry=US&BillingInfo.StoreCreditCard=False&OrderDetails%5b0%5d.FirstName=Jon&OrderDetails%5b0%5d.LastName=Lastn&OrderDetails%5b0%5d.EmailAddress=giftrecipient%40groupcommerce.com&OrderDetails%5b0%5d.FromName=Someone&OrderDetails%5b0%5d.Quantity=2&OrderDetails%5b0%5d.Message=Message+content&OrderDetails%5b0%5d.OfferId=9033&OrderDetails%5b0%5d.OfferOptionId=9173&OrderDetails%5b0%5d.SegmentKey=new-york&OrderDetails%5b0%5d.IsGift=True&OrderDetails%5b0%5d.Address=123+Road&OrderDetails%5b0%5d.Address2=Apt.+6K&OrderDetails%5b0%5d.City=Cleveland&OrderDetails%5b0%5d.Country=US&OrderDetails%5b0%5d.PostalCode=44122&OrderDetails%5b0%5d.ShippingName=ShipToMe&OrderDetails%5b0%5d.State=OH&OrderDetails%5b1%5d.EmailAddress=apisupport%40groupcommerce.com&OrderDetails%5b1%5d.Quantity=1&OrderDetails%5b1%5d.OfferId=9035&OrderDetails%5b1%5d.OfferOptionId=9123&OrderDetails%5b1%5d.SegmentKey=new-york&OrderDetails%5b1%5d.IsGift=False&UsePromotionalPrice=False'.replace(
      'ExpirationYear=2020',
      `ExpirationYear=${nextYear}`,
    );

  it('places the order, as the reference answers it, and records it in the ledger', async () => {
    // The body goes out exactly as the reference writes it (%5b0%5d); the client signs its decoded fields.
    const res = await signedOrder(acme(), Object.fromEntries(new URLSearchParams(sample)), (init) => {
      init.body = sample;
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as OrderBody;
    // 2 × 59.00 + 74.92; acme's rules award 5% (9.65) for the next purchase and 2.00 after it.
    expect(body).toEqual({
      errors: [],
      lastPublished: expect.stringMatching(/^\/Date\(\d+\)\/$/),
      success: true,
      version: '3',
      chargeAmount: 192.92,
      creditValueUsed: 0,
      currencySymbol: '$',
      duplicateOrderId: null,
      isoCurrencyCode: 'USD',
      orderId: expect.any(Number),
      pendingCreditValueAwarded: 11.65,
    });
    expect(Object.keys(body)).toEqual([
      'errors', 'lastPublished', 'success', 'version', 'chargeAmount', 'creditValueUsed', 'currencySymbol',
      'duplicateOrderId', 'isoCurrencyCode', 'orderId', 'pendingCreditValueAwarded',
    ]);

    const [purchase] = await sql('select * from ledger.purchases where number = $1', [body.orderId]);
    expect(purchase).toMatchObject({ source: 'groupcommerce', currency: 'USD', total: '192.92', requires_shipping: true });
    const consumer = await consumerRow('consumertest@groupcommerce.com');
    expect(consumer).toMatchObject({ id: purchase.customer_id, email: 'consumertest@groupcommerce.com', first_name: 'consumer', last_name: 'test' });
    expect(await sql(`select i.quantity, i.unit_price, p.code, d.is_gift, d.recipient_email, d.recipient_first_name, d.gift_message,
        d.shipping_name, d.address, d.address2, d.city, d.state, d.country, d.postal_code, d.segment_key
      from ledger.purchase_items i join ledger.products p on p.id = i.product_id
      join ledger.publisher_order_details d on d.purchase_item_id = i.id where i.purchase_id = $1 order by i.position`, [purchase.id])).toEqual([
      { quantity: 2, unit_price: '59.00', code: 'GC-9173', is_gift: true, recipient_email: 'giftrecipient@groupcommerce.com', recipient_first_name: 'Jon',
        gift_message: 'Message content', shipping_name: 'ShipToMe', address: '123 Road', address2: 'Apt. 6K', city: 'Cleveland', state: 'OH', country: 'US',
        postal_code: '44122', segment_key: 'new-york' },
      { quantity: 1, unit_price: '74.92', code: 'GC-9123', is_gift: false, recipient_email: 'apisupport@groupcommerce.com', recipient_first_name: null,
        gift_message: null, shipping_name: null, address: null, address2: null, city: null, state: null, country: null, postal_code: null, segment_key: 'new-york' },
    ]);
    expect(await sql('select status from ledger.shipments where purchase_id = $1', [purchase.id])).toEqual([{ status: 'pending' }]);
    // The confirmation, and the gift's notice to its recipient (the second detail is not a gift).
    expect(await sql('select to_address, template from ledger.email_outbox where purchase_id = $1 order by template', [purchase.id])).toEqual([
      { to_address: 'giftrecipient@groupcommerce.com', template: 'publisher_gift_notification' },
      { to_address: 'consumertest@groupcommerce.com', template: 'publisher_order_confirmation' },
    ]);
    expect(await sql('select amount, status from ledger.consumer_credits where earned_by = $1 order by amount', [purchase.id])).toEqual([
      { amount: '2.00', status: 'pending' },
      { amount: '9.65', status: 'available' },
    ]);
    const [recorded] = await sql('select * from ledger.publisher_orders where purchase_id = $1', [purchase.id]);
    expect(recorded).toMatchObject({ payment: 'new_card', charge_amount: '192.92', stored_card_id: null, referrer_id: null, send_email: true });
    expect(recorded.transaction_id).toMatch(processorIds().transaction);
    // The card's number, CVV and holder are nowhere (StoreCreditCard=False: no stored card either).
    expect(await sql('select count(*)::int as n from ledger.stored_cards where customer_id = $1', [consumer!.id])).toEqual([{ n: 0 }]);
    const dump = JSON.stringify(await sql(`select o.*, c.*, p.* from ledger.publisher_orders o join ledger.customers c on c.id = o.customer_id
      join ledger.purchases p on p.id = o.purchase_id where o.purchase_id = $1`, [purchase.id]));
    expect(dump).not.toMatch(/4111111111111111|cardname/);
  });

  it('answers in XML with the sample\'s element names, order, nil attributes and namespace', async () => {
    const res = await signedOrder(acme(), { ...newConsumer(), ...card(), ...spa() }, (init) => {
      init.headers.Accept = 'application/xml';
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/xml/);
    expect(await res.text()).toMatch(
      new RegExp(
        '^<purchaseResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><errors/><lastPublished>\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z</lastPublished>' +
          '<success>true</success><version>3</version><chargeAmount>74.92</chargeAmount><creditValueUsed>0.00</creditValueUsed>' +
          '<currencySymbol>\\$</currencySymbol><duplicateOrderId i:nil="true"/><isoCurrencyCode>USD</isoCurrencyCode>' +
          '<orderId>\\d+</orderId><pendingCreditValueAwarded>5.75</pendingCreditValueAwarded></purchaseResponse>$',
      ),
    );
  });
});

describe('ValidateOrder', () => {
  it('prices the order exactly as the purchase does, and creates nothing', async () => {
    const form = { ...newConsumer(), ...card(), ...cookware(0, 2), ...spa(1), UsePromotionalPrice: 'True', 'PromoCodes[0]': 'FIVEOFF' };
    const before = await footprint();
    const checked = await validate(form);
    expect(await footprint()).toEqual(before);
    // 2 × 49.00 (promotional) + 74.92 − 5.00 = 167.92; 5% = 8.40 (8.396) + 2.00.
    expect(checked).toEqual({
      status: 200,
      body: {
        errors: [], lastPublished: expect.any(String), success: true, version: '3',
        chargeAmount: 167.92, creditValueUsed: 0, currencySymbol: '$', duplicateOrderId: null, isoCurrencyCode: 'USD', pendingCreditValueAwarded: 10.4,
      },
    });
    const placed = await order(form);
    expect(placed.status).toBe(200);
    const { orderId, ...rest } = placed.body;
    expect(orderId).toEqual(expect.any(Number));
    expect({ ...rest, lastPublished: checked.body.lastPublished }).toEqual(checked.body);
  });

  it('runs the same checks, answering in XML when asked', async () => {
    const bad = await validate({ ...newConsumer(), ...card(), ...spa(), 'PromoCodes[0]': 'NOPE' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ code: 'InvalidRequest', message: 'PromoCodes: NOPE is not a valid promo code' }]);
    const res = await signedOrder(acme(), { ...newConsumer(), ...card(), ...spa() }, (init) => {
      init.headers.Accept = 'text/xml';
    }, { path: '/api/v3/publisher/order/validate' });
    const xml = await res.text();
    expect(xml).toMatch(/^<validateOrderResponse xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"><errors\/>/);
    expect(xml).toContain('<chargeAmount>74.92</chargeAmount>');
    expect(xml).not.toContain('orderId');
  });
});

describe('prices', () => {
  it('uses the promotional price only when asked and the offer has one', async () => {
    const priced = async (form: Form) => (await validate({ ...newConsumer(), ...card(), ...form })).body.chargeAmount;
    expect(await priced({ ...cookware(0, 2), UsePromotionalPrice: 'False' })).toBe(118);
    expect(await priced({ ...cookware(0, 2), UsePromotionalPrice: 'True' })).toBe(98);
    expect(await priced({ ...spa(), UsePromotionalPrice: 'True' })).toBe(74.92);
  });

  it('applies promo codes in the order given, each to what the previous left', async () => {
    const priced = async (codes: string[]) =>
      validate({ ...newConsumer(), ...card(), ...spa(), ...Object.fromEntries(codes.map((code, i) => [`PromoCodes[${i}]`, code])) });
    // 74.92 − 10% (7.49) − 5.00 = 62.43; 74.92 − 5.00 − 10% (6.99) = 62.93.
    expect((await priced(['SAVE10', 'FIVEOFF'])).body.chargeAmount).toBe(62.43);
    expect((await priced(['fiveoff', 'save10'])).body.chargeAmount).toBe(62.93);
    const twice = await priced(['SAVE10', 'save10', 'GONE']);
    expect(twice.status).toBe(400);
    expect(twice.body.errors.map((e) => e.message)).toEqual(['PromoCodes: save10 is given more than once', 'PromoCodes: GONE is not a valid promo code']);
  });

  it('reads PromoCodes typed as a string (the reference\'s third scenario) as comma-separated codes, in order', async () => {
    const priced = (codes: string) => validate({ ...newConsumer(), ...card(), ...spa(), PromoCodes: codes });
    expect((await priced('SAVE10,FIVEOFF')).body.chargeAmount).toBe(62.43);
    expect((await priced(' fiveoff , save10 ')).body.chargeAmount).toBe(62.93);
    expect((await priced('SAVE10')).body.chargeAmount).toBe(67.43);
    const unknown = await priced('SAVE10,GONE');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e) => e.message)).toEqual(['PromoCodes: GONE is not a valid promo code']);
  });

  it('prices another publisher\'s orders in its currency with its codes', async () => {
    const placed = await order({ ...newConsumer(), ...card(), ...sampleGlobex(), PromoCodes: 'WILLKOMMEN' }, 'globex');
    // 20.00 − 15%; globex has no credit rules.
    expect(placed.body).toMatchObject({ success: true, chargeAmount: 17, currencySymbol: '€', isoCurrencyCode: 'EUR', pendingCreditValueAwarded: 0 });
  });
});

function sampleGlobex(): Form {
  return { 'OrderDetails[0].OfferId': '7001', 'OrderDetails[0].OfferOptionId': '7101', 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': 'berlin' };
}

describe('consumer credits', () => {
  it('are awarded by the rules, spent on later orders, and never off-platform or when SpendCredits is False', async () => {
    const consumer = newConsumer();
    const first = await order({ ...consumer, ...card(), ...spa() });
    // 5% of 74.92 = 3.75 for the next purchase; 2.00 after the next purchase.
    expect(first.body).toMatchObject({ chargeAmount: 74.92, creditValueUsed: 0, pendingCreditValueAwarded: 5.75 });

    expect((await validate({ ...consumer, ...card(), ...spa(), 'BillingInfo.SpendCredits': 'False', AllowDuplicatePurchase: 'True' })).body)
      .toMatchObject({ chargeAmount: 74.92, creditValueUsed: 0 });
    expect((await validate({ ...consumer, ...offSite, ...spa(), AllowDuplicatePurchase: 'True' })).body)
      .toMatchObject({ chargeAmount: 74.92, creditValueUsed: 0 });

    const second = await order({ 'ConsumerInfo.UserKey': consumer['ConsumerInfo.UserKey']!, ...card(), ...spa(), AllowDuplicatePurchase: 'True' });
    expect(second.body).toMatchObject({ success: true, chargeAmount: 71.17, creditValueUsed: 3.75, pendingCreditValueAwarded: 5.75 });
    const [purchase] = await sql('select id from ledger.purchases where number = $1', [second.body.orderId]);
    expect(await sql('select amount from ledger.credit_spends where purchase_id = $1', [purchase.id])).toEqual([{ amount: '3.75' }]);
    // Read back through the ledger: the credits are money off the purchase, shown as a coupon.
    expect(await sql('select subtotal, discount, total from ledger.purchases where id = $1', [purchase.id])).toEqual([{ subtotal: '74.92', discount: '3.75', total: '71.17' }]);
    expect(await sql('select name, code, discount_amount, discount_type from ledger.purchase_coupons where purchase_id = $1', [purchase.id])).toEqual([
      { name: 'Credits', code: 'CREDITS', discount_amount: '3.75', discount_type: 'money' },
    ]);

    // The second order made the first order's 2.00 spendable, and earned 3.75 more.
    const third = await validate({ ...consumer, ...card(), ...spa(), AllowDuplicatePurchase: 'True' });
    expect(third.body).toMatchObject({ chargeAmount: 69.17, creditValueUsed: 5.75 });
  });

  it('pay a whole order without a charge', async () => {
    const consumer = newConsumer();
    const [customer] = await sql(`insert into ledger.customers (company_id, user_key, email, first_name, last_name)
      values ($1, $2, $2, 'Rich', 'Credits') returning id`, [demo('acme').companyId, consumer['ConsumerInfo.UserKey']]);
    await sql(`insert into ledger.consumer_credits (company_id, customer_id, amount, remaining, currency, status, available_at)
      values ($1, $2, 100, 100, 'USD', 'available', now())`, [demo('acme').companyId, customer.id]);
    // A card that the processor would decline: no charge is attempted for nothing to pay.
    const placed = await order({ 'ConsumerInfo.UserKey': consumer['ConsumerInfo.UserKey']!, ...card('4000000000000002'), ...spa() });
    expect(placed.body).toMatchObject({ success: true, chargeAmount: 0, creditValueUsed: 74.92 });
    expect(await sql('select payment, transaction_id from ledger.publisher_orders where customer_id = $1', [customer.id])).toEqual([
      { payment: 'none', transaction_id: null },
    ]);
    expect(await sql('select remaining from ledger.consumer_credits where customer_id = $1 and earned_by is null', [customer.id])).toEqual([{ remaining: '25.08' }]);
  });

  it('reward the referrer once, on the referred consumer\'s first order', async () => {
    const referrer = newConsumer();
    await order({ ...referrer, ...offSite, ...spa() });
    const referred = { ...newConsumer(), 'ConsumerInfo.ReferredByUserKey': referrer['ConsumerInfo.UserKey']! };
    const first = await order({ ...referred, ...offSite, ...spa() });
    // The consumer's own pending credits do not count the referrer's reward.
    expect(first.body.pendingCreditValueAwarded).toBe(5.75);
    await order({ ...referred, ...offSite, ...spa(0, 3) });
    const referrerId = (await consumerRow(referrer['ConsumerInfo.UserKey']!))!.id;
    expect(await sql(`select c.amount, c.status, p.number from ledger.consumer_credits c join ledger.purchases p on p.id = c.earned_by
      where c.customer_id = $1 and c.rule_id = '9c3e5f70-1a2b-4c3d-8e4f-5a6b7c8d9e03'`, [referrerId])).toEqual([
      { amount: '10.00', status: 'available', number: String(first.body.orderId) },
    ]);
  });
});

describe('billing scenarios', () => {
  it('stores a new card when asked, lists it, and charges it for the consumer\'s next order', async () => {
    const consumer = newConsumer();
    const stored = await order({ ...consumer, ...card('5555555555554444'), ...spa(), 'BillingInfo.StoreCreditCard': 'True' });
    expect(stored.status).toBe(200);
    const listed = await signedGet(acme(), `/api/v3/publisher/consumer/creditcards?UserKey=${encodeURIComponent(consumer['ConsumerInfo.UserKey']!)}`);
    const { creditCards } = (await listed.json()) as { creditCards: Array<Record<string, unknown>> };
    expect(creditCards).toEqual([
      { storedCreditCardId: expect.any(String), paymentType: 'MasterCard', lastFourDigits: '4444', expirationMonth: 12, expirationYear: Number(nextYear) },
    ]);
    const [row] = await sql('select * from ledger.stored_cards where id = $1', [creditCards[0]!.storedCreditCardId]);
    expect(row.processor_token).toMatch(processorIds().cardToken);
    expect(JSON.stringify(row)).not.toContain('5555555555554444');

    // Scenario 2: the stored card, no names needed; the names given update the consumer.
    const again = await order({
      'ConsumerInfo.UserKey': consumer['ConsumerInfo.UserKey']!, 'ConsumerInfo.FirstName': 'Patricia',
      'BillingInfo.StoredCreditCardId': String(creditCards[0]!.storedCreditCardId), 'BillingInfo.SpendCredits': 'False', ...spa(0, 2),
    });
    expect(again.body).toMatchObject({ success: true, chargeAmount: 149.84, creditValueUsed: 0 });
    expect(await sql('select payment, stored_card_id from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id where p.number = $1', [again.body.orderId]))
      .toEqual([{ payment: 'stored_card', stored_card_id: creditCards[0]!.storedCreditCardId }]);
    expect(await consumerRow(consumer['ConsumerInfo.UserKey']!)).toMatchObject({ first_name: 'Patricia', last_name: 'Buyer', email: consumer['ConsumerInfo.Email'] });
  });

  it('records an off-platform purchase with its external transaction, charging nothing', async () => {
    const consumer = newConsumer();
    const placed = await order({
      ...consumer, ...offSite, ...spa(),
      'BillingInfo.ExternalTransactionInformation.AmountCharged': '74.92',
      'BillingInfo.ExternalTransactionInformation.CreditValueUsed': '0',
      'BillingInfo.ExternalTransactionInformation.PaymentType': '3',
      'BillingInfo.ExternalTransactionInformation.TransactionId': 'ext-778',
    });
    expect(placed.body).toMatchObject({ success: true, chargeAmount: 74.92, creditValueUsed: 0 });
    expect(await sql(`select payment, transaction_id, external_amount_charged, external_credit_value_used, external_payment_type, external_transaction_id
      from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id where p.number = $1`, [placed.body.orderId])).toEqual([
      { payment: 'off_platform', transaction_id: null, external_amount_charged: '74.92', external_credit_value_used: '0.00', external_payment_type: 3, external_transaction_id: 'ext-778' },
    ]);
  });

  it('needs names and an email (unless NoEmail) to create a consumer, not to update one', async () => {
    const key = `buyer-${randomUUID()}@example.com`;
    const missing = await order({ 'ConsumerInfo.UserKey': key, ...offSite, ...spa() });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e) => e.message)).toEqual([
      'ConsumerInfo.FirstName: is required for a new consumer',
      'ConsumerInfo.LastName: is required for a new consumer',
      'ConsumerInfo.Email: is required for a new consumer unless NoEmail is True',
    ]);
    const noEmail = await order({ 'ConsumerInfo.UserKey': key, 'ConsumerInfo.NoEmail': 'true', 'ConsumerInfo.FirstName': 'No', 'ConsumerInfo.LastName': 'Mail', ...offSite, ...spa() });
    expect(noEmail.status).toBe(200);
    expect(await consumerRow(key)).toMatchObject({ email: null, first_name: 'No' });
    // No address, no confirmation.
    expect(await sql('select count(*)::int as n from ledger.email_outbox e join ledger.purchases p on p.id = e.purchase_id where p.number = $1', [noEmail.body.orderId])).toEqual([{ n: 0 }]);
    const existing = await order({ 'ConsumerInfo.UserKey': key, ...offSite, ...spa(0, 2) });
    expect(existing.status).toBe(200);
  });

  it('leaves nothing behind when the card is declined or the processor fails', async () => {
    // A Stripe 500 may have charged (Stripe says so): its attempt stays, for reconciliation (test/stripe/).
    const { charge_attempts: _, ...before } = await footprint();
    const consumer = newConsumer();
    const declined = await order({ ...consumer, ...card('4000000000000002'), ...spa(), 'BillingInfo.StoreCreditCard': 'True' });
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ success: false, errors: [{ code: 'CardDeclined', message: expect.stringMatching(/declined.*Nothing was charged or ordered/) }] });
    const failed = await order({ ...consumer, ...card('4000000000000119'), ...spa() });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('Retry-After')).toBe('5');
    expect(failed.body.errors[0]!.code).toBe(stack().payments.processor === 'stripe' ? 'PaymentBeingReconciled' : 'PaymentProcessorUnavailable');
    const { charge_attempts: __, ...after } = await footprint();
    expect(after).toEqual(before);
    expect(await consumerRow(consumer['ConsumerInfo.UserKey']!)).toBeUndefined();
  });
});

describe('order details', () => {
  it('records a gift that does not ship with its recipient, and emails only when SendEmail', async () => {
    const gift = { ...newConsumer(), ...offSite, ...spa(), 'OrderDetails[0].IsGift': 'True', 'OrderDetails[0].EmailAddress': 'friend@example.com',
      'OrderDetails[0].FirstName': 'Friend', 'OrderDetails[0].Message': 'Enjoy' };
    const sent = await order(gift);
    expect(sent.status).toBe(200);
    expect(await sql(`select e.template from ledger.email_outbox e join ledger.purchases p on p.id = e.purchase_id where p.number = $1 order by template`, [sent.body.orderId]))
      .toEqual([{ template: 'publisher_gift_notification' }, { template: 'publisher_order_confirmation' }]);
    const quiet = await order({ ...gift, ...newConsumer(), SendEmail: 'False' });
    expect(quiet.status).toBe(200);
    expect(await sql(`select count(*)::int as n from ledger.email_outbox e join ledger.purchases p on p.id = e.purchase_id where p.number = $1`, [quiet.body.orderId])).toEqual([{ n: 0 }]);
    expect(await sql(`select d.is_gift, d.recipient_email, d.recipient_first_name, d.gift_message, d.address from ledger.publisher_order_details d
      join ledger.purchases p on p.id = d.purchase_id where p.number = $1`, [quiet.body.orderId])).toEqual([
      { is_gift: true, recipient_email: 'friend@example.com', recipient_first_name: 'Friend', gift_message: 'Enjoy', address: null },
    ]);
  });

  it('stores affiliate and tracking data', async () => {
    const placed = await order({
      ...newConsumer(), ...offSite, ...spa(),
      'AffiliateInfo.AffiliateId': '77', 'AffiliateInfo.AffiliateSource': 'newsletter', 'AffiliateInfo.CreateUnixTimestamp': '1700000000',
      'PurchaseTrackingInfo.AdditionalFields[0].Key': 'utm_source', 'PurchaseTrackingInfo.AdditionalFields[0].Value': 'mail',
      'PurchaseTrackingInfo.AdditionalFields[1].Key': 'utm_campaign', 'PurchaseTrackingInfo.AdditionalFields[1].Value': 'spring',
      CustomTrackingInfo: 'banner-3',
    });
    expect(placed.status).toBe(200);
    expect(await sql(`select affiliate_id, affiliate_source, affiliate_started_at, tracking_fields, custom_tracking
      from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id where p.number = $1`, [placed.body.orderId])).toEqual([{
      affiliate_id: 77, affiliate_source: 'newsletter', affiliate_started_at: new Date(1_700_000_000_000),
      tracking_fields: [{ Key: 'utm_source', Value: 'mail' }, { Key: 'utm_campaign', Value: 'spring' }], custom_tracking: 'banner-3',
    }]);
  });
});

describe('duplicates', () => {
  it('are not placed unless AllowDuplicatePurchase is True; the answer names the earlier order', async () => {
    const form = { ...newConsumer(), ...offSite, ...spa() };
    const first = await order(form);
    expect(first.status).toBe(200);
    for (const repeat of [await order(form), await validate(form)]) {
      expect(repeat.status).toBe(409);
      expect(repeat.body).toMatchObject({
        success: false, errors: [{ code: 'DuplicateOrder', message: expect.stringContaining(`order ${first.body.orderId}`) }],
        duplicateOrderId: first.body.orderId, chargeAmount: 0, creditValueUsed: 0,
      });
    }
    expect((await order({ ...form, ...spa(0, 2) })).status).toBe(200);
    expect((await order({ ...form, AllowDuplicatePurchase: 'True' })).status).toBe(200);
    // The reference also calls the flag AllowDuplicateOrder: one meaning, whichever name.
    expect((await order({ ...form, AllowDuplicateOrder: 'True' })).status).toBe(200);
    expect((await order({ ...form, AllowDuplicateOrder: 'False' })).status).toBe(409);
    const contradicting = await validate({ ...form, AllowDuplicatePurchase: 'True', AllowDuplicateOrder: 'False' });
    expect(contradicting.status).toBe(400);
    expect(contradicting.body.errors.map((e) => e.message)).toEqual(['AllowDuplicateOrder: names the same flag as AllowDuplicatePurchase and cannot differ from it']);
  });

  it('are caught among concurrent identical orders, paid by card or not', async () => {
    for (const payment of [offSite, card()]) {
      const form = { ...newConsumer(), ...payment, ...spa() };
      const answers = await Promise.all(Array.from({ length: 12 }, () => order(form)));
      const placed = answers.filter((a) => a.status === 200);
      expect(placed).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409 && a.body.duplicateOrderId === placed[0]!.body.orderId)).toHaveLength(11);
      const consumer = await consumerRow(form['ConsumerInfo.UserKey']!);
      expect(await sql('select count(*)::int as n from ledger.purchases where customer_id = $1', [consumer!.id])).toEqual([{ n: 1 }]);
    }
  });
});

describe('round trips to the database', () => {
  it('is one per order, and two when a card is charged between pricing and recording', async () => {
    const send = async (form: Form, path?: string) => {
      const id = `rt-${randomUUID()}`;
      const res = await signedOrder(acme(), form, (init) => (init.headers['X-Request-Id'] = id), path ? { path } : {});
      expect(res.status).toBe(200);
      return roundTrips(id);
    };
    // The consumer's secret is looked up once, then kept by the worker.
    await send({ ...newConsumer(), ...offSite, ...spa() }, '/api/v3/publisher/order/validate');
    expect(await send({ ...newConsumer(), ...offSite, ...spa() }, '/api/v3/publisher/order/validate')).toBe(1);
    expect(await send({ ...newConsumer(), ...offSite, ...spa() })).toBe(1);
    expect(await send({ ...newConsumer(), ...card(), ...spa() })).toBe(2);
  });
});

describe('the charged order\'s second step (gc_place_charged_order)', () => {
  const place = async (credential: Parameters<typeof workerToken>[1], body: unknown) =>
    fetch(`${stack().supabase.url}/rest/v1/rpc/gc_place_charged_order`, {
      method: 'POST',
      headers: {
        apikey: stack().supabase.anonKey, 'Content-Type': 'application/json',
        Authorization: `Bearer ${await workerToken(inject('jwtSecret'), credential)}`,
      },
      body: JSON.stringify(body),
    });
  // The order in the ledger's names, as the worker maps it (functions/groupcommerce/wire.ts).
  const ordered = () => ({
    customer: { user_key: `buyer-${randomUUID()}`, first_name: 'Pat', last_name: 'Buyer', email: 'pat@example.com', no_email: false },
    payment: 'new_card', promo_codes: [], lines: [{ offer_number: 9035, option_number: 9123, quantity: 1, segment_key: 'new-york', is_gift: false }],
  });
  const acmeConsumer = () => ({ kind: 'oauth_consumer' as const, keyId: acme().consumerKey, secret: acme().consumerSecret });

  /** A pending charge attempt of acme's for `ordered`, as gc_order writes before a charge. */
  const attemptFor = async (body: ReturnType<typeof ordered>, amount: string) =>
    (await sql(
      `insert into ledger.charge_attempts (company_id, credential_id, user_key, content, ordered, allow_duplicates, amount, currency, credit_value_used)
       select $1, c.id, $2, md5($3::jsonb::text), $3::jsonb, false, $4, 'USD', 0 from ledger.credentials c
       where c.company_id = $1 and c.kind = 'oauth_consumer' and c.revoked_at is null limit 1 returning id`,
      [demo('acme').companyId, body.customer.user_key, JSON.stringify(body), amount],
    ))[0]!.id as string;

  it('places nothing when the amount charged is not the order\'s price, and marks the charge to be refunded', async () => {
    const before = await footprint();
    const body = ordered();
    const attemptId = await attemptFor(body, '70.00');
    const res = await place(acmeConsumer(), { ordered: body, payment: { attempt_id: attemptId, amount: '70.00', transaction_id: `t-${randomUUID()}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'price_changed', refund: true });
    expect(await sql('select status from ledger.charge_attempts where id = $1', [attemptId])).toEqual([{ status: 'refunding' }]);
    const { charge_attempts: _, ...ledger } = await footprint();
    const { charge_attempts: __, ...ledgerBefore } = before;
    expect(ledger).toEqual(ledgerBefore);
    const rightBody = ordered();
    const right = await place(acmeConsumer(), { ordered: rightBody, payment: { attempt_id: await attemptFor(rightBody, '74.92'), amount: '74.92', transaction_id: `t-${randomUUID()}` } });
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ outcome: 'placed', number: expect.any(Number), charge_amount: '74.92' });
  });

  it('answers an attempt already placed as the duplicate it is, with nothing to refund', async () => {
    const body = ordered();
    const attemptId = await attemptFor(body, '74.92');
    const payment = { attempt_id: attemptId, amount: '74.92', transaction_id: `t-${randomUUID()}` };
    const first = (await (await place(acmeConsumer(), { ordered: body, payment })).json()) as { outcome: string; number: number };
    expect(first.outcome).toBe('placed');
    const again = await (await place(acmeConsumer(), { ordered: body, payment })).json();
    expect(again).toMatchObject({ outcome: 'duplicate', duplicate_number: first.number });
    expect(again).not.toHaveProperty('refund');
  });

  it('refuses an attempt that is not the caller\'s', async () => {
    const res = await place(acmeConsumer(), { ordered: ordered(), payment: { attempt_id: randomUUID(), amount: '74.92', transaction_id: `t-${randomUUID()}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ hint: 'unknown_charge_attempt' });
  });

  it('is for publishers\' OAuth consumers only', async () => {
    const res = await place({ kind: 'kit_token', secret: demo('acme').kit.token }, { ordered: ordered(), payment: { attempt_id: randomUUID(), amount: '74.92', transaction_id: 't' } });
    expect(res.status).toBe(401);
  });
});
