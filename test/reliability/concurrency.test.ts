/**
 * Every path that must not duplicate, under 50 concurrent identical requests: exactly the
 * documented outcome (one purchase, one set of events, rewards and credits; the rest the
 * documented answer), and rate-limit counters that let exactly the limit through.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, demo, stack, superuser } from '../helpers.ts';
import { oauthHeader } from '../oauth-client.ts';
import { createTestCompany } from './company.ts';
import { endpoints } from './requests.ts';
import { record } from './report.ts';

const N = 50;
let db: pg.Client;
beforeAll(async () => {
  db = await superuser();
});
afterAll(async () => db?.end());

const count = async (sql: string, values: unknown[]) => Number((await db.query(sql, values)).rows[0].n);
const acme = () => demo('acme');
const burst = <T>(send: () => Promise<T>) => Promise.all(Array.from({ length: N }, send));
const statuses = (answers: Array<{ status: number }>) =>
  answers.reduce<Record<number, number>>((tally, { status }) => ({ ...tally, [status]: (tally[status] ?? 0) + 1 }), {});

describe(`${N} concurrent identical requests`, () => {
  it('Lumen partnerPurchaseId: one purchase, the rest 409 DUPLICATE_PURCHASE', async () => {
    const lumen = endpoints.find((e) => e.api === 'lumen')!;
    const body = lumen.validBody(acme())!;
    const answers = await burst(() => lumen.send(stack(), acme(), { body }));
    expect(statuses(answers)).toEqual({ 201: 1, 409: N - 1 });
    for (const a of answers.filter((a) => a.status === 409)) expect(await a.json()).toMatchObject({ error: { code: 'DUPLICATE_PURCHASE' } });
    const created = await count(`select count(*) as n from ledger.purchases where source = 'lumen' and external_id = $1`, [JSON.parse(body).partnerPurchaseId]);
    expect(created).toBe(1);
    record('concurrency', { path: 'Lumen partnerPurchaseId', concurrent: N, created, expected: 1 });
  });

  it('Kit transaction_id: one purchase, created once and updated by the rest', async () => {
    const kit = endpoints.find((e) => e.api === 'kit' && e.write)!;
    const body = kit.validBody(acme())!;
    const answers = await burst(() => kit.send(stack(), acme(), { body }));
    expect(statuses(answers)).toEqual({ 201: 1, 200: N - 1 });
    const ids = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as { purchase: { id: number } }).purchase.id)));
    expect(ids.size).toBe(1);
    const created = await count(`select count(*) as n from ledger.purchases where source = 'kit' and external_id = $1`, [JSON.parse(body).purchase.transaction_id]);
    expect(created).toBe(1);
    record('concurrency', { path: 'Kit transaction_id', concurrent: N, created, expected: 1 });
  });

  it('operations Idempotency-Key: one purchase, one event, one set of rewards, the same answer to all', async () => {
    const operations = endpoints.find((e) => e.api === 'operations' && e.write)!;
    const key = `burst-${randomUUID()}`;
    const body = operations.validBody(acme())!;
    const answers = await burst(() => operations.send(stack(), acme(), { body, headers: { 'Idempotency-Key': key } }));
    expect(statuses(answers)).toEqual({ 201: N });
    const bodies = new Set(await Promise.all(answers.map((a) => a.text())));
    expect(bodies.size).toBe(1);
    const id = (JSON.parse([...bodies][0]!) as { purchase: { id: string } }).purchase.id;
    const created = await count('select count(*) as n from ledger.idempotency_keys where key = $1', [key]);
    expect(created).toBe(1);
    expect(await count('select count(*) as n from ledger.purchase_events where purchase_id = $1', [id])).toBe(1);
    const triggers = await count(`select count(*) as n from ledger.reward_triggers t join ledger.leads l on l.channel_id = t.channel_id
      where l.id = $1 and t.active`, [acme().operations.leadIds[0]]);
    expect(await count('select count(*) as n from ledger.reward_events where purchase_id = $1', [id])).toBe(triggers);
    record('concurrency', { path: 'operations Idempotency-Key', concurrent: N, created, expected: 1 });
  });

  it('publisher duplicate detection: one order and one set of credits, the rest 409 naming it', async () => {
    const order = endpoints.find((e) => e.api === 'groupcommerce')!;
    const body = order.validBody(acme())!;
    // Each copy is signed anew (fresh nonce): only the duplicate rule can stop them.
    const answers = await burst(() => order.send(stack(), acme(), { body }));
    expect(statuses(answers)).toEqual({ 200: 1, 409: N - 1 });
    const placed = (await Promise.all(answers.map((a) => a.json() as Promise<{ orderId: number | null; duplicateOrderId: number | null }>)));
    const orderId = placed.find((p) => p.orderId)!.orderId;
    expect(placed.filter((p) => p.duplicateOrderId === orderId)).toHaveLength(N - 1);
    const userKey = new URLSearchParams(body).get('ConsumerInfo.UserKey');
    const created = await count('select count(*) as n from ledger.purchases p join ledger.customers c on c.id = p.customer_id where c.user_key = $1', [userKey]);
    expect(created).toBe(1);
    expect(await count('select count(*) as n from ledger.customers where user_key = $1', [userKey])).toBe(1);
    expect(await count(`select count(*) as n from ledger.consumer_credits cc join ledger.customers c on c.id = cc.customer_id where c.user_key = $1`, [userKey])).toBe(2);
    record('concurrency', { path: 'publisher duplicate detection', concurrent: N, created, expected: 1 });
  });

  it('OAuth nonces: one copy of a signed request goes through, the rest 401', async () => {
    const url = `${stack().apis.groupcommerce}/api/v3/publisher/consumer/creditcards?UserKey=consumertest%40example.com`;
    const authorization = oauthHeader(acme().groupcommerce, url, 'GET', null);
    const answers = await burst(() => fetch(url, { headers: { Authorization: authorization } }));
    expect(statuses(answers)).toEqual({ 200: 1, 401: N - 1 });
    record('concurrency', { path: 'OAuth nonce', concurrent: N, created: 1, expected: 1 });
  });
});

describe('status changes side by side', () => {
  it("DPD reactivations of the same purchases: every one answered, and the per-status counts still the purchases'", async () => {
    const company = await createTestCompany('counts', 'Counts Co', { unlimited: true });
    const kit = endpoints.find((e) => e.api === 'kit' && e.write)!;
    const kitCompany = { kit: { token: company.kitToken } } as unknown as Parameters<typeof kit.send>[1];
    const numbers = [company.purchaseNumber];
    for (let i = 0; i < 9; i++) {
      const res = await kit.send(stack(), kitCompany);
      expect(res.status).toBe(201);
      numbers.push(((await res.json()) as { purchase: { id: number } }).purchase.id);
    }
    const basic = `Basic ${btoa(`${company.dpdUser}:${company.dpdPassword}`)}`;
    const reactivate = (n: number) => fetch(`${stack().apis.dpd}/purchases/${n}/reactivate`, { method: 'POST', headers: { Authorization: basic } });
    const tally: Record<number, number> = {};
    for (let round = 0; round < 4; round++) {
      // Half the purchases refunded (a change to paid), half already paid (no change), each reactivated 4 times at once.
      await db.query(`update ledger.purchases set status = case when number % 2 = 0 then 'refunded' else 'paid' end where company_id = $1`, [company.id]);
      const answers = await Promise.all(numbers.flatMap((n) => Array.from({ length: 4 }, () => reactivate(n))));
      for (const a of answers) tally[a.status] = (tally[a.status] ?? 0) + 1;
    }
    expect(tally).toEqual({ 200: numbers.length * 16 });
    const counted = (await db.query(`select status, sum(n)::int as n from ledger.purchase_counts where company_id = $1 group by status having sum(n) <> 0 order by status`, [company.id])).rows;
    const actual = (await db.query(`select status, count(*)::int as n from ledger.purchases where company_id = $1 group by status order by status`, [company.id])).rows;
    expect(counted).toEqual(actual);
    record('concurrency', { path: 'DPD reactivations (status counters)', concurrent: numbers.length * 4, created: 0, expected: 0 });
  });
});

describe('rate-limit counters under concurrency', () => {
  it('Lumen lets exactly the partnership\'s limit through', async () => {
    const slug = `rl-burst-${Date.now()}`;
    const ok = async (...args: string[]) => expect((await admin(...args)).code).toBe(0);
    await ok('company', 'create', '--slug', slug, '--name', 'Burst');
    const { apiKey } = JSON.parse((await admin('credential', 'issue', 'lumen', '--company', slug, '--json')).stdout);
    await ok('partnership', 'set', '--company', slug, '--partner-fulfilled', 'yes', '--rate-limit', '10', '--rate-window', '300');
    const send = () => fetch(`${stack().apis.lumen}/partners/v1/purchases`, { method: 'POST', headers: { 'X-Partner-Api-Key': apiKey, 'Content-Type': 'application/json' }, body: '{}' });
    // The first request teaches the limiter the partnership's limit; it counts as one of the ten.
    expect((await send()).status).toBe(400);
    const answers = await burst(send);
    expect(statuses(answers)).toEqual({ 400: 9, 429: N - 9 });
    record('concurrency', { path: 'Lumen rate limit (10)', concurrent: N, created: 9, expected: 9 });
  });

  it('Kit lets exactly 600 requests a minute through for one token', async () => {
    const slug = `kit-burst-${Date.now()}`;
    expect((await admin('company', 'create', '--slug', slug, '--name', 'Kit Burst')).code).toBe(0);
    const { token } = JSON.parse((await admin('credential', 'issue', 'kit', '--company', slug, '--json')).stdout);
    const send = () => fetch(`${stack().apis.kit}/v4/purchases?per_page=1`, { headers: { Authorization: `Bearer ${token}` } });
    const answers: Response[] = [];
    for (let round = 0; round < 13; round++) answers.push(...(await burst(send)));
    expect(statuses(answers)).toEqual({ 200: 600, 429: 13 * N - 600 });
    record('concurrency', { path: 'Kit rate limit (600)', concurrent: N, created: 600, expected: 600 });
  });
});
