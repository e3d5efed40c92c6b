/**
 * The operations function through the full stack: create_purchase exactly as the reference
 * documents it, its events and rewards to the cent, two companies sharing a channel, bad input
 * writing nothing, Idempotency-Key replays (concurrent ones included), and the read actions.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoChannels, demoLeads } from '../platform/demo.ts';
import { companyFootprint, demo, roundTrips, stack, superuser } from './helpers.ts';

type Slug = 'acme' | 'globex';
const acmeProduct = () => demo('acme').operations.productIds[0]!;
const globexProduct = () => demo('globex').operations.productIds[0]!;

async function call(slug: Slug | null, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(slug ? { 'X-Api-Key': demo(slug).operations.apiKey } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

/** acme's rows in every ledger table, to prove a refused request wrote nothing. */
const ledgerCounts = () => companyFootprint(db, demo('acme').companyId);

async function rewardsOf(slug: Slug, purchaseId: string) {
  const { body } = await call(slug, { action: 'list_reward_events', purchase_id: purchaseId });
  return (body.reward_events as Array<{ trigger_id: string; reward_type: string; amount: number; currency: string }>)
    .map(({ trigger_id, reward_type, amount, currency }) => ({ trigger_id, reward_type, amount, currency }))
    .sort((a, b) => a.trigger_id.localeCompare(b.trigger_id));
}

describe('create_purchase', () => {
  it('records the purchase as the reference shows, in one round trip to the database', async () => {
    // A credential is verified once a minute per isolate with one more call: verified now, the
    // request below is the purchase's own round trip only.
    await call('acme', { action: 'list_purchases', lead_id: demoLeads.partnerNetworkAda, limit: 1 });
    const requestId = `ops-${Date.now()}-round-trip`;
    const res = await call('acme', {
      action: 'create_purchase',
      lead_id: demoLeads.partnerNetworkAda,
      product_id: acmeProduct(),
      purchase_amount: 12500,
      date: '2025-04-01T00:00:00.000Z',
      description: 'Annual subscription',
    }, { 'X-Request-Id': requestId });
    expect(await roundTrips(requestId)).toBe(1);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['purchase']);
    expect(res.body.purchase).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      leads_id: demoLeads.partnerNetworkAda,
      products_id: acmeProduct(),
      purchase_amount: 12500,
      date: '2025-04-01T00:00:00.000Z',
      description: 'Annual subscription',
    });
    const { rows } = await db.query('select amount::text, currency from ledger.purchase_events where purchase_id = $1', [res.body.purchase.id]);
    expect(rows).toEqual([{ amount: '12500.00', currency: 'USD' }]);
  });

  it('pays every active trigger of the channel: fixed amounts as configured, percentages to the cent', async () => {
    const shared = await call('acme', { action: 'create_purchase', lead_id: demoLeads.partnerNetworkBen, purchase_amount: 123.45 });
    // Partner Network: 25.00 fixed and 5 % (123.45 × 5 % = 6.1725 → 6.17).
    expect(await rewardsOf('acme', shared.body.purchase.id)).toEqual([
      { trigger_id: '805ff69a-9a02-42e2-a206-4f93931d0b7d', reward_type: 'percentage', amount: 6.17, currency: 'USD' },
      { trigger_id: 'b585f555-9465-4926-96d3-c2908b3b88c0', reward_type: 'fixed', amount: 25, currency: 'USD' },
    ]);
    // Acme Direct: 7.5 % of 19.99 = 1.49925 → 1.50.
    const direct = await call('acme', { action: 'create_purchase', lead_id: demoLeads.acmeDirect, purchase_amount: 19.99 });
    expect(await rewardsOf('acme', direct.body.purchase.id)).toEqual([
      { trigger_id: '78cfe44f-21ec-4665-9a01-ee3f853a8fac', reward_type: 'percentage', amount: 1.5, currency: 'USD' },
    ]);
    // Globex Europe: 12.5 % of 0.04 = 0.005 → 0.01 (halves away from zero); its inactive fixed trigger pays nothing.
    const europe = await call('globex', { action: 'create_purchase', lead_id: demoLeads.globexEurope, purchase_amount: 0.04 });
    expect(await rewardsOf('globex', europe.body.purchase.id)).toEqual([
      { trigger_id: '0765287a-0fb6-4c75-8e0e-0cdb5a9306e9', reward_type: 'percentage', amount: 0.01, currency: 'EUR' },
    ]);
  });

  it('computes with exact decimals where floating point would drift', async () => {
    // 0.1 + 0.2 style trap: 5 % of 1234567.89 = 61728.3945 → 61728.39; a double gives 61728.394500000002.
    const res = await call('acme', { action: 'create_purchase', lead_id: demoLeads.partnerNetworkAda, purchase_amount: 1234567.89 });
    const rewards = await rewardsOf('acme', res.body.purchase.id);
    expect(rewards.map((r) => r.amount)).toEqual([61728.39, 25]);
    const { rows } = await db.query('select total::text from ledger.purchases where id = $1', [res.body.purchase.id]);
    expect(rows[0].total).toBe('1234567.89');
  });

  it('defaults the date to now, takes a date alone as midnight UTC, and allows no amount', async () => {
    const started = Date.now();
    const now = await call('acme', { action: 'create_purchase', lead_id: demoLeads.acmeDirect });
    expect(now.status).toBe(201);
    expect(Date.parse(now.body.purchase.date)).toBeGreaterThanOrEqual(started - 5000);
    expect(now.body.purchase).toMatchObject({ purchase_amount: null, products_id: null, description: null });
    // No amount: the fixed trigger still pays, the percentage one has nothing to compute from.
    const dated = await call('acme', { action: 'create_purchase', lead_id: demoLeads.partnerNetworkAda, date: '2024-02-29' });
    expect(dated.body.purchase.date).toBe('2024-02-29T00:00:00.000Z');
    expect((await rewardsOf('acme', dated.body.purchase.id)).map((r) => r.reward_type)).toEqual(['fixed']);
  });
});

