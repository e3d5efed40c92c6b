/**
 * The workers' OpenAPI documents: each passes a real OpenAPI 3.1 validator, and each documented
 * example request, sent to the running platform, gets a documented status and a body that
 * validates against the documented response schema.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, stack } from './helpers.ts';

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

describe('Kit: GET /openapi.json', () => {
  let doc: Doc;
  let token: string;
  beforeAll(async () => {
    doc = (await (await fetch(`${stack().apis.kit}/openapi.json`)).json()) as Doc;
    const slug = `openapi-kit-${Date.now()}`;
    expect((await admin('company', 'create', '--slug', slug, '--name', 'OpenAPI Kit')).code).toBe(0);
    token = JSON.parse((await admin('credential', 'issue', 'kit', '--company', slug, '--json')).stdout).token;
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
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
