/**
 * The five workers inside workerd, without a database: the shared frame (health, request ids,
 * unknown routes, missing credentials) in each API's own dialect, and a 503 in that dialect when
 * the database cannot be reached or the worker lacks its settings.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { publicLocalSecrets } from '../shared/env/local-defaults.ts';
import dpd from './dpd/index.ts';
import { app as groupcommerce } from './groupcommerce/app.ts';
import kit from './kit/index.ts';
import lumen from './lumen/index.ts';
import operations from './operations/index.ts';

// The runtime's own bindings (the Lumen rate limiter) with the database settings overridden.
const unreachable = {
  ...(env as object),
  SUPABASE_URL: 'http://127.0.0.1:1',
  SUPABASE_ANON_KEY: 'anon',
  SUPABASE_JWT_SECRET: 'a-test-secret-of-at-least-32-characters',
  DB_TIMEOUT_MS: '2000',
  OAUTH_CONSUMER_SECRET_KEY: 'H6JsjtySxE+5CrVol4Y6QoLZmvHfq+6KYuujBxWkehU=',
};

const workers = [
  {
    name: 'lumen',
    app: lumen,
    endpoint: ['POST', '/partners/v1/purchases'],
    credential: { 'X-Partner-Api-Key': 'lumen_sk_unknown' },
    missing: { success: false, error: { code: 'UNAUTHORIZED', message: 'The X-Partner-Api-Key header is missing.', details: [] } },
    notFound: (body: any) => expect(body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } }),
    unavailable: (body: any) => expect(body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } }),
  },
  {
    name: 'operations',
    app: operations,
    endpoint: ['POST', '/functions/v1/openapi-operations'],
    credential: { 'X-Api-Key': 'ops_sk_unknown' },
    missing: { error: 'Invalid API key' },
    notFound: (body: any) => expect(Object.keys(body)).toEqual(['error']),
    unavailable: (body: any) => expect(body.error).toMatch(/temporarily unavailable/),
  },
  {
    name: 'dpd',
    app: dpd,
    endpoint: ['GET', '/v2/purchases'],
    credential: { Authorization: `Basic ${btoa('acme:wrong')}` },
    missing: { status: 'UNAUTHORIZED', message: 'HTTP Basic credentials (username and API password) are required.' },
    notFound: (body: any) => expect(body).toEqual({ status: 'NOTFOUND' }),
    unavailable: (body: any) => expect(body.status).toBe('UNAVAILABLE'),
  },
  {
    name: 'kit',
    app: kit,
    endpoint: ['POST', '/v4/purchases'],
    credential: { Authorization: 'Bearer kit_at_unknown' },
    missing: { errors: ['The access token is missing.'] },
    notFound: (body: any) => expect(body.errors).toHaveLength(1),
    unavailable: (body: any) => expect(body.errors[0]).toMatch(/temporarily unavailable/),
  },
  {
    name: 'groupcommerce',
    app: groupcommerce,
    endpoint: ['POST', '/api/v3/publisher/order'],
    credential: {
      Authorization:
        `OAuth oauth_consumer_key="ck", oauth_nonce="n", oauth_signature="s", oauth_signature_method="HMAC-SHA1", oauth_timestamp="${Math.floor(Date.now() / 1000)}", oauth_version="1.0"`,
    },
    missing: expect.objectContaining({
      success: false,
      version: '3',
      errors: [{ code: 'MissingCredential', message: 'OAuth 1.0a parameters are required (in the Authorization header, the form body or the query string).' }],
    }),
    notFound: (body: any) => expect(body).toMatchObject({ success: false, errors: [{ code: 'NotFound' }] }),
    unavailable: (body: any) => expect(body).toMatchObject({ success: false, errors: [{ code: 'DependencyUnavailable' }] }),
  },
] as const;

describe.each(workers)('$name worker', (worker) => {
  const [method, path] = worker.endpoint;

  it('answers /health with a request id', async () => {
    const res = await worker.app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: worker.name });
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed incoming X-Request-Id and replaces a hostile one', async () => {
    const kept = await worker.app.request('/health', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(kept.headers.get('X-Request-Id')).toBe('trace-123');
    const replaced = await worker.app.request('/health', { headers: { 'X-Request-Id': 'a\u0001b'.replace('\u0001', ' ') } });
    expect(replaced.headers.get('X-Request-Id')).not.toContain(' ');
  });

  it('answers a missing credential with its own 401, naming what is missing', async () => {
    const res = await worker.app.request(path, { method }, unreachable);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(worker.missing);
    expect(res.headers.get('X-Request-Id')).toBeTruthy();
  });

  it('answers an unknown route in its own shape', async () => {
    const res = await worker.app.request('/no/such/route', { method: 'GET' }, unreachable);
    expect(res.status).toBe(404);
    worker.notFound(await res.json());
  });

  it('answers 503 with Retry-After, promptly, when the database cannot be reached', async () => {
    const started = Date.now();
    const res = await worker.app.request(path, { method, headers: worker.credential }, unreachable);
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('5');
    worker.unavailable(await res.json());
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers 503 when the worker lacks its database settings', async () => {
    const res = await worker.app.request(path, { method, headers: worker.credential }, { ...(env as object), SUPABASE_URL: undefined, SUPABASE_ANON_KEY: undefined, SUPABASE_JWT_SECRET: undefined });
    expect(res.status).toBe(503);
    worker.unavailable(await res.json());
  });
});

describe('a worker deployed with the public local secrets', () => {
  it.each(workers)('$name refuses to serve: 503 in its shape', async (worker) => {
    const [method, path] = worker.endpoint as [string, string];
    const deployed = { ...unreachable, SUPABASE_JWT_SECRET: publicLocalSecrets.jwtSecret, LOCAL_DEVELOPMENT: undefined };
    const res = await worker.app.request(path, { method, headers: worker.credential }, deployed);
    expect(res.status).toBe(503);
    worker.unavailable(await res.json());
  });
});
