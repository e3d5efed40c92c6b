/**
 * Every table that holds tenant data, acting as the workers' role: another company sees none of
 * a company's rows and can change none of them; the owner does see them (so the check can fail).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialClaims } from '../../shared/auth/credentials.ts';
import { workerAudience } from '../../shared/db/client.ts';
import { demoChannels, demoLeads } from '../../platform/demo.ts';
import { startReceiver, until, type Receiver } from '../../test/deliveries-helpers.ts';
import { admin, demo, signedOrder, stack, superuser } from '../../test/helpers.ts';

let db: pg.Client;
const claims: Record<'acme' | 'globex', object> = { acme: {}, globex: {} };
let receiver: Receiver;
let endpointId: string | undefined;

beforeAll(async () => {
  db = await superuser();
  // A webhook endpoint, so the purchases below leave events, deliveries and attempts.
  receiver = await startReceiver();
  const added = await admin('webhook', 'add', '--company', 'acme', '--url', receiver.url, '--events', 'purchase.created', '--json');
  expect(added.code, added.stderr).toBe(0);
  endpointId = JSON.parse(added.stdout).id;
  for (const slug of ['acme', 'globex'] as const) {
    claims[slug] = { aud: workerAudience, ...(await credentialClaims({ kind: 'operations_api_key', secret: demo(slug).operations.apiKey })) };
  }
  // Give acme a row in every purchase table: a purchase with a product, rewards and an idempotency key.
  const res = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
    method: 'POST',
    headers: { 'X-Api-Key': demo('acme').operations.apiKey, 'Idempotency-Key': `isolation-${Date.now()}` },
    body: JSON.stringify({
      action: 'create_purchase',
      lead_id: demoLeads.acmeDirect,
      product_id: demo('acme').operations.productIds[0],
      purchase_amount: 10,
    }),
  });
  expect(res.status).toBe(201);
  // And a Lumen purchase of each model: a customer, a shipment, an account setup.
  for (const fulfillment of [true, false]) {
    const lumen = await fetch(`${stack().apis.lumen}/partners/v1/purchases`, {
      method: 'POST',
      headers: { 'X-Partner-Api-Key': demo('acme').lumen.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        partnerPurchaseId: `isolation-${fulfillment}-${Date.now()}`,
        fulfillment,
        customer: { email: 'isolated@example.com', firstName: 'Iso', lastName: 'Lated' },
        items: [{ productId: 'LMN_123456', quantity: 1 }],
        shippingAddress: { address1: '1 Way', city: 'Town', state: 'ST', zip: '12345', countryCode: 'US', phone: '5550000000' },
      }),
    });
    expect(lumen.status).toBe(201);
  }
  // And an email in the outbox, from a DPD reactivation.
  const reactivated = await fetch(`${stack().apis.dpd}/purchases/1002/reactivate`, {
    method: 'POST',
    headers: { Authorization: `Basic ${btoa(`acme:${demo('acme').dpd.password}`)}` },
  });
  expect(reactivated.status).toBe(200);
  // And a publisher order paid with the demo consumer's stored card and credits: order, details,
  // credits spent and earned, and its charge attempt.
  const order = await signedOrder(demo('acme').groupcommerce, {
    'ConsumerInfo.UserKey': 'consumertest@example.com',
    'BillingInfo.StoredCreditCardId': '8b2e4c6d-0f1a-4b3c-9d5e-7f8a9b0c1d01',
    'OrderDetails[0].OfferId': '9035', 'OrderDetails[0].OfferOptionId': '9123', 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': 'new-york',
    AllowDuplicatePurchase: 'True',
  });
  expect(order.status).toBe(200);
  await until('a logged webhook attempt', async () =>
    (await db.query('select 1 from ledger.webhook_attempts a join ledger.webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1', [endpointId])).rowCount,
  );
});
afterAll(async () => {
  if (endpointId) await admin('webhook', 'disable', '--id', endpointId);
  await receiver?.close();
  await db?.end();
});

async function asCompany(slug: 'acme' | 'globex', sql: string): Promise<pg.QueryResult> {
  await db.query('begin');
  try {
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims[slug])]);
    await db.query('set local role purchases_api');
    return await db.query(sql);
  } finally {
    await db.query('rollback');
  }
}

const acme = '10b33439-dc1c-488d-a348-5601ee382b58';
/** Each tenant table, a filter that selects rows only acme may see, and a column to try to change. */
const tables: Array<[table: string, acmeRows: string, column: string]> = [
  ['companies', `id = '${acme}'`, 'name'],
  ['channels', `id = '${demoChannels.acmeDirect.id}'`, 'name'],
  ['channel_access', `company_id = '${acme}'`, 'granted_at'],
  ['leads', `channel_id = '${demoChannels.acmeDirect.id}'`, 'email'],
  ['products', `company_id = '${acme}'`, 'name'],
  ['purchases', `company_id = '${acme}'`, 'description'],
  ['purchase_items', `company_id = '${acme}'`, 'quantity'],
  ['purchase_events', `company_id = '${acme}'`, 'amount'],
  ['reward_triggers', `channel_id = '${demoChannels.acmeDirect.id}'`, 'active'],
  ['reward_events', `company_id = '${acme}'`, 'amount'],
  ['idempotency_keys', `company_id = '${acme}'`, 'response'],
  ['customers', `company_id = '${acme}'`, 'first_name'],
  ['shipments', `company_id = '${acme}'`, 'status'],
  ['account_setups', `company_id = '${acme}'`, 'status'],
  ['lumen_partnerships', `company_id = '${acme}'`, 'rate_limit'],
  ['lumen_product_grants', `company_id = '${acme}'`, 'product_id'],
  ['lumen_audience_segments', `company_id = '${acme}'`, 'segment'],
  ['request_limits', `company_id = '${acme}'`, 'requests'],
  ['storefronts', `company_id = '${acme}'`, 'name'],
  ['purchase_custom_fields', `company_id = '${acme}'`, 'response'],
  ['purchase_coupons', `company_id = '${acme}'`, 'code'],
  ['email_outbox', `company_id = '${acme}'`, 'to_address'],
  ['offers', `company_id = '${acme}'`, 'name'],
  ['offer_options', `company_id = '${acme}'`, 'price'],
  ['offer_segments', `company_id = '${acme}'`, 'segment_key'],
  ['promo_codes', `company_id = '${acme}'`, 'amount'],
  ['stored_cards', `company_id = '${acme}'`, 'brand'],
  ['credit_rules', `company_id = '${acme}'`, 'amount'],
  ['publisher_orders', `company_id = '${acme}'`, 'charge_amount'],
  ['publisher_order_details', `company_id = '${acme}'`, 'address'],
  ['consumer_credits', `company_id = '${acme}'`, 'remaining'],
  ['credit_spends', `company_id = '${acme}'`, 'amount'],
  ['charge_attempts', `company_id = '${acme}'`, 'status'],
  ['webhook_endpoints', `company_id = '${acme}'`, 'url'],
  ['webhook_events', `company_id = '${acme}'`, 'payload'],
  ['webhook_deliveries', `company_id = '${acme}'`, 'state'],
  ['webhook_attempts', `company_id = '${acme}'`, 'status'],
];

