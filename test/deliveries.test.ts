/**
 * Emails and webhooks leave the platform: the mail each reference promises reaches the local mail
 * catcher within seconds with its content, and an endpoint registered with the admin CLI receives
 * signed events (verified by the standardwebhooks library) for purchases from all five APIs, each
 * event in its documented schema.
 */
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLeads } from '../platform/demo.ts';
import { webhookEventSchema, type WebhookEventType } from '../shared/webhooks/events.ts';
import { mailTo, startReceiver, until, verifiedEvents, type Receiver } from './deliveries-helpers.ts';
import { admin, demo, sampleOrderForm, signedOrder, stack, superuser } from './helpers.ts';

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

const dpdAuth = () => ({ Authorization: `Basic ${btoa(`acme:${demo('acme').dpd.password}`)}` });
const mail = (address: string) => mailTo(stack().mail.messagesUrl, address);

describe('email', () => {
  it("delivers DPD's reactivation mail with the downloads, keys and expiry, from the company's sender", async () => {
    const to = `reactivated-${randomUUID()}@example.com`;
    const started = Date.now();
    const res = await fetch(`${stack().apis.dpd}/purchases/1002/reactivate`, {
      method: 'POST',
      headers: { ...dpdAuth(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ customer_email: to }),
    });
    expect(res.status).toBe(200);
    const [message] = await until('the reactivation mail', async () => (await mail(to)).length > 0 && mail(to), 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [item] = await db.query(
      `select i.number, i.expires_at, i.product_keys, p.salt from ledger.purchase_items i join ledger.purchases p on p.id = i.purchase_id where p.number = 1002`,
    ).then((r) => r.rows);
    expect(message!.from).toBe('"Acme Outfitters" <acme@mail.example.com>');
    expect(message!.to).toEqual([to]);
    expect(message!.subject).toBe('Your downloads from Acme Outfitters (purchase #1002)');
    const link = `https://downloads.example.com/${item.salt}/${item.number}`;
    for (const part of [message!.text!, message!.html!]) {
      expect(part).toContain('Annual subscription');
      expect(part).toContain(link);
      expect(part).toContain(item.product_keys[0]);
      expect(part).toContain(`until ${new Date(item.expires_at).toISOString().slice(0, 10)}`);
    }
    expect(message!.html).toMatch(/^<!doctype html>/);
  });

  it('delivers the publisher confirmation (order, items, amounts, credits) and the gift notice; SendEmail=False sends none', async () => {
    const quietForm: Record<string, string> = { ...sampleOrderForm(), SendEmail: 'False', 'OrderDetails[0].IsGift': 'True', 'OrderDetails[0].EmailAddress': `quiet-gift-${randomUUID()}@example.com`, 'OrderDetails[0].FirstName': 'Quiet' };
    const quiet = await signedOrder(demo('acme').groupcommerce, quietForm);
    expect(quiet.status).toBe(200);

    const form = sampleOrderForm();
    const consumer = form['ConsumerInfo.Email']!;
    const friend = `friend-${randomUUID()}@example.com`;
    Object.assign(form, { 'OrderDetails[0].IsGift': 'True', 'OrderDetails[0].EmailAddress': friend, 'OrderDetails[0].FirstName': 'Dana', 'OrderDetails[0].Message': 'Happy <birthday> & more' });
    const res = await signedOrder(demo('acme').groupcommerce, form);
    expect(res.status).toBe(200);
    const placed = (await res.json()) as { orderId: number; chargeAmount: string; pendingCreditValueAwarded: string };

    const [confirmation] = await until('the confirmation', async () => (await mail(consumer)).length > 0 && mail(consumer), 10_000);
    const [notice] = await until('the gift notice', async () => (await mail(friend)).length > 0 && mail(friend), 10_000);
    const [line] = (await db.query(
      `select f.name as offer, o.name as option, i.quantity, i.unit_price from ledger.purchase_items i
       join ledger.publisher_order_details d on d.purchase_item_id = i.id join ledger.offer_options o on o.id = d.offer_option_id
       join ledger.offers f on f.id = o.offer_id join ledger.purchases p on p.id = i.purchase_id where p.number = $1`,
      [placed.orderId],
    )).rows;
    expect(confirmation!.subject).toBe(`Your order #${placed.orderId} with Acme Outfitters is confirmed`);
    expect(confirmation!.from).toBe('"Acme Outfitters" <acme@mail.example.com>');
    for (const part of [confirmation!.text!, confirmation!.html!]) {
      expect(part).toContain(`#${placed.orderId}`);
      expect(part).toContain(`${line.offer}: ${line.option}`);
      expect(part).toContain(`${line.unit_price} USD`);
      expect(part).toContain(`${Number(placed.chargeAmount).toFixed(2)} USD`);
      expect(part).toContain('Dana');
    }
    // acme's credit rules award every order something (5% back, and 2.00 after the next purchase).
    const [credits] = (await db.query(`select to_char(sum(amount), 'FM999990.00') as total from ledger.consumer_credits cc join ledger.purchases p on p.id = cc.earned_by where p.number = $1`, [placed.orderId])).rows;
    expect(Number(credits.total)).toBeGreaterThan(0);
    expect(confirmation!.text).toContain(`This order earned you ${credits.total} USD in credits.`);
    expect(notice!.subject).toBe('consumer test sent you a gift from Acme Outfitters');
    expect(notice!.text).toContain('Hello Dana');
    expect(notice!.text).toContain('“Happy <birthday> & more”');
    expect(notice!.html).toContain('Happy &lt;birthday&gt; &amp; more');

    // The quiet order was placed first: had it mailed anyone, that mail would be here by now.
    expect(await mail(quietForm['ConsumerInfo.Email']!)).toEqual([]);
    expect(await mail(quietForm['OrderDetails[0].EmailAddress']!)).toEqual([]);
  });

  it('keeps nothing in the outbox undelivered once the relay has run', async () => {
    await until('an empty outbox', async () => {
      const { rows } = await db.query(`select count(*)::int as n from ledger.email_outbox where state = 'pending' and created_at < now() - interval '15 seconds'`);
      return rows[0].n === 0;
    }, 30_000);
  });
});

describe('webhooks', () => {
  let receiver: Receiver;
  let endpoint: { id: string; secret: string };

  beforeAll(async () => {
    receiver = await startReceiver();
    const added = await admin('webhook', 'add', '--company', 'acme', '--url', receiver.url, '--description', 'delivery tests', '--json');
    expect(added.code, added.stderr).toBe(0);
    endpoint = JSON.parse(added.stdout);
  });
  afterAll(async () => {
    if (endpoint) await admin('webhook', 'disable', '--id', endpoint.id);
    await receiver?.close();
  });

  const eventsWhere = async (what: string, match: (e: { type: string; data: any }) => boolean, count = 1) =>
    until(what, () => {
      const found = verifiedEvents(receiver.requests, endpoint.secret).filter(match);
      return found.length >= count && found;
    }, 15_000);
  const purchaseIs = (type: WebhookEventType, test: (purchase: any) => boolean) => (e: { type: string; data: any }) =>
    e.type === type && test(e.data.purchase);

  it('prints the endpoint with its whsec_ secret once, and refuses unsafe URLs with the reason', async () => {
    expect(endpoint).toMatchObject({ id: expect.any(String), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/), state: 'active', events: 'all' });
    const listed = JSON.parse((await admin('webhook', 'list', '--company', 'acme', '--json')).stdout);
    expect(listed.find((e: { id: string }) => e.id === endpoint.id)).not.toHaveProperty('secret');
    for (const [url, reason] of [
      ['http://example.com/hooks', /not https/],
      ['https://10.1.2.3/hooks', /10\.1\.2\.3 is a private address/],
      ['https://169.254.169.254/latest/meta-data', /link-local/],
      ['https://[fd00::1]/hooks', /unique-local/],
      ['https://metadata.google.internal/', /internal name/],
      ['ftp://example.com/', /scheme is ftp/],
      ['https://user:pw@example.com/', /user name or password/],
    ] as const) {
      const refused = await admin('webhook', 'add', '--company', 'acme', '--url', url, '--json');
      expect(refused.code, url).toBe(1);
      expect(refused.stderr, url).toMatch(reason);
    }
    const badEvent = await admin('webhook', 'add', '--company', 'acme', '--url', receiver.url, '--events', 'purchase.deleted');
    expect(badEvent.code).toBe(2);
    expect(badEvent.stderr).toContain('not: purchase.deleted');
  });

  it('sends signed events for purchases through Lumen, operations, Kit, DPD reactivate and the publisher API, each in its schema', async () => {
    const partnerPurchaseId = `hooks-${randomUUID()}`;
    const lumen = await fetch(`${stack().apis.lumen}/partners/v1/purchases`, {
      method: 'POST',
      headers: { 'X-Partner-Api-Key': demo('acme').lumen.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ partnerPurchaseId, fulfillment: false, customer: { email: 'hooks@example.com', firstName: 'Web', lastName: 'Hook' }, items: [{ productId: 'LMN_123456', quantity: 2 }] }),
    });
    expect(lumen.status).toBe(201);

    const operations = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
      method: 'POST',
      headers: { 'X-Api-Key': demo('acme').operations.apiKey, 'Idempotency-Key': randomUUID() },
      body: JSON.stringify({ action: 'create_purchase', lead_id: demoLeads.acmeDirect, product_id: demo('acme').operations.productIds[0], purchase_amount: 80 }),
    });
    expect(operations.status).toBe(201);
    const operationsId = ((await operations.json()) as { id?: string; purchase?: { id: string } });
    const opsPurchaseId = operationsId.id ?? operationsId.purchase?.id;

    const transactionId = `hooks-${randomUUID()}`;
    const kitBody = (status: string) => ({
      purchase: { email_address: 'kit-hooks@example.com', transaction_id: transactionId, status, currency: 'USD', subtotal: 10, tax: 0, shipping: 0, discount: 0, total: 10,
        transaction_time: new Date().toISOString(), products: [{ name: 'Hook', pid: 'hook-1', lid: 'l1', quantity: 1, unit_price: 10 }] },
    });
    const kitPost = (status: string) => fetch(`${stack().apis.kit}/v4/purchases`, {
      method: 'POST', headers: { Authorization: `Bearer ${demo('acme').kit.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(kitBody(status)),
    });
    expect((await kitPost('paid')).status).toBe(201);
    expect((await kitPost('refunded')).status).toBe(200);

    const reactivated = await fetch(`${stack().apis.dpd}/purchases/1002/reactivate`, { method: 'POST', headers: dpdAuth() });
    expect(reactivated.status).toBe(200);

    const order = await signedOrder(demo('acme').groupcommerce, sampleOrderForm());
    expect(order.status).toBe(200);
    const { orderId } = (await order.json()) as { orderId: number };

    const seen = {
      lumen: await eventsWhere('lumen purchase.created', purchaseIs('purchase.created', (p) => p.source === 'lumen' && p.external_id === partnerPurchaseId)),
      operations: await eventsWhere('operations purchase.created', purchaseIs('purchase.created', (p) => p.source === 'operations' && p.id === opsPurchaseId)),
      reward: await eventsWhere('reward.created', (e) => e.type === 'reward.created' && e.data.reward.purchase_id === opsPurchaseId),
      kitCreated: await eventsWhere('kit purchase.created', purchaseIs('purchase.created', (p) => p.source === 'kit' && p.external_id === transactionId)),
      kitUpdated: await eventsWhere('kit purchase.updated', purchaseIs('purchase.updated', (p) => p.external_id === transactionId && p.status === 'refunded')),
      dpd: await eventsWhere('purchase.reactivated', purchaseIs('purchase.reactivated', (p) => p.number === 1002)),
      publisher: await eventsWhere('publisher purchase.created', purchaseIs('purchase.created', (p) => p.source === 'groupcommerce' && p.number === orderId)),
      order: await eventsWhere('order.placed', purchaseIs('order.placed', (p) => p.number === orderId)),
    };
    for (const [what, [event]] of Object.entries(seen)) {
      const parsed = webhookEventSchema(event!.type as WebhookEventType).safeParse({ type: event!.type, timestamp: event!.timestamp, data: event!.data });
      expect(parsed.success, `${what}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(event!.id).toMatch(/^msg_[0-9a-f]{32}$/);
    }
    // One JSON shape whatever API wrote the purchase; money as exact decimal text.
    expect(seen.lumen[0]!.data.purchase).toMatchObject({ status: 'paid', customer: { email: 'hooks@example.com' }, items: [{ product_code: 'LMN_123456', quantity: 2 }] });
    expect(seen.operations[0]!.data.purchase).toMatchObject({ total: '80.00', lead_id: demoLeads.acmeDirect });
    expect(seen.kitCreated[0]!.data.purchase).toMatchObject({ total: '10.00', status: 'paid', items: [{ name: 'Hook', quantity: 1, unit_price: '10.00' }] });
    expect(seen.dpd[0]!.data).toMatchObject({ refulfilled: false, sent_to: 'fox.mulder@example.com' });
    expect(seen.order[0]!.data.order).toMatchObject({ payment: 'new_card' });
    // Every event has its own webhook-id.
    const ids = Object.values(seen).map(([e]) => e!.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps a delivery log, filters by event type, and signs with a rotated secret from then on', async () => {
    const log = JSON.parse((await admin('webhook', 'deliveries', '--id', endpoint.id, '--state', 'delivered', '--limit', '5', '--json')).stdout);
    expect(log.length).toBeGreaterThan(0);
    expect(log[0]).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 204, webhookId: expect.stringMatching(/^msg_/) });

    const rotated = JSON.parse((await admin('webhook', 'rotate-secret', '--id', endpoint.id, '--json')).stdout);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    const filtered = await startReceiver();
    try {
      const only = JSON.parse((await admin('webhook', 'add', '--company', 'acme', '--url', filtered.url, '--events', 'order.placed', '--json')).stdout);
      const before = receiver.requests.length;
      const order = await signedOrder(demo('acme').groupcommerce, sampleOrderForm());
      const { orderId } = (await order.json()) as { orderId: number };
      await until('the order on both endpoints', () =>
        verifiedEvents(filtered.requests, only.secret).some((e) => e.data.purchase.number === orderId) &&
        receiver.requests.slice(before).some((r) => JSON.parse(r.body).type === 'order.placed' && JSON.parse(r.body).data.purchase.number === orderId),
      );
      expect(verifiedEvents(filtered.requests, only.secret).map((e) => e.type)).toEqual(['order.placed']);
      // After the rotation, the new secret verifies and the old one does not.
      const latest = receiver.requests.slice(before);
      expect(() => verifiedEvents(latest, rotated.secret)).not.toThrow();
      expect(() => verifiedEvents(latest, endpoint.secret)).toThrow();
      endpoint.secret = rotated.secret;
      await admin('webhook', 'disable', '--id', only.id);
    } finally {
      await filtered.close();
    }
  });
});
