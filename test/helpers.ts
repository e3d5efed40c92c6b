/** What the integration tests share: the running platform's addresses and credentials, and ways to call it. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import { oauthHeader } from './oauth-client.ts';

export const stack = () => inject('stack');
export const demo = (slug: 'acme' | 'globex') => stack().demo[slug]!;

/** POSTs a form to the publisher order endpoint (or `options.path`), signed by an independent OAuth 1.0a client. */
export async function signedOrder(
  consumer: { consumerKey: string; consumerSecret: string },
  form: Record<string, string>,
  tamper: (init: { headers: Record<string, string>; body: string }) => void = () => {},
  options: { timestamp?: number; path?: string } = {},
): Promise<Response> {
  const url = `${stack().apis.groupcommerce}${options.path ?? '/api/v3/publisher/order'}`;
  const body = new URLSearchParams(form).toString();
  const init = {
    headers: { Authorization: oauthHeader(consumer, url, 'POST', body, options.timestamp), 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  };
  tamper(init);
  return fetch(url, { method: 'POST', ...init });
}

/** GETs a publisher path (query included in what is signed), signed by an independent OAuth 1.0a client. */
export async function signedGet(consumer: { consumerKey: string; consumerSecret: string }, pathAndQuery: string, headers: Record<string, string> = {}) {
  const url = `${stack().apis.groupcommerce}${pathAndQuery}`;
  return fetch(url, { headers: { Authorization: oauthHeader(consumer, url, 'GET', null), ...headers } });
}

/**
 * What the card processor the platform runs names a charge and a kept card: the built-in test
 * processor's own ids, or Stripe's PaymentIntent and Customer/PaymentMethod ids. The publisher
 * order tests run against both (the integration-stripe project).
 */
export function processorIds(): { transaction: RegExp; cardToken: RegExp } {
  return stack().payments.processor === 'stripe'
    ? { transaction: /^pi_[\w-]+$/, cardToken: /^cus_[\w-]+\/pm_[\w-]+$/ }
    : { transaction: /^test_txn_/, cardToken: /^test_tok_/ };
}

/** Runs the admin CLI against the test database; resolves with its exit code and output. */
export async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['admin/index.ts', ...args, '--database-url', stack().databaseUrl],
      // LOCAL_DIR: the test platform's stack.json names this database, so it is local development.
      { env: { ...process.env, LOCAL_DIR: inject('localDir'), OAUTH_CONSUMER_SECRET_KEY: inject('oauthConsumerSecretKey') } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A superuser connection to the test database, closed by the caller. */
export async function superuser(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stack().databaseUrl });
  await client.connect();
  return client;
}

/**
 * The reference's sample order form, with a card that has not expired, for a company's demo offer
 * that does not ship (acme's 9035 by default), by a new consumer each time (so no two tests' orders
 * are duplicates of each other).
 */
export function sampleOrderForm(slug: 'acme' | 'globex' = 'acme'): Record<string, string> {
  const offer = demo(slug).groupcommerce.offers.find((o) => !o.requiresShipping)!;
  const consumer = `consumer-${randomUUID()}@example.com`;
  return {
    'ConsumerInfo.Email': consumer,
    'ConsumerInfo.UserKey': consumer,
    'ConsumerInfo.FirstName': 'consumer',
    'ConsumerInfo.LastName': 'test',
    'BillingInfo.NameOnCard': 'cardname',
    'BillingInfo.CardNumber': '4111111111111111',
    'BillingInfo.PaymentType': 'Unknown',
    'BillingInfo.CVV': '111',
    'BillingInfo.ExpirationMonth': '7',
    'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 3),
    'BillingInfo.BillingAddress': '628 Broadway',
    'BillingInfo.BillingCity': 'New York',
    'BillingInfo.BillingState': 'NY',
    'BillingInfo.BillingZip': '10010',
    'BillingInfo.StoreCreditCard': 'False',
    'OrderDetails[0].Quantity': '1',
    'OrderDetails[0].OfferId': String(offer.offerId),
    'OrderDetails[0].OfferOptionId': String(offer.offerOptionId),
    'OrderDetails[0].SegmentKey': offer.segmentKey,
    'OrderDetails[0].IsGift': 'False',
    UsePromotionalPrice: 'False',
  };
}

/** How many PostgREST requests the gateway forwarded for the API request with this X-Request-Id. */
export async function roundTrips(requestId: string): Promise<number> {
  const stats = await (await fetch(`${stack().supabase.url}/_platform/stats?request=${encodeURIComponent(requestId)}`)).json();
  return (stats as { request: number }).request;
}

/** The newest transaction id, for {@link companyWriters}. */
export async function currentTransaction(db: pg.Client): Promise<bigint> {
  return BigInt((await db.query<{ x: string }>('select txid_current()::text as x')).rows[0]!.x);
}

/**
 * How many transactions since `since` wrote (inserted or changed) rows of a company, in every table
 * with tenant data, told apart by the rows' xmin. Every API request writes in one transaction, so
 * requests sent side by side can be checked together: refused ones must add no writer.
 */
export async function companyWriters(db: pg.Client, companyId: string, since: bigint): Promise<number> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'ledger' and column_name = 'company_id' order by 1`,
  );
  const xmins = tables.map((t) => `select xmin::text::bigint as x from ledger.${t.table_name} where company_id = $1`).join(' union all ');
  // xmin is the 32-bit part of the transaction id.
  const { rows } = await db.query<{ n: number }>(`select count(distinct x)::int as n from (${xmins}) w where x > $2`, [companyId, String(since % 4294967296n)]);
  return rows[0]!.n;
}

/**
 * Every row a company has in the ledger, by table (each table with tenant data): what a refused
 * request of that company must leave as it was. Scoped to the company, so test files that write
 * for other companies at the same time cannot move it.
 */
export async function companyFootprint(db: pg.Client, companyId: string): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'ledger' and column_name = 'company_id' order by 1`,
  );
  const counts = tables.map((t) => `'${t.table_name}', (select count(*) from ledger.${t.table_name} where company_id = $1)::int`).join(', ');
  const { rows } = await db.query<{ footprint: Record<string, number> }>(`select jsonb_build_object(${counts}) as footprint`, [companyId]);
  return rows[0]!.footprint;
}
