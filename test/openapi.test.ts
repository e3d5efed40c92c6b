/**
 * The workers' OpenAPI documents: each passes a real OpenAPI 3.1 validator, and each documented
 * example request, sent to the running platform, gets a documented status and a body that
 * validates against the documented response schema.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, demo, signedGet, signedOrder, stack } from './helpers.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, any>> };
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

/** Checks `body` against the schema the document gives for `status` of an operation. */
function expectDocumented(doc: Doc, path: string, method: string, status: number, body: unknown) {
  const responses = doc.paths[path]![method]!.responses as Record<string, { content?: Record<string, { schema: object }> }>;
  expect(Object.keys(responses), `${method} ${path}`).toContain(String(status));
  const schema = responses[String(status)]!.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${status} has a JSON schema`).toBeDefined();
  const validate = ajv.compile(schema!);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

/** Fetches a worker's document and checks it with an OpenAPI 3.1 validator. */
async function validDocument(url: string): Promise<Doc> {
  const doc = (await (await fetch(url)).json()) as Doc;
  expect(doc.openapi).toBe('3.1.0');
  const result = await new Validator().validate(doc as never);
  expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
  expect(result.valid).toBe(true);
  return doc;
}

describe('operations: GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document whose example, with acme\'s lead and product, runs as documented', async () => {
    const doc = await validDocument(`${stack().apis.operations}/openapi.json`);
    const path = '/functions/v1/openapi-operations';
    const example = doc.paths[path]!.post!.requestBody.content['application/json'].example;
    const send = async (body: unknown, key = demo('acme').operations.apiKey) => {
      const res = await fetch(`${stack().apis.operations}${path}`, { method: 'POST', headers: { 'X-Api-Key': key }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    // As written, the reference's ids are nobody's: the documented 403.
    const foreign = await send(example);
    expectDocumented(doc, path, 'post', foreign.status, foreign.body);
    expect(foreign.status).toBe(403);
    const created = await send({ ...example, lead_id: demo('acme').operations.leadIds[0], product_id: demo('acme').operations.productIds[0] });
    expect(created.status).toBe(201);
    expectDocumented(doc, path, 'post', created.status, created.body);
    const id = (created.body as { purchase: { id: string } }).purchase.id;
    for (const body of [
      { action: 'get_purchase', purchase_id: id },
      { action: 'list_purchases', lead_id: demo('acme').operations.leadIds[0], limit: 2 },
      { action: 'list_reward_events', purchase_id: id },
      { action: 'get_purchase', purchase_id: '00000000-0000-4000-8000-000000000000' },
      { action: 'nope' },
    ]) {
      const res = await send(body);
      expectDocumented(doc, path, 'post', res.status, res.body);
    }
    const unauthorized = await send(example, 'ops_wrong');
    expectDocumented(doc, path, 'post', unauthorized.status, unauthorized.body);
  });
});

describe('Lumen: GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document whose examples run as documented', async () => {
    const doc = await validDocument(`${stack().apis.lumen}/openapi.json`);
    const path = '/partners/v1/purchases';
    const examples = doc.paths[path]!.post!.requestBody.content['application/json'].examples as Record<string, { value: Record<string, unknown> }>;
    expect(Object.keys(examples)).toEqual(['lumenFulfilled', 'partnerFulfilled']);
    const send = async (body: unknown, key = demo('acme').lumen.apiKey) => {
      const res = await fetch(`${stack().apis.lumen}${path}`, { method: 'POST', headers: { 'X-Partner-Api-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    for (const { value } of Object.values(examples)) {
      const fresh = { ...value, partnerPurchaseId: `OPENAPI-${crypto.randomUUID()}` };
      const created = await send(fresh);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expectDocumented(doc, path, 'post', created.status, created.body);
      const again = await send(fresh);
      expect(again.status).toBe(409);
      expectDocumented(doc, path, 'post', again.status, again.body);
    }
    for (const [body, key] of [[{}, undefined], [examples.lumenFulfilled!.value, 'lumen_wrong']] as const) {
      const res = await send(body, key);
      expectDocumented(doc, path, 'post', res.status, res.body);
    }
  });
});

describe('DPD: GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, and every operation answers as documented', async () => {
    const doc = await validDocument(`${stack().apis.dpd}/openapi.json`);
    const auth = (password = demo('acme').dpd.password) => ({ Authorization: `Basic ${btoa(`${demo('acme').dpd.username}:${password}`)}` });
    const id = demo('acme').dpd.purchaseIds[0];
    const cases: Array<[string, string, string, string, Record<string, string>?]> = [
      ['/', 'get', '/', 'GET'],
      ['/purchases', 'get', '/purchases', 'GET'],
      ['/purchases', 'get', '/purchases?status=ACT&customer_email=a', 'GET'],
      ['/purchases', 'get', '/purchases?date_min=someday', 'GET'],
      ['/purchases', 'get', '/purchases?page=9999', 'GET'],
      ['/purchases/{id}', 'get', `/purchases/${id}`, 'GET'],
      ['/purchases/{id}', 'get', '/purchases/999999999', 'GET'],
      ['/purchases/{id}/reactivate', 'post', `/purchases/${id}/reactivate`, 'POST'],
      ['/purchases/{id}/reactivate', 'post', `/purchases/${id}/reactivate?customer_email=nope`, 'POST'],
      ['/purchases', 'get', '/purchases', 'GET', auth('wrong')],
    ];
    const seen = new Set<number>();
    for (const [path, method, url, httpMethod, headers] of cases) {
      const res = await fetch(`${stack().apis.dpd}${url}`, { method: httpMethod, headers: headers ?? auth() });
      seen.add(res.status);
      expectDocumented(doc, path, method, res.status, await res.json());
    }
    expect([...seen].sort()).toEqual([200, 400, 401, 404]);
  });
});

describe('Group Commerce: GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document whose example order runs as documented, in JSON and XML', async () => {
    const doc = await validDocument(`${stack().apis.groupcommerce}/openapi.json`);
    const order = '/api/v3/publisher/order';
    const example = doc.paths[order]!.post!.requestBody.content['application/x-www-form-urlencoded'].example as Record<string, string>;
    const fresh = { ...example, 'ConsumerInfo.UserKey': `openapi-${crypto.randomUUID()}`, 'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 2) };
    const consumer = demo('acme').groupcommerce;
    const send = async (form: Record<string, string>, path = order, accept?: string) => {
      const res = await signedOrder(consumer, form, (init) => accept && (init.headers.Accept = accept), { path });
      return { status: res.status, type: res.headers.get('Content-Type') ?? '', text: await res.text() };
    };
    for (const [form, path] of [[fresh, order], [fresh, order], [fresh, `${order}/validate`], [{ ...fresh, 'OrderDetails[0].Quantity': '0' }, order]] as const) {
      const res = await send(form, path);
      expectDocumented(doc, path, 'post', res.status, JSON.parse(res.text));
    }
    const xml = await send({ ...fresh, 'ConsumerInfo.UserKey': `openapi-${crypto.randomUUID()}` }, order, 'application/xml');
    expect(xml.status).toBe(200);
    expect(Object.keys(doc.paths[order]!.post!.responses['200'].content)).toContain(xml.type.split(';')[0]);
    expect(xml.text).toMatch(/^<purchaseResponse /);
    const wrong = await signedOrder({ ...consumer, consumerSecret: 'wrong' }, fresh);
    expectDocumented(doc, order, 'post', wrong.status, await wrong.json());
    const cards = '/api/v3/publisher/consumer/creditcards';
    for (const userKey of ['consumertest@example.com', 'nobody-at-all']) {
      const res = await signedGet(consumer, `${cards}?UserKey=${encodeURIComponent(userKey)}`);
      expectDocumented(doc, cards, 'get', res.status, await res.json());
    }
  });
});

describe('Kit: GET /openapi.json', () => {
  let doc: Doc;
  let token: string;
  beforeAll(async () => {
    doc = await validDocument(`${stack().apis.kit}/openapi.json`);
    const slug = `openapi-kit-${Date.now()}`;
    expect((await admin('company', 'create', '--slug', slug, '--name', 'OpenAPI Kit')).code).toBe(0);
    token = JSON.parse((await admin('credential', 'issue', 'kit', '--company', slug, '--json')).stdout).token;
  });

  it('runs its example: the documented status and a body of the documented shape', async () => {
    const operation = doc.paths['/v4/purchases']!.post!;
    const example = operation.requestBody.content['application/json'].example;
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${stack().apis.kit}/v4/purchases`, { method: 'POST', headers, body: JSON.stringify(example) });
    const body = (await created.json()) as { purchase: { id: number } };
    expectDocumented(doc, '/v4/purchases', 'post', created.status, body);
    expect(created.status).toBe(201);
    const again = await fetch(`${stack().apis.kit}/v4/purchases`, { method: 'POST', headers, body: JSON.stringify(example) });
    expectDocumented(doc, '/v4/purchases', 'post', again.status, await again.json());
    const list = await fetch(`${stack().apis.kit}/v4/purchases?include_total_count=true`, { headers });
    expectDocumented(doc, '/v4/purchases', 'get', list.status, await list.json());
    const one = await fetch(`${stack().apis.kit}/v4/purchases/${body.purchase.id}`, { headers });
    expectDocumented(doc, '/v4/purchases/{id}', 'get', one.status, await one.json());
    const missing = await fetch(`${stack().apis.kit}/v4/purchases/999999999`, { headers });
    expectDocumented(doc, '/v4/purchases/{id}', 'get', missing.status, await missing.json());
    const invalid = await fetch(`${stack().apis.kit}/v4/purchases`, { method: 'POST', headers, body: '{"purchase":{}}' });
    expectDocumented(doc, '/v4/purchases', 'post', invalid.status, await invalid.json());
    const unauthorized = await fetch(`${stack().apis.kit}/v4/purchases`, { headers: { Authorization: 'Bearer nope' } });
    expectDocumented(doc, '/v4/purchases', 'get', unauthorized.status, await unauthorized.json());
  });
});

describe('the webhooks section', () => {
  it('documents every event with its signed headers and its schema, the same in all five documents', async () => {
    const sections = [];
    for (const api of ['lumen', 'operations', 'dpd', 'kit', 'groupcommerce'] as const) {
      const doc = (await validDocument(`${stack().apis[api]}/openapi.json`)) as Doc & { webhooks: Record<string, { post: any }> };
      sections.push(JSON.stringify(doc.webhooks));
      expect(Object.keys(doc.webhooks)).toEqual(['purchase.created', 'purchase.updated', 'purchase.reactivated', 'reward.created', 'order.placed']);
      const created = doc.webhooks['purchase.created']!.post;
      expect(created.parameters.map((p: { name: string }) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      const schema = created.requestBody.content['application/json'].schema;
      expect(schema.properties.type).toMatchObject({ const: 'purchase.created' });
      expect(schema.properties.data.properties.purchase.required).toContain('total');
    }
    expect(new Set(sections).size).toBe(1);
  });
});