describe('the reference\'s errors, exactly', () => {
  const cases: Array<[string, Slug | null, Record<string, string>, unknown, number, string]> = [
    ['no lead_id', 'acme', {}, { action: 'create_purchase' }, 400, 'lead_id required'],
    ['no API key', null, {}, { action: 'create_purchase', lead_id: demoLeads.acmeDirect }, 401, 'Invalid API key'],
    ['a wrong API key', null, { 'X-Api-Key': 'ops_demo_wrong' }, { action: 'create_purchase', lead_id: demoLeads.acmeDirect }, 401, 'Invalid API key'],
    ['a lead of a channel without access', 'acme', {}, { action: 'create_purchase', lead_id: demoLeads.globexEurope }, 403, 'Lead not accessible'],
    ['a lead that does not exist', 'acme', {}, { action: 'create_purchase', lead_id: '00000000-0000-4000-8000-000000000000' }, 403, 'Lead not accessible'],
    ['another company\'s product', 'acme', {}, { action: 'create_purchase', lead_id: demoLeads.partnerNetworkAda, product_id: '1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb' }, 403, 'Product not found or not owned by your company'],
    ['a product that does not exist', 'acme', {}, { action: 'create_purchase', lead_id: demoLeads.partnerNetworkAda, product_id: '00000000-0000-4000-8000-000000000000' }, 403, 'Product not found or not owned by your company'],
  ];

  it.each(cases)('%s', async (_name, slug, headers, body, status, error) => {
    const before = await ledgerCounts();
    const res = await call(slug, body, headers);
    expect([res.status, res.body]).toEqual([status, { error }]);
    expect(await ledgerCounts()).toEqual(before);
  });
});

