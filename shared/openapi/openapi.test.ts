import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { jsonSchemaOf, openApiDocument } from './index.ts';

describe('jsonSchemaOf', () => {
  it('writes a zod schema as JSON Schema without its dialect line, the input side of a transform for requests', () => {
    const schema = z.object({ code: z.pipe(z.string(), z.transform((s) => s.toUpperCase())), n: z.optional(z.number()) });
    expect(jsonSchemaOf(schema, 'input')).toEqual({
      type: 'object', properties: { code: { type: 'string' }, n: { type: 'number' } }, required: ['code'],
    });
    expect(jsonSchemaOf({ type: 'string' }, 'output')).toEqual({ type: 'string' });
  });
});

describe('openApiDocument', () => {
  it('lays operations out by path and method, path parameters required, security by scheme name', () => {
    const doc = openApiDocument({ title: 'T', version: '1', description: 'd' }, { key: { type: 'apiKey', in: 'header', name: 'X-Key' } }, [
      {
        method: 'get', path: '/things/{id}', operationId: 'getThing', summary: 's', security: ['key'],
        parameters: [{ name: 'id', in: 'path', schema: { type: 'integer' } }],
        responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({ id: z.number() }), example: { id: 1 } } } } },
      },
    ]) as any;
    expect(doc.openapi).toBe('3.1.0');
    const op = doc.paths['/things/{id}'].get;
    expect(op.security).toEqual([{ key: [] }]);
    expect(op.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }]);
    expect(op.responses['200'].content['application/json']).toEqual({
      schema: { type: 'object', properties: { id: { type: 'number' } }, required: ['id'], additionalProperties: false },
      example: { id: 1 },
    });
  });
});
