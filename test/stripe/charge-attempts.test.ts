/**
 * The money hole closed: Stripe's answer lost after it charged (past the SDK's retries). The order
 * is answered 503 "may have been charged"; a retry with a new nonce is answered with the first
 * charge (never a second), and an order nobody retries is settled by the publisher worker's cron
 * reconciliation: placed with its charge, or refunded when it can no longer be placed. Run on the
 * Stripe-mode platform, whose reconciliation takes attempts left alone for 5 seconds.
 */
import type pg from 'pg';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StripeFaults } from '../../platform/stack/stripe-server.ts';
import { admin, demo, sampleOrderForm, signedOrder, stack, superuser } from '../helpers.ts';

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());
afterEach(async () => setFaults({ down: false, delayMs: 0, loseAnswers: 0 }));

function payments() {
  const { payments } = stack();
  if (payments.processor !== 'stripe') throw new Error('these tests need the Stripe-mode platform (the integration-stripe project)');
  return payments;
}

async function setFaults(faults: Partial<StripeFaults>): Promise<void> {
  const res = await fetch(`${payments().apiBase}/_local/faults`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${payments().secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
}

function stripe(): Stripe {
  const base = new URL(payments().apiBase);
  return new Stripe(payments().secretKey, { protocol: 'http', host: base.hostname, port: base.port, maxNetworkRetries: 0 });
}

/** The PaymentIntents charged for one consumer's attempts, and the refunds of each. */
async function chargesOf(userKey: string) {
  const attempts = (await db.query<{ id: string }>('select id from ledger.charge_attempts where user_key = $1', [userKey])).rows.map((r) => r.id);
  const intents = (await stripe().paymentIntents.list({ limit: 100 })).data.filter((i) => attempts.includes(i.metadata.attempt ?? ''));
  const refunds = (await stripe().refunds.list({ limit: 100 })).data.filter((r) => intents.some((i) => i.id === r.payment_intent));
  return { succeeded: intents.filter((i) => i.status === 'succeeded'), refunds };
}

async function ordersOf(userKey: string) {
  return (
    await db.query<{ number: string; transaction_id: string; charge_amount: string }>(
      `select p.number, o.transaction_id, o.charge_amount from ledger.publisher_orders o
       join ledger.purchases p on p.id = o.purchase_id join ledger.customers c on c.id = o.customer_id
       where c.user_key = $1 order by p.number`,
      [userKey],
    )
  ).rows;
}

async function order(form: Record<string, string>) {
  const res = await signedOrder(demo('acme').groupcommerce, form);
  return { status: res.status, retryAfter: res.headers.get('Retry-After'), body: (await res.json()) as { orderId?: number; duplicateOrderId: number | null; errors: Array<{ code: string; message: string }> } };
}

/** Waits for reconciliation to settle the consumer's attempts (the platform fires the cron every few seconds). */
async function settled(userKey: string): Promise<Array<{ status: string; settled_by: string }>> {
  for (let waited = 0; waited < 45_000; waited += 500) {
    const { rows } = await db.query<{ status: string; settled_by: string }>(
      'select status, settled_by from ledger.charge_attempts where user_key = $1 order by created_at',
      [userKey],
    );
    if (rows.length > 0 && rows.every((r) => r.status !== 'pending' && r.status !== 'refunding')) return rows;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the attempts of ${userKey} were not reconciled within 45 s`);
}

// The SDK tries a charge three times (maxNetworkRetries 2), each with the attempt's key: losing three
// answers loses the charge's outcome for good, as far as the request can tell.
const pastTheRetries = 3;

describe('a charge whose answer is lost', () => {
  it('is answered "may have been charged"; the retry with a new nonce is placed with the first charge, never a second', async () => {
    const form: Record<string, string> = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4242424242424242' };
    const userKey = form['ConsumerInfo.UserKey']!;
    await setFaults({ loseAnswers: pastTheRetries });
    const lost = await order(form);
    expect(lost.status).toBe(503);
    expect(lost.retryAfter).toBe('5');
    expect(lost.body.errors).toEqual([{ code: 'PaymentBeingReconciled', message: expect.stringMatching(/may have been charged.*never charged twice/) }]);
    expect((await chargesOf(userKey)).succeeded).toHaveLength(1);
    expect(await ordersOf(userKey)).toEqual([]);

    const retried = await order(form);
    expect(retried.status).toBe(200);
    const { succeeded, refunds } = await chargesOf(userKey);
    expect(succeeded).toHaveLength(1);
    expect(refunds).toEqual([]);
    expect(await ordersOf(userKey)).toEqual([{ number: String(retried.body.orderId), transaction_id: succeeded[0]!.id, charge_amount: expect.any(String) }]);

    // Retried again: the order exists, so the publisher's duplicate rule answers, charging nothing.
    const again = await order(form);
    expect(again.status).toBe(409);
    expect(again.body.duplicateOrderId).toBe(retried.body.orderId);
    expect((await chargesOf(userKey)).succeeded).toHaveLength(1);
  });

  it('is placed by reconciliation when nobody retries', async () => {
    const form: Record<string, string> = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4242424242424242' };
    const userKey = form['ConsumerInfo.UserKey']!;
    await setFaults({ loseAnswers: pastTheRetries });
    expect((await order(form)).status).toBe(503);
    expect(await settled(userKey)).toEqual([{ status: 'placed', settled_by: 'reconciliation' }]);
    const { succeeded, refunds } = await chargesOf(userKey);
    const orders = await ordersOf(userKey);
    expect(orders).toEqual([{ number: expect.any(String), transaction_id: succeeded[0]!.id, charge_amount: expect.any(String) }]);
    expect(succeeded).toHaveLength(1);
    expect(refunds).toEqual([]);
    const [purchase] = (await db.query('select billing_card_type, billing_card_last4, total from ledger.purchases where number = $1', [orders[0]!.number])).rows;
    expect(purchase).toMatchObject({ billing_card_type: 'Visa', billing_card_last4: '4242' });
    expect(Math.round(Number(purchase.total) * 100)).toBe(succeeded[0]!.amount);
    // The operator sees what reconciliation did.
    const listed = await admin('payments', 'reconcile', '--company', 'acme', '--limit', '1000', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const { reconciled } = JSON.parse(listed.stdout) as { reconciled: Array<{ consumer: string; status: string; orderId: number; transactionId: string }> };
    expect(reconciled.filter((r) => r.consumer === userKey)).toEqual([
      expect.objectContaining({ status: 'placed', orderId: Number(orders[0]!.number), transactionId: succeeded[0]!.id }),
    ]);
  });

  it('is refunded by reconciliation when its order can no longer be placed', async () => {
    const form: Record<string, string> = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4242424242424242' };
    const userKey = form['ConsumerInfo.UserKey']!;
    await setFaults({ loseAnswers: pastTheRetries });
    expect((await order(form)).status).toBe(503);
    // The consumer orders the same again, allowing a duplicate: a new attempt, charged and placed.
    // The lost one, which did not allow duplicates, now would be one: it is refunded, not placed.
    const other = await order({ ...form, AllowDuplicatePurchase: 'True' });
    expect(other.status).toBe(200);
    expect(await settled(userKey)).toEqual([
      { status: 'refunded', settled_by: 'reconciliation' },
      { status: 'placed', settled_by: 'request' },
    ]);
    const { succeeded, refunds } = await chargesOf(userKey);
    expect(succeeded).toHaveLength(2);
    expect(refunds).toHaveLength(1);
    const orders = await ordersOf(userKey);
    expect(orders).toHaveLength(1);
    // Money adds up: what was charged and kept is what the order charged.
    const kept = succeeded.filter((i) => !refunds.some((r) => r.payment_intent === i.id));
    expect(kept.map((i) => i.id)).toEqual([orders[0]!.transaction_id]);
    expect(kept[0]!.amount).toBe(Math.round(Number(orders[0]!.charge_amount) * 100));
  });

  it('is settled failed by reconciliation when Stripe never charged it (down before the charge)', async () => {
    const form: Record<string, string> = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4242424242424242' };
    const userKey = form['ConsumerInfo.UserKey']!;
    await setFaults({ down: true });
    const res = await order(form);
    expect(res.status).toBe(503);
    expect(res.body.errors[0]!.code).toBe('PaymentBeingReconciled');
    await setFaults({ down: false });
    expect(await settled(userKey)).toEqual([{ status: 'failed', settled_by: 'reconciliation' }]);
    expect(await ordersOf(userKey)).toEqual([]);
    expect((await chargesOf(userKey)).succeeded).toEqual([]);
  });
});

describe('credits spent by concurrent card orders', () => {
  it('are reserved by the first to be priced: every order is placed, each card charged once for what its order costs, nothing refunded', async () => {
    const form: Record<string, string> = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4242424242424242', AllowDuplicatePurchase: 'True' };
    const userKey = form['ConsumerInfo.UserKey']!;
    const [customer] = (await db.query(
      `insert into ledger.customers (company_id, user_key, email, first_name, last_name) values ($1, $2, $2, 'Cred', 'Its') returning id`,
      [demo('acme').companyId, userKey],
    )).rows;
    // Ten dollars of credits, less than one order: each order wants them all.
    await db.query(`insert into ledger.consumer_credits (company_id, customer_id, amount, remaining, currency, status, available_at)
      values ($1, $2, 10, 10, 'USD', 'available', now())`, [demo('acme').companyId, customer.id]);
    const answers = await Promise.all([1, 2, 3, 4].map((quantity) => order({ ...form, 'OrderDetails[0].Quantity': String(quantity) })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const { succeeded, refunds } = await chargesOf(userKey);
    expect(refunds).toEqual([]);
    expect(succeeded).toHaveLength(4);
    const orders = await ordersOf(userKey);
    expect(orders).toHaveLength(4);
    // Each charge is its order's: kept, and for the amount the order records.
    for (const placed of orders) {
      expect(Math.round(Number(placed.charge_amount) * 100)).toBe(succeeded.find((i) => i.id === placed.transaction_id)!.amount);
    }
    // The credits spent are what the orders say they used (each order's awards may pay for a later one).
    const { rows: spent } = await db.query(
      `select (select coalesce(sum(s.amount), 0) from ledger.credit_spends s join ledger.consumer_credits c on c.id = s.credit_id where c.customer_id = $1)::text as spent,
              (select coalesce(sum(o.credit_value_used), 0) from ledger.publisher_orders o where o.customer_id = $1)::text as used`,
      [customer.id],
    );
    expect(spent[0].spent).toBe(spent[0].used);
    expect(Number(spent[0].used)).toBeGreaterThanOrEqual(10);
  });
});
