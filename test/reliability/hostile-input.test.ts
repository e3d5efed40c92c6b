/**
 * Hostile input, generated (fast-check), for every endpoint of the five APIs: wrong types, missing
 * and extra fields, huge strings and bodies, deep nesting, invalid UTF-8 and unusual unicode,
 * __proto__/constructor keys, numeric edge cases, SQL and header metacharacters, wrong content
 * types and methods. Every answer is a 4xx in the API's error shape (or a 2xx for an input that
 * happens to be valid), never a 5xx, and a refused request writes no row: the requests run one
 * at a time for a company of this file's own, whose rows are counted around each of them.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiName } from '../../platform/stack/config.ts';
import { admin, companyWriters, currentTransaction, stack, superuser } from '../helpers.ts';
import { createTestCompany, type TestCompany } from './company.ts';
import { oauthHeader } from '../oauth-client.ts';
import { isErrorShape } from './requests.ts';
import { record } from './report.ts';

/** Inputs per endpoint group: 9 groups × 1,112 ≥ 10,000 a run. */
const runs = Number(process.env.HOSTILE_RUNS ?? 1112);
/** Requests sent side by side; the company's writers are counted around each batch. */
const batchSize = 25;
/** The generator's seed: a failure names it, and HOSTILE_SEED replays that run's inputs. */
const seed = Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31);
let db: pg.Client;
let company: TestCompany;

beforeAll(async () => {
  db = await superuser();
  // Its requests are not rate-limited: every input reaches the code that reads it.
  company = await createTestCompany('hostile', 'Hostile Input Co', { unlimited: true });
  // Its mail is held, never sent: only its requests write its rows, so every writer is one of them.
  expect((await admin('company', 'set', '--slug', company.slug, '--mail-quota', '0')).code).toBe(0);
}, 120_000);
afterAll(async () => db?.end());

// ---------------------------------------------------------------------------------------------
// Hostile values, as raw JSON text (so 1e309, -0 and lone surrogates reach the server as written)
// ---------------------------------------------------------------------------------------------

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const rawNumbers = ['1e309', '-1e309', 'NaN', 'Infinity', '-Infinity', '-0', '9007199254740993', '0.1234567890123456789012345678901234567890', '-1', '1.005', '1e-7', '12.345', '0x10', '01', '.5', '1_000'];
const strings = [
  '', ' ', '\u0000', '\ud800', '\udfff', 'x'.repeat(70_000), "'; drop table ledger.purchases; --", '" or 1=1 --', '%00', '%s%n', '${jndi:ldap://x}',
  '\r\nX-Injected: 1', '<script>alert(1)</script>', '\u202egnp.exe', '\u200b\u200d\ufeff', 'Zoë Ånström', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧨', 'A\u0301', '../../etc/passwd', 'null', 'true', '2024-13-45T25:61:00Z',
];
const rawStrings = strings.map((s) => JSON.stringify(s).replace(/\\udfff/g, '\\udfff'));
const rawOthers = ['null', 'true', 'false', '[]', '{}', '[1,2,3]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', deep(2000), `[${'0,'.repeat(20_000)}0]`];

const hostileRaw: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...rawNumbers, ...rawStrings, ...rawOthers),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : 'null')),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);
const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', 'x'.repeat(5000), '\u0000', 'a.b', '[0]'), fc.string({ maxLength: 12 }));

/** Writes `value` as JSON, with each leaf equal to `marker` replaced by its raw text. */
function rawJson(value: unknown, marker: string, raw: string): string {
  return JSON.stringify(value).replace(JSON.stringify(marker), raw);
}

function getParent(body: any, path: string[]): any {
  return path.slice(0, -1).reduce((node, key) => (node == null ? node : node[key]), body);
}

/** Every field of a valid body, nested ones included: each is a place to put a hostile value. */
function fieldPaths(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [[...path, key], ...fieldPaths(inner, [...path, key])]);
}

type Built = { body: string | Uint8Array | null; contentType: string | null; method: string; query?: string; path?: string };