describe.each(tables)('ledger.%s', (table, acmeRows, column) => {
  it('shows acme its rows and globex none of them', async () => {
    const seen = async (slug: 'acme' | 'globex') =>
      Number((await asCompany(slug, `select count(*) as n from ledger.${table} where ${acmeRows}`)).rows[0].n);
    expect(await seen('acme')).toBeGreaterThan(0);
    expect(await seen('globex')).toBe(0);
  });

  it('lets globex change none of them', async () => {
    for (const sql of [
      `update ledger.${table} set ${column} = ${column} where ${acmeRows}`,
      `delete from ledger.${table} where ${acmeRows}`,
    ]) {
      const outcome = await asCompany('globex', sql).then(
        (result) => result.rowCount,
        (error: Error) => error.message,
      );
      // Either the role may not do it at all, or RLS leaves it nothing to do it to.
      expect(outcome === 0 || /permission denied/.test(String(outcome)), `${sql} → ${outcome}`).toBe(true);
    }
  });
});

describe('the list above', () => {
  it('names every ledger table the catalog shows with tenant data (a new one without a case fails here)', async () => {
    const { rows } = await db.query(
      `select distinct table_name from information_schema.columns
       where table_schema = 'ledger' and column_name in ('company_id', 'channel_id', 'credential_id') order by 1`,
    );
    const covered = new Set([...tables.map(([table]) => table), 'credentials', 'purchase_counts', 'purchase_filter_counts', 'oauth_nonces']);
    expect(rows.map((r) => r.table_name).filter((t) => !covered.has(t))).toEqual([]);
  });
});

describe('tables the workers never touch directly', () => {
  it('refuse the workers\' role outright', async () => {
    for (const table of ['credentials', 'purchase_counts', 'purchase_filter_counts', 'oauth_nonces']) {
      await expect(asCompany('globex', `select * from ledger.${table}`), table).rejects.toThrow(/permission denied/);
    }
  });
});

