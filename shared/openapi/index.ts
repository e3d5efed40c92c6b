/**
 * OpenAPI 3.1 documents built from the zod schemas the workers validate requests with and describe
 * responses with (one source of truth): each operation names its schemas, and zod writes their JSON
 * Schema (2020-12, OpenAPI 3.1's dialect). A worker builds its document on the first
 * `GET /openapi.json` and keeps it (a plain object) for the isolate's life.
 */
import * as z from 'zod/mini';
import { documentedPath, type RouteTable } from '../app/routes.ts';
import { webhookEventDescriptions, webhookEventSchema, webhookEventTypes } from '../webhooks/events.ts';

export type JsonSchema = Record<string, unknown>;
/** A zod schema, or JSON Schema written by hand for what zod cannot express (an XML body, say). */
export type SchemaSource = z.core.$ZodType | JsonSchema;

export interface DocContent {
  schema: SchemaSource;
  example?: unknown;
  /** Several named examples, as `{ name: { value } }`. */
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface DocResponse {
  description: string;
  /** By media type, e.g. `application/json`. */
  content?: Record<string, DocContent>;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

export interface DocParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: SchemaSource;
}

export interface DocOperation {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Names of security schemes, any of which is accepted. */
  security: string[];
  parameters?: DocParameter[];
  requestBody?: { required?: boolean; content: Record<string, DocContent> };
  responses: Record<string, DocResponse>;
}

/** What a route's document adds to its declaration (method, path, operation id and summary come from the route table). */
export type RouteDoc = Omit<DocOperation, 'method' | 'path' | 'operationId' | 'summary'>;

/** The document's operations: each route of the table with its doc, in the table's order; a route without one does not compile. */
export function routeOperations<Table extends RouteTable>(table: Table, docs: { [Operation in keyof Table]: RouteDoc }): DocOperation[] {
  return Object.entries(table).map(([operationId, route]) => ({
    method: route.method === 'GET' ? 'get' : 'post',
    path: documentedPath(route.path),
    operationId,
    summary: route.summary,
    ...docs[operationId as keyof Table],
  }));
}

export interface DocInfo {
  title: string;
  version: string;
  description: string;
}

/** A JSON body: `{ 'application/json': { schema, example? } }`. */
export function jsonContent(schema: SchemaSource, example?: unknown): Record<string, DocContent> {
  return { 'application/json': { schema, ...(example === undefined ? {} : { example }) } };
}

/** The Retry-After header of 429 and 503 answers. */
export const retryAfterHeader: NonNullable<DocResponse['headers']> = {
  'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
};

function isZod(schema: SchemaSource): schema is z.core.$ZodType {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

/** JSON Schema of a request (`input`: what the client sends) or of a response (`output`). */
export function jsonSchemaOf(schema: SchemaSource, io: 'input' | 'output'): JsonSchema {
  if (!isZod(schema)) return schema;
  // Transforms (trimming, upper-casing, exact decimals) have no JSON Schema: their input side is what is documented.
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return json;
}

/** The query parameters an object schema validates, one per property, described by its `meta`. */
export function queryParameters(schema: z.core.$ZodType): DocParameter[] {
  const json = jsonSchemaOf(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query' as const, required: required.has(name), ...(typeof description === 'string' ? { description } : {}), schema: rest };
  });
}

function content(source: Record<string, DocContent>, io: 'input' | 'output') {
  return Object.fromEntries(
    Object.entries(source).map(([type, { schema, example, examples }]) => [
      type,
      { schema: jsonSchemaOf(schema, io), ...(example === undefined ? {} : { example }), ...(examples ? { examples } : {}) },
    ]),
  );
}

const signatureHeaders = [
  { name: 'webhook-id', description: 'The event\'s id (msg_…): the same on every retry and for every endpoint; de-duplicate on it.' },
  { name: 'webhook-timestamp', description: 'When this attempt was signed, in seconds since the epoch; refuse one far from your clock.' },
  { name: 'webhook-signature', description: 'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>" under the endpoint\'s whsec_ secret> (Standard Webhooks).' },
];

/**
 * The events every endpoint a company registers may receive (the same for all five APIs: they
 * describe the one ledger), as OpenAPI 3.1 webhooks: what the platform POSTs, signed per Standard
 * Webhooks, and what it expects back.
 */
export function webhooksSection(): JsonSchema {
  return Object.fromEntries(
    webhookEventTypes.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: type,
          description: `${webhookEventDescriptions[type]} Register an endpoint with \`npm run admin -- webhook add\`. Delivered at least once: retried with backoff for about a day, then dead-lettered (re-drivable with \`webhook redeliver\`); redirects are not followed and a receiver has 10 seconds to answer.`,
          parameters: signatureHeaders.map(({ name, description }) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } })),
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(webhookEventSchema(type), 'output') } } },
          responses: {
            '2XX': { description: 'Received. Anything else (or no answer in 10 seconds) is retried.' },
          },
        },
      },
    ]),
  );
}

export function openApiDocument(info: DocInfo, securitySchemes: Record<string, JsonSchema>, operations: DocOperation[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: op.security.map((name) => ({ [name]: [] })),
      ...(op.parameters
        ? { parameters: op.parameters.map(({ schema, ...p }) => ({ ...p, ...(p.in === 'path' ? { required: true } : {}), schema: jsonSchemaOf(schema, 'input') })) }
        : {}),
      ...(op.requestBody ? { requestBody: { required: op.requestBody.required ?? true, content: content(op.requestBody.content, 'input') } } : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, r]) => [
          status,
          { description: r.description, ...(r.headers ? { headers: r.headers } : {}), ...(r.content ? { content: content(r.content, 'output') } : {}) },
        ]),
      ),
    };
  }
  return { openapi: '3.1.0', info, components: { securitySchemes }, paths, webhooks: webhooksSection() };
}