/** Mutations of a valid JSON body: replace a field, drop it, add one, or replace the whole body. */
function jsonMutations(valid: () => Record<string, unknown>, paths: string[][], method = 'POST', contentType = 'application/json'): fc.Arbitrary<Built> {
  const marker = `@@hostile-${randomUUID()}@@`;
  const replace = fc.tuple(fc.constantFrom(...paths), hostileRaw).map(([path, raw]) => {
    const body = structuredClone(valid()) as any;
    const parent = getParent(body, path);
    if (parent && typeof parent === 'object') parent[path.at(-1)!] = marker;
    return { body: rawJson(body, marker, raw), contentType, method };
  });
  const drop = fc.constantFrom(...paths).map((path) => {
    const body = structuredClone(valid()) as any;
    const parent = getParent(body, path);
    if (parent && typeof parent === 'object') delete parent[path.at(-1)!];
    return { body: JSON.stringify(body), contentType, method };
  });
  const extra = fc.tuple(fc.constantFrom([], ...paths.map((p) => p.slice(0, -1))), hostileKey, hostileRaw).map(([at, key, raw]) => {
    const body = structuredClone(valid()) as any;
    const node = at.reduce((n: any, k) => (n == null ? n : n[k]), body);
    const text = JSON.stringify(body);
    if (!node || typeof node !== 'object' || Array.isArray(node)) return { body: text, contentType, method };
    // Added as text, so a __proto__ key is a real key of the JSON the server reads.
    node[marker] = 0;
    return { body: JSON.stringify(body).replace(`${JSON.stringify(marker)}:0`, `${JSON.stringify(key)}:${raw}`), contentType, method };
  });
  const whole = fc.oneof(
    fc.constantFrom('', '{', '{"a":}', '[', 'null', '42', '"text"', '[]', deep(10_000), `{"x":"${'y'.repeat(100_000)}"}`, '{"a":1,"a":2}', '\ufeff{}'),
    fc.string({ unit: 'binary', maxLength: 200 }),
  ).map((text) => ({ body: text, contentType, method }));
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((junk) => {
    const valid_ = new TextEncoder().encode(JSON.stringify(valid()));
    // Invalid UTF-8 inside a string value: a lone continuation byte and an overlong form.
    const body = new Uint8Array([...valid_.slice(0, -1), ...new TextEncoder().encode(',"junk":"'), 0xc0, 0xaf, 0xff, ...junk.filter((b) => b !== 0x22 && b !== 0x5c), 0x22, 0x7d]);
    return { body, contentType, method };
  });
  const wrongType = fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', null).map((type) => ({
    body: JSON.stringify(valid()), contentType: type, method,
  }));
  const wrongMethod = fc.constantFrom('PUT', 'DELETE', 'PATCH', 'GET').map((m) => ({ body: m === 'GET' ? null : JSON.stringify(valid()), contentType, method: m }));
  return fc.oneof(replace, replace, replace, drop, extra, extra, whole, bytes, wrongType, wrongMethod);
}

/** Hostile query strings: unknown, repeated, huge and ill-encoded parameters, hostile values. */
function queryMutations(names: string[], method = 'GET'): fc.Arbitrary<Built> {
  // A lone surrogate cannot be percent-encoded as UTF-8: it goes as the bytes of one (invalid UTF-8).
  const encoded = (s: string) => {
    try {
      return encodeURIComponent(s.slice(0, 3000));
    } catch {
      return '%ED%A0%80';
    }
  };
  const value = fc.oneof(fc.constantFrom(...strings.map(encoded), '%zz', '%', '%E0%A4%A', '1e309', '-1', '0', 'NaN', '99999999999999999999', '@9999999999999', 'tomorrow', '2 days ago'),
    fc.string({ maxLength: 30 }).map(encodeURIComponent));
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...names), hostileKey.map(encodeURIComponent)), value).map(([n, v]) => `${n}=${v}`);
  return fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => ({ body: null, contentType: null, method, query: pairs.join('&') }));
}

/** Hostile path segments for endpoints that take an id in the path. */
const hostileIds = fc.oneof(
  fc.constantFrom('0', '-1', '1e3', '99999999999999999999', '9223372036854775808', 'abc', '%00', '..%2F..', '%E0%A4%A', 'x'.repeat(3000), '1;drop', '00000000-0000-0000-0000-000000000000'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent).filter((s) => s.length > 0),
);