describe('other bad input', () => {
  const lead = demoLeads.acmeDirect;
  const cases: Array<[string, unknown, RegExp]> = [
    ['lead_id not a uuid', { action: 'create_purchase', lead_id: 'lead-1' }, /^lead_id must be a UUID$/],
    ['product_id not a uuid', { action: 'create_purchase', lead_id: lead, product_id: 7 }, /^product_id must be a UUID$/],
    ['a negative amount', { action: 'create_purchase', lead_id: lead, purchase_amount: -1 }, /^purchase_amount must not be negative$/],
    ['an amount as a string', { action: 'create_purchase', lead_id: lead, purchase_amount: '12.50' }, /^purchase_amount must be a number$/],
    ['an amount past the ledger', `{"action":"create_purchase","lead_id":"${lead}","purchase_amount":1e309}`, /^purchase_amount /],
    ['fractions of a cent', { action: 'create_purchase', lead_id: lead, purchase_amount: 1.005 }, /^purchase_amount must have at most 2 decimal places$/],
    ['a date that is not a timestamp', { action: 'create_purchase', lead_id: lead, date: 'next tuesday' }, /^date must be an ISO 8601 timestamp/],
    ['an impossible date', { action: 'create_purchase', lead_id: lead, date: '2025-02-30T00:00:00Z' }, /^date must be an ISO 8601 timestamp/],
    ['a description that is not text', { action: 'create_purchase', lead_id: lead, description: { x: 1 } }, /^description must be a string$/],
    ['a NUL character', { action: 'create_purchase', lead_id: lead, description: 'a\u0000b' }, /^description must be text without NUL/],
    ['a lone surrogate', `{"action":"create_purchase","lead_id":"${lead}","description":"\\ud800"}`, /^description must be text without NUL/],
    ['an unknown field', { action: 'create_purchase', lead_id: lead, amount: 5 }, /^amount is not a known field$/],
    ['a body that is not JSON', '{"action": "create_purchase",', /not valid JSON/],
    ['a JSON array', '[1,2]', /must be a JSON object/],
    ['no action', { lead_id: lead }, /^action required \(valid actions: create_purchase, get_purchase, list_purchases, list_reward_events\)$/],
    ['an unknown action', { action: 'delete_everything' }, /^Unknown action "delete_everything" \(valid actions: create_purchase, /],
    ['an action that is not a string', { action: ['create_purchase'] }, /^Unknown action/],
  ];

  it.each(cases)('%s gets 400 naming the problem and writes nothing', async (_name, body, error) => {
    const before = await ledgerCounts();
    const res = await call('acme', body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toMatch(error);
    expect(await ledgerCounts()).toEqual(before);
  });

  it('checks the key before the body: a wrong key with a bad body is 401', async () => {
    const res = await call(null, '{not json', { 'X-Api-Key': 'ops_demo_wrong' });
    expect([res.status, res.body]).toEqual([401, { error: 'Invalid API key' }]);
  });

  it('answers a body over 64 KB with 413', async () => {
    const res = await call('acme', { action: 'create_purchase', lead_id: lead, description: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than 64 KB/);
  });
});

describe('two companies on a shared channel', () => {
  it('both record against its leads, and each sees only its own purchases and rewards', async () => {
    const lead = demoLeads.partnerNetworkBen;
    const acme = await call('acme', { action: 'create_purchase', lead_id: lead, purchase_amount: 10 });
    const globex = await call('globex', { action: 'create_purchase', lead_id: lead, product_id: globexProduct(), purchase_amount: 20 });
    expect([acme.status, globex.status]).toEqual([201, 201]);

    const acmeList = await call('acme', { action: 'list_purchases', lead_id: lead, limit: 100 });
    const globexList = await call('globex', { action: 'list_purchases', lead_id: lead, limit: 100 });
    const ids = (list: any) => list.body.purchases.map((p: { id: string }) => p.id);
    expect(ids(acmeList)).toContain(acme.body.purchase.id);
    expect(ids(acmeList)).not.toContain(globex.body.purchase.id);
    expect(ids(globexList)).toContain(globex.body.purchase.id);
    expect(ids(globexList)).not.toContain(acme.body.purchase.id);

    expect(await rewardsOf('acme', globex.body.purchase.id)).toEqual([]);
    expect((await call('acme', { action: 'get_purchase', purchase_id: globex.body.purchase.id })).body).toEqual({ error: 'Purchase not found' });
    // A channel one company lacks stays closed to it both ways.
    expect((await call('globex', { action: 'create_purchase', lead_id: demoLeads.acmeDirect })).status).toBe(403);
    expect((await call('globex', { action: 'list_purchases', lead_id: demoLeads.acmeDirect })).body).toEqual({ error: 'Lead not accessible' });
  });
});

describe('Idempotency-Key', () => {
  const body = () => ({ action: 'create_purchase', lead_id: demoLeads.partnerNetworkAda, purchase_amount: 42.5, description: 'retry me' });

  it('replays the first response, creating nothing more, and refuses the key for another request', async () => {
    const key = `retry-${crypto.randomUUID()}`;
    const first = await call('acme', body(), { 'Idempotency-Key': key });
    const before = await ledgerCounts();
    const again = await call('acme', { ...body() }, { 'Idempotency-Key': key });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await ledgerCounts()).toEqual(before);

    const other = await call('acme', { ...body(), purchase_amount: 43 }, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatch(/already used with a different request/);
    // Keys belong to a company: another company's same key is its own.
    const globex = await call('globex', body(), { 'Idempotency-Key': key });
    expect(globex.status).toBe(201);
    expect(globex.body.purchase.id).not.toBe(first.body.purchase.id);
  });

  it('makes one purchase and one set of rewards out of 50 concurrent retries', async () => {
    const key = `burst-${crypto.randomUUID()}`;
    const before = await ledgerCounts();
    const answers = await Promise.all(Array.from({ length: 50 }, () => call('acme', body(), { 'Idempotency-Key': key })));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((a) => a.body.purchase.id)).size).toBe(1);
    const after = await ledgerCounts();
    expect(after.purchases! - before.purchases!).toBe(1);
    expect(after.purchase_events! - before.purchase_events!).toBe(1);
    expect(after.reward_events! - before.reward_events!).toBe(2);
  });

  it('keeps nothing for a refused request, and refuses an oversized key', async () => {
    const key = `refused-${crypto.randomUUID()}`;
    const refused = await call('acme', { action: 'create_purchase', lead_id: demoLeads.globexEurope }, { 'Idempotency-Key': key });
    expect(refused.status).toBe(403);
    const { rowCount } = await db.query('select 1 from ledger.idempotency_keys where key = $1', [key]);
    expect(rowCount).toBe(0);
    const long = await call('acme', body(), { 'Idempotency-Key': 'k'.repeat(256) });
    expect([long.status, long.body]).toEqual([400, { error: 'Idempotency-Key must be 1 to 255 characters' }]);
  });
});

describe('read actions', () => {
  it('get_purchase returns the purchase as create_purchase did; an unknown id is 404', async () => {
    const created = await call('globex', { action: 'create_purchase', lead_id: demoLeads.globexEurope, purchase_amount: 7, product_id: globexProduct() });
    const got = await call('globex', { action: 'get_purchase', purchase_id: created.body.purchase.id });
    expect([got.status, got.body]).toEqual([200, created.body]);
    const missing = await call('globex', { action: 'get_purchase', purchase_id: '00000000-0000-4000-8000-000000000000' });
    expect([missing.status, missing.body]).toEqual([404, { error: 'Purchase not found' }]);
  });

  it('list_purchases pages newest first with limit and starting_after', async () => {
    const lead = demoLeads.globexEurope;
    for (let i = 0; i < 3; i++) await call('globex', { action: 'create_purchase', lead_id: lead, purchase_amount: i + 1 });
    const all = (await call('globex', { action: 'list_purchases', lead_id: lead, limit: 100 })).body.purchases as Array<{ id: string; created_at: string }>;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const created = all.map((p) => p.created_at);
    expect([...created].sort().reverse()).toEqual(created);

    const first = await call('globex', { action: 'list_purchases', lead_id: lead, limit: 2 });
    expect(first.body.has_more).toBe(true);
    const second = await call('globex', { action: 'list_purchases', lead_id: lead, limit: 2, starting_after: first.body.purchases[1].id });
    expect([...first.body.purchases, ...second.body.purchases].map((p: { id: string }) => p.id)).toEqual(all.slice(0, 4).map((p) => p.id));
    expect((await call('globex', { action: 'list_purchases', lead_id: lead, limit: 101 })).status).toBe(400);
  });

  it('list_reward_events lists the caller\'s rewards for a lead', async () => {
    const res = await call('globex', { action: 'list_reward_events', lead_id: demoLeads.globexEurope });
    expect(res.status).toBe(200);
    expect(res.body.reward_events.length).toBeGreaterThan(0);
    for (const event of res.body.reward_events) expect(event).toMatchObject({ leads_id: demoLeads.globexEurope, currency: 'EUR' });
  });
});

describe('demo data in stack.json', () => {
  it('lists accessible leads, products, and leads the company cannot reach', () => {
    expect(demo('acme').operations).toMatchObject({
      leadIds: [demoLeads.partnerNetworkAda, demoLeads.partnerNetworkBen, demoLeads.acmeDirect],
      inaccessibleLeadIds: [demoLeads.globexEurope],
    });
    expect(demo('globex').operations.inaccessibleLeadIds).toEqual([demoLeads.acmeDirect]);
    expect(demoChannels.globexEurope.currency).toBe('EUR');
  });
});