describe('writes for another company', () => {
  it('are refused by the policies, whatever the worker asks', async () => {
    const acmePurchase = (await db.query(`select id from ledger.purchases where company_id = '${acme}' limit 1`)).rows[0].id;
    const attempts = [
      `insert into ledger.purchases (company_id, source, currency, total) values ('${acme}', 'operations', 'USD', 1)`,
      `insert into ledger.purchases (company_id, source, lead_id, channel_id, currency) values ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'operations', '${demoLeads.acmeDirect}', '${demoChannels.acmeDirect.id}', 'USD')`,
      `insert into ledger.idempotency_keys (company_id, key, action, request_hash, response) values ('${acme}', 'k', 'x', '${'0'.repeat(64)}', '{}')`,
      `insert into ledger.purchase_events (company_id, purchase_id, currency) select company_id, id, currency from ledger.purchases limit 1`,
      `insert into ledger.customers (company_id, email) values ('${acme}', 'planted@example.com')`,
      `insert into ledger.shipments (company_id, purchase_id) values ('${acme}', '${acmePurchase}')`,
      `insert into ledger.shipments (company_id, purchase_id) values ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', '${acmePurchase}')`,
      `insert into ledger.reward_events (company_id, purchase_id, trigger_id, reward_type, amount, currency) values ('${acme}', gen_random_uuid(), gen_random_uuid(), 'fixed', 1, 'USD')`,
      `insert into ledger.publisher_orders (purchase_id, company_id, customer_id, fingerprint, subtotal, discount, credit_value_used, charge_amount, use_promotional_price, payment, send_email)
         values ('${acmePurchase}', '${acme}', gen_random_uuid(), 'x', 1, 0, 0, 1, false, 'none', false)`,
      `insert into ledger.consumer_credits (company_id, customer_id, amount, remaining, currency, status) select company_id, id, 100, 100, 'USD', 'available' from ledger.customers limit 1`,
      `insert into ledger.stored_cards (company_id, customer_id, processor_token, brand, last4, expiry_month, expiry_year) values ('${acme}', gen_random_uuid(), 't', 'Visa', '1111', 1, 2030)`,
      `insert into ledger.purchase_coupons (purchase_id, company_id, position, name, code, discount_amount, discount_type) values ('${acmePurchase}', '${acme}', 99, 'x', 'x', 1, 'money')`,
      `insert into ledger.charge_attempts (company_id, credential_id, user_key, content, ordered, allow_duplicates, amount, currency, credit_value_used) values ('${acme}', gen_random_uuid(), 'k', 'x', '{}', false, 1, 'USD', 0)`,
      `insert into ledger.purchase_coupons (purchase_id, company_id, position, name, code, discount_amount, discount_type) values ('${acmePurchase}', '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 99, 'x', 'x', 1, 'money')`,
    ];
    for (const sql of attempts) {
      await expect(asCompany('globex', sql), sql).rejects.toThrow(/row-level security|permission denied/);
    }
  });

  it("refuse a purchase of one's own that names another company's lead or storefront (the worker checked it too)", async () => {
    const globex = '423ebb6d-84c4-4f41-9b9e-d0595fdc616c';
    const acmeStorefront = (await db.query(`select id from ledger.storefronts where company_id = '${acme}' limit 1`)).rows[0].id;
    const globexPurchase = (await db.query(`select id from ledger.purchases where company_id = '${globex}' limit 1`)).rows[0].id;
    for (const sql of [
      `insert into ledger.purchases (company_id, source, lead_id) values ('${globex}', 'operations', '${demoLeads.acmeDirect}')`,
      `insert into ledger.purchases (company_id, source, storefront_id) values ('${globex}', 'dpd', '${acmeStorefront}')`,
      `update ledger.purchases set storefront_id = '${acmeStorefront}' where id = '${globexPurchase}'`,
    ]) {
      // The update is refused by the column grants before the policy is asked.
      await expect(asCompany('globex', sql), sql).rejects.toThrow(/row-level security|permission denied/);
    }
  });

  it("compose no email from another company's purchase, though the function reads with the owner's rights", async () => {
    const acmePurchase = (await db.query(`select id from ledger.purchases where company_id = '${acme}' limit 1`)).rows[0].id;
    const globexPurchase = (await db.query(`select id from ledger.purchases where company_id = '423ebb6d-84c4-4f41-9b9e-d0595fdc616c' limit 1`)).rows[0].id;
    const content = async (purchase: string) =>
      (await asCompany('globex', `select private.email_content('purchase_reactivated', '${purchase}', 'x@example.com') as c`)).rows[0].c;
    expect(await content(acmePurchase)).toBeNull();
    expect(await content(globexPurchase)).toMatchObject({ purchase: expect.any(Object) });
  });
});