// ---------------------------------------------------------------------------------------------
// The endpoints
// ---------------------------------------------------------------------------------------------

const lumenBody = () => ({
  partnerPurchaseId: `HOSTILE-${randomUUID()}`, fulfillment: true,
  customer: { email: 'hal@example.com', firstName: 'Hal', lastName: 'Ostile' },
  items: [{ productId: company.lumenProduct, quantity: 1 }],
  shippingAddress: { address1: '1 Way', address2: 'Apt 2', city: 'Town', state: 'ST', zip: '12345', countryCode: 'US', phone: '5550000000' },
  additionalInfo: { audienceSegment: 'none' }, properties: { k: 'v' },
});
const opsCreate = () => ({ action: 'create_purchase', lead_id: company.leadId, product_id: company.productId, purchase_amount: 10, date: '2025-01-01T00:00:00.000Z', description: 'x' });
const kitBody = () => ({
  purchase: { email_address: 'hal@example.com', transaction_id: `H-${randomUUID()}`, status: 'paid', currency: 'USD', transaction_time: '2025-01-01T00:00:00Z',
    subtotal: 10, tax: 1, shipping: 0, discount: 0, total: 11, products: [{ name: 'W', pid: 'p1', lid: 'l1', quantity: 1, unit_price: 10, sku: 's' }] },
});
const orderFields = () => ({
  'ConsumerInfo.UserKey': `hostile-${randomUUID()}`, 'ConsumerInfo.Email': 'hal@example.com', 'ConsumerInfo.FirstName': 'Hal', 'ConsumerInfo.LastName': 'Ostile',
  'BillingInfo.NameOnCard': 'Hal', 'BillingInfo.CardNumber': '4000000000000002', 'BillingInfo.CVV': '123', 'BillingInfo.ExpirationMonth': '12',
  'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 1), 'BillingInfo.BillingAddress': '1 Way', 'BillingInfo.BillingCity': 'Town',
  'BillingInfo.BillingState': 'ST', 'BillingInfo.BillingZip': '12345', 'OrderDetails[0].OfferId': String(company.offerId),
  'OrderDetails[0].OfferOptionId': String(company.optionId), 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': company.segment, PromoCodes: 'NOPE',
});

/** Form mutations: hostile values, names and encodings; each form is signed, so only the input is wrong. */
function formMutations(): fc.Arbitrary<Built> {
  const encode = (pairs: Array<[string, string]>) => pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  const value = fc.oneof(fc.constantFrom(...strings.filter((s) => !/[\ud800-\udfff]/.test(s)), 'True', 'maybe', '1e309', '-0', '32768', '-1', '2147483648'), fc.string({ maxLength: 40 }));
  const name = fc.oneof(
    fc.constantFrom(...Object.keys(orderFields())),
    fc.constantFrom('OrderDetails[99999999].OfferId', 'OrderDetails[-1].Quantity', 'OrderDetails[0][0].x', '__proto__.polluted', 'constructor[prototype]', 'a.b.c.d.e.f.g.h.i.j.k',
      'PurchaseTrackingInfo.AdditionalFields[0].Key', 'OrderDetails[0]', 'BillingInfo', '[0]', '.', 'ConsumerInfo..UserKey'),
    hostileKey,
  );
  const replaced = fc.tuple(fc.constantFrom(...Object.keys(orderFields())), value).map(([n, v]) => encode(Object.entries({ ...orderFields(), [n]: v })));
  const added = fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 5 }).map((extra) => encode([...Object.entries(orderFields()), ...extra]));
  const dropped = fc.constantFrom(...Object.keys(orderFields())).map((n) => encode(Object.entries(orderFields()).filter(([k]) => k !== n)));
  const rawText = fc.constantFrom('%zz=1', 'a=%E0%A4%A', '&&&', '=', 'x'.repeat(70_000), Array.from({ length: 3000 }, (_, i) => `f${i}=1`).join('&'), `${'a.'.repeat(500)}b=1`);
  return fc.oneof(replaced, replaced, added, added, dropped, rawText).map((body) => ({ body, contentType: 'application/x-www-form-urlencoded', method: 'POST' }));
}

interface HostileEndpoint {
  api: ApiName;
  name: string;
  /** Whether a request it accepts may write (reads accept without writing). */
  writes: boolean;
  inputs: () => fc.Arbitrary<Built>;
  send(built: Built): Promise<Response>;
}

