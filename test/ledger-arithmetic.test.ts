/**
 * The one ledger read back exactly: whatever API reported a purchase, DPD shows it with amounts that
 * obey DPD's documented arithmetic (total = subtotal + discount + tax + shipping; a line's total =
 * subtotal + tax + discount, a discount being negative), and a publisher order's promo codes are
 * its coupons with its discount.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { centsToDecimal, toCents } from '../shared/money/index.ts';
import { demo, sampleOrderForm, signedOrder, stack } from './helpers.ts';

const acme = () => demo('acme');
const dpd = async (path: string, slug: 'acme' | 'globex' = 'acme') => {
  const { username, password } = demo(slug).dpd;
  const res = await fetch(`${stack().apis.dpd}${path}`, { headers: { Authorization: `Basic ${btoa(`${username}:${password}`)}` } });
  return { status: res.status, body: (await res.json()) as any, count: Number(res.headers.get('Dpd-Collection-Count')) };
};
const sum = (...amounts: string[]) => centsToDecimal(amounts.reduce((total, amount) => total + toCents(amount), 0n));

const made: Record<string, number> = {};

beforeAll(async () => {
  // One purchase through each API that writes, with what each carries.
  const ops = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
    method: 'POST',
    headers: { 'X-Api-Key': acme().operations.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ action: 'create_purchase', lead_id: acme().operations.leadIds[0], product_id: acme().operations.productIds[0], purchase_amount: 42.5 }),
  });
  expect(ops.status).toBe(201);
  const opsId = ((await ops.json()) as any).purchase.id as string;
  const lumen = await fetch(`${stack().apis.lumen}/partners/v1/purchases`, {
    method: 'POST',
    headers: { 'X-Partner-Api-Key': acme().lumen.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      partnerPurchaseId: `ARITH-${randomUUID()}`, fulfillment: false,
      customer: { email: `arith-${randomUUID()}@example.com`, firstName: 'Ari', lastName: 'Th' },
      items: [{ productId: acme().lumen.productIds[0], quantity: 2 }],
    }),
  });
  expect(lumen.status).toBe(201);
  const kit = await fetch(`${stack().apis.kit}/v4/purchases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${acme().kit.token}`, 'Content-Type': 'application/json' },
    // No subtotal and no total: derived from the products, less the discount, plus tax and shipping.
    body: JSON.stringify({ purchase: { email_address: `arith-${randomUUID()}@example.com`, transaction_id: `ARITH-${randomUUID()}`, currency: 'USD', tax: 1.1, shipping: 4, discount: 2.25,
      products: [{ name: 'Arith', pid: 'arith-1', lid: 'l1', quantity: 3, unit_price: 10.05 }] } }),
  });
  expect(kit.status).toBe(201);
  made.kit = ((await kit.json()) as any).purchase.id;
  const order = await signedOrder(acme().groupcommerce, {
    ...sampleOrderForm(), PromoCodes: 'FIVEOFF', 'BillingInfo.BillingCountry': 'us',
    'OrderDetails[0].ShippingName': 'Jon Q Lastn', 'OrderDetails[0].Address': '123 Road', 'OrderDetails[0].Address2': 'Apt. 6K',
    'OrderDetails[0].City': 'Cleveland', 'OrderDetails[0].State': 'oh', 'OrderDetails[0].Country': 'US', 'OrderDetails[0].PostalCode': '44122',
  });
  expect(order.status).toBe(200);
  made.order = ((await order.json()) as any).orderId;
  // The operations purchase's DPD id: the newest acme purchase reported with that amount.
  made.operations = (await dpd('/purchases?total=42.50')).body[0].id;
  expect(opsId).toMatch(/^[0-9a-f-]{36}$/);
});

describe('DPD\'s arithmetic on every API\'s purchases', () => {
  it.each(['acme', 'globex'] as const)('holds to the cent for every purchase and line in %s\'s list, all pages', async (slug) => {
    const first = await dpd('/purchases', slug);
    const pages = Math.ceil(first.count / 100);
    let checked = 0;
    for (let page = 1; page <= pages; page++) {
      const { status, body } = page === 1 ? first : await dpd(`/purchases?page=${page}`, slug);
      expect(status).toBe(200);
      for (const p of body) {
        expect(sum(p.subtotal, p.discount, p.tax, p.shipping), `purchase ${p.id}`).toBe(p.total);
        expect(toCents(p.discount) <= 0n, `purchase ${p.id} discount ${p.discount}`).toBe(true);
        for (const line of p.line_items) expect(sum(line.subtotal, line.tax, line.discount), `line ${line.id}`).toBe(line.total);
        checked++;
      }
    }
    expect(checked).toBe(first.count);
    expect(checked).toBeGreaterThan(2);
  });

  it('shows each API\'s amounts as it reported them, what was left out derived', async () => {
    expect((await dpd(`/purchases/${made.operations}`)).body).toMatchObject({ subtotal: '42.50', discount: '0.00', tax: '0.00', shipping: '0.00', total: '42.50' });
    // 3 × 10.05 = 30.15; 30.15 − 2.25 + 1.10 + 4.00 = 33.00.
    expect((await dpd(`/purchases/${made.kit}`)).body).toMatchObject({ subtotal: '30.15', discount: '-2.25', tax: '1.10', shipping: '4.00', total: '33.00' });
  });

  it('shows a publisher order\'s promo codes as its coupons, and their discount', async () => {
    const offer = acme().groupcommerce.offers.find((o) => !o.requiresShipping)!;
    const p = (await dpd(`/purchases/${made.order}`)).body;
    expect(p.coupons).toEqual([{ name: 'FIVEOFF', code: 'FIVEOFF', discount_amount: '5.00', discount_type: 'money' }]);
    expect(p.discount).toBe('-5.00');
    expect(p.subtotal).toBe(sum(offer.price));
    expect(p.total).toBe(sum(offer.price, '-5.00'));
  });

  it('shows what a publisher order recorded: its consumer, billing and shipping addresses, never the card', async () => {
    const p = (await dpd(`/purchases/${made.order}`)).body;
    expect(p).toMatchObject({
      buyer_firstname: 'consumer', buyer_lastname: 'test', customer: { firstname: 'consumer', lastname: 'test', email: expect.stringMatching(/^consumer-.*@example\.com$/) },
      billing_firstname: 'consumer', billing_lastname: 'test', billing_street: '628 Broadway', billing_city: 'New York', billing_state: 'NY',
      billing_zip_code: '10010', billing_country_code: 'US', billing_card_type: 'Visa', billing_card_number: '************1111',
      shipping_firstname: 'Jon', shipping_lastname: 'Q Lastn', shipping_street: '123 Road', shipping_street2: 'Apt. 6K', shipping_city: 'Cleveland',
      shipping_state: 'OH', shipping_zip_code: '44122', shipping_country_code: 'US', shipping_country: 'United States',
    });
    // And through Kit, the same purchase with its consumer and amounts.
    const kit = await fetch(`${stack().apis.kit}/v4/purchases/${made.order}`, { headers: { Authorization: `Bearer ${acme().kit.token}` } });
    expect(kit.status).toBe(200);
    const offer = acme().groupcommerce.offers.find((o) => !o.requiresShipping)!;
    expect(((await kit.json()) as any).purchase).toMatchObject({
      id: made.order, email_address: p.customer.email, subtotal: Number(offer.price), discount: 5, total: Number(sum(offer.price, '-5.00')),
    });
  });
});