const withType = (contentType: string | null): Record<string, string> => (contentType ? { 'Content-Type': contentType } : {});
const basic = () => `Basic ${Buffer.from(`${company.dpdUser}:${company.dpdPassword}`).toString('base64')}`;
const request = (url: string, built: Built, headers: Record<string, string>) =>
  fetch(url, { method: built.method, headers: { ...withType(built.contentType), ...headers }, ...(built.body === null ? {} : { body: built.body }), signal: AbortSignal.timeout(15_000) });

const hostileEndpoints: HostileEndpoint[] = [
  {
    api: 'lumen', name: 'POST /partners/v1/purchases', writes: true,
    inputs: () => jsonMutations(lumenBody, fieldPaths(lumenBody())),
    send: (built) => request(`${stack().apis.lumen}/partners/v1/purchases`, built, { 'X-Partner-Api-Key': company.lumenKey }),
  },
  {
    api: 'operations', name: 'create_purchase', writes: true,
    inputs: () => jsonMutations(opsCreate, fieldPaths(opsCreate())),
    send: (built) => request(`${stack().apis.operations}/functions/v1/openapi-operations`, built, { 'X-Api-Key': company.opsKey, 'Idempotency-Key': `h-${randomUUID()}` }),
  },
  {
    api: 'operations', name: 'read actions', writes: false,
    inputs: () => fc.oneof(
      jsonMutations(() => ({ action: 'list_purchases', lead_id: company.leadId, limit: 10, starting_after: '00000000-0000-4000-8000-000000000000' }), [['action'], ['lead_id'], ['limit'], ['starting_after']]),
      jsonMutations(() => ({ action: 'get_purchase', purchase_id: '00000000-0000-4000-8000-000000000000' }), [['purchase_id']]),
      jsonMutations(() => ({ action: 'list_reward_events', lead_id: company.leadId, purchase_id: '00000000-0000-4000-8000-000000000000' }), [['lead_id'], ['purchase_id']]),
    ),
    send: (built) => request(`${stack().apis.operations}/functions/v1/openapi-operations`, built, { 'X-Api-Key': company.opsKey }),
  },
  {
    api: 'kit', name: 'POST /v4/purchases', writes: true,
    inputs: () => jsonMutations(kitBody, fieldPaths(kitBody())),
    send: (built) => request(`${stack().apis.kit}/v4/purchases`, built, { Authorization: `Bearer ${company.kitToken}` }),
  },
  {
    api: 'kit', name: 'GET /v4/purchases and /v4/purchases/:id', writes: false,
    inputs: () => fc.oneof(queryMutations(['per_page', 'after', 'before', 'include_total_count']), hostileIds.map((id) => ({ body: null, contentType: null, method: 'GET', path: id }))),
    send: (built) => request(`${stack().apis.kit}/v4/purchases${built.path !== undefined ? `/${built.path}` : `?${built.query}`}`, built, { Authorization: `Bearer ${company.kitToken}` }),
  },
  {
    api: 'dpd', name: 'GET /purchases and /purchases/:id', writes: false,
    inputs: () => fc.oneof(
      queryMutations(['page', 'status', 'product_id', 'storefront_id', 'customer_id', 'subscriber_id', 'customer_email', 'customer_first_name', 'customer_last_name', 'date_min', 'date_max', 'total', 'total_op', 'ship']),
      hostileIds.map((id) => ({ body: null, contentType: null, method: 'GET', path: id })),
    ),
    send: (built) => request(`${stack().apis.dpd}/purchases${built.path !== undefined ? `/${built.path}` : `?${built.query}`}`, built, { Authorization: basic() }),
  },
  {
    api: 'dpd', name: 'POST /purchases/:id/reactivate', writes: true,
    inputs: () => fc.oneof(
      hostileIds.map((id) => ({ body: '', contentType: null, method: 'POST', path: id })),
      queryMutations(['customer_email', 'refulfill'], 'POST').map((b) => ({ ...b, path: String(company.purchaseNumber) })),
      jsonMutations(() => ({ customer_email: 'not an email', refulfill: 'maybe' }), [['customer_email'], ['refulfill']]).map((b) => ({ ...b, path: String(company.purchaseNumber) })),
    ),
    send: (built) => request(`${stack().apis.dpd}/purchases/${built.path}/reactivate${built.query ? `?${built.query}` : ''}`, built, { Authorization: basic() }),
  },
  {
    api: 'groupcommerce', name: 'POST /api/v3/publisher/order and /order/validate', writes: true,
    inputs: () => fc.tuple(formMutations(), fc.boolean()).map(([built, validate]) => ({ ...built, path: validate ? '/api/v3/publisher/order/validate' : '/api/v3/publisher/order' })),
    send: (built) => {
      const url = `${stack().apis.groupcommerce}${built.path}`;
      const signed = typeof built.body === 'string' && built.body.length < 65_536 ? built.body : null;
      return request(url, built, { Authorization: oauthHeader({ consumerKey: company.consumerKey, consumerSecret: company.consumerSecret }, url, 'POST', signed) });
    },
  },
  {
    api: 'groupcommerce', name: 'GET /api/v3/publisher/consumer/creditcards', writes: false,
    inputs: () => queryMutations(['UserKey', 'userkey', 'USERKEY']),
    send: (built) => {
      const url = `${stack().apis.groupcommerce}/api/v3/publisher/consumer/creditcards?${built.query}`;
      const consumer = { consumerKey: company.consumerKey, consumerSecret: company.consumerSecret };
      let authorization: string;
      try {
        authorization = oauthHeader(consumer, url, 'GET', null);
      } catch {
        // The client cannot sign a query it cannot decode; a hostile one sends it signed without.
        authorization = oauthHeader(consumer, url.split('?')[0]!, 'GET', null);
      }
      return request(url, built, { Authorization: authorization });
    },
  },
];

describe('hostile input', () => {
  it('is checked by a count that sees a write it did not expect', async () => {
    const since = await currentTransaction(db);
    expect(await companyWriters(db, company.id, since)).toBe(0);
    const { rows } = await db.query(`insert into ledger.customers (company_id, email) values ($1, 'stray@example.com') returning id`, [company.id]);
    expect(await companyWriters(db, company.id, since)).toBe(1);
    await db.query('delete from ledger.customers where id = $1', [rows[0].id]);
  });

  it.each(hostileEndpoints.map((e) => [`${e.api} ${e.name}`, e] as const))('%s: never a 5xx, always the API\'s error shape, and a refused request writes nothing', async (label, endpoint) => {
    const tally = { tried: 0, fiveHundreds: 0, rowsLeaked: 0, statuses: {} as Record<number, number>, seed };
    try {
      const inputs = fc.sample(endpoint.inputs(), { numRuns: runs, seed });
      for (let start = 0; start < inputs.length; start += batchSize) {
        const batch = inputs.slice(start, start + batchSize);
        const since = await currentTransaction(db);
        const answers = await Promise.all(
          batch.map(async (built) => {
            const res = await endpoint.send(built);
            return { built, status: res.status, text: await res.text() };
          }),
        );
        // Each accepted write is one writing transaction; a refused request that wrote adds one more.
        const writers = await companyWriters(db, company.id, since);
        const accepted = endpoint.writes ? answers.filter((a) => a.status < 400).length : 0;
        tally.tried += batch.length;
        for (const { built, status, text } of answers) {
          tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
          if (status >= 500) tally.fiveHundreds++;
          const sent = `${built.method} ${typeof built.body === 'string' ? built.body.slice(0, 300) : String(built.query ?? built.path ?? '')} (HOSTILE_SEED=${seed})`;
          expect(status, `${sent} → ${text.slice(0, 300)}`).toBeLessThan(500);
          if (status >= 400) expect(isErrorShape(endpoint.api, text), `${sent} → ${status} ${text.slice(0, 300)}`).toBe(true);
        }
        if (writers > accepted) tally.rowsLeaked += writers - accepted;
        expect(writers, `a batch of ${batch.length} with ${accepted} accepted writes had ${writers} writing transactions (HOSTILE_SEED=${seed})`).toBeLessThanOrEqual(accepted);
      }
    } finally {
      record('hostile', { endpoint: label, ...tally });
    }
  }, 300_000);
});
