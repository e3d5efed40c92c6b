/**
 * The edge entry: one hostname for the five APIs. Each vendor's paths go to its worker over a
 * service binding (no network hop: the bound worker runs in the same place), unchanged, so a
 * publisher's OAuth signature over the URL it called verifies and every answer is the worker's
 * own. Each API's document, reference page and health are also reachable under its name
 * (`/lumen/openapi.json`, `/lumen/docs`, `/lumen/health`), with an index of the five at `/docs`.
 *
 * The entry holds no state and no secret; limits, credentials and errors are the workers', except
 * for deep health checks, which anyone may ask for: each client address has a bucket of them here
 * (the Workers rate-limiting binding), counted once however many workers a check reaches.
 */
import { Hono, type Context } from 'hono';
import { clientKey } from '../../shared/net/ip.ts';

export const apiBindings = {
  lumen: 'LUMEN',
  operations: 'OPERATIONS',
  dpd: 'DPD',
  kit: 'KIT',
  groupcommerce: 'GROUPCOMMERCE',
} as const;
export type EdgeApi = keyof typeof apiBindings;

/** The rate-limiting binding (a fixed window per key, counted per Cloudflare location). */
interface DeepCheckLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export type EdgeEnv = Record<(typeof apiBindings)[EdgeApi], Fetcher> & { DEEP_HEALTH_LIMITER?: DeepCheckLimiter };

const titles: Record<EdgeApi, string> = {
  lumen: 'Lumen partner purchases',
  operations: 'Operations function',
  dpd: 'DPD purchases',
  kit: 'Kit v4 purchases',
  groupcommerce: 'Group Commerce publisher API',
};

/** Which worker serves a vendor path, or null when none does. */
export function apiOfPath(path: string): EdgeApi | null {
  if (path === '/partners/v1' || path.startsWith('/partners/v1/')) return 'lumen';
  if (path === '/functions/v1/openapi-operations' || path === '/functions/v1/openapi-operations/') return 'operations';
  if (path === '/v4' || path.startsWith('/v4/')) return 'kit';
  if (path === '/api/v3/publisher' || path.startsWith('/api/v3/publisher/')) return 'groupcommerce';
  if (path === '/' || path === '/purchases' || path.startsWith('/purchases/') || path === '/v2' || path.startsWith('/v2/')) return 'dpd';
  return null;
}

type EdgeContext = Context<{ Bindings: EdgeEnv }>;

/** Sends the request, as it came, to the API's worker. */
function forward(c: EdgeContext, api: EdgeApi, request: Request = c.req.raw): Promise<Response> {
  return c.env[apiBindings[api]].fetch(request);
}

/**
 * Sends `/<api>/<rest>` to the worker as `/<rest>`, saying under which prefix it is published so
 * its reference page links its own files and document (shared/docs).
 */
function forwardUnder(c: EdgeContext, api: EdgeApi, rest: string): Promise<Response> {
  const url = new URL(c.req.url);
  url.pathname = rest;
  const request = new Request(url, c.req.raw);
  request.headers.set('X-Forwarded-Prefix', `/${api}`);
  return forward(c, api, request);
}

function indexPage(): string {
  const rows = (Object.keys(titles) as EdgeApi[])
    .map((api) => `<li><a href="/${api}/docs">${titles[api]}</a> (<a href="/${api}/openapi.json">OpenAPI document</a>)</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Purchases APIs: reference</title></head>
<body>
<h1>Purchases APIs</h1>
<ul>
${rows}
</ul>
</body>
</html>
`;
}

const app = new Hono<{ Bindings: EdgeEnv }>({ strict: false });

/** The binding's window (wrangler.toml's `period`): the longest a refused client waits. */
const deepCheckWindowSeconds = 60;

/**
 * A deep health check asks the database; past its bucket, a client's further deep checks are
 * answered 429 here and reach no worker. Addresses count as the workers count them (IPv6 by /64).
 */
app.use('*', async (c, next) => {
  const limiter = c.env.DEEP_HEALTH_LIMITER;
  if (!c.req.query('deep') || !limiter || !/^\/(?:[a-z]+\/)?health\/?$/.test(c.req.path)) return next();
  const { success } = await limiter.limit({ key: clientKey(c.req.header('CF-Connecting-IP') ?? 'unknown') });
  if (success) return next();
  return c.json(
    { status: 'rate_limited', service: 'edge', message: `Too many deep health checks from this address; retry within ${deepCheckWindowSeconds} seconds, or ask /health without deep.` },
    429,
    { 'Retry-After': String(deepCheckWindowSeconds) },
  );
});

app.get('/docs', (c) => c.html(indexPage()));

app.get('/health', async (c) => {
  if (!c.req.query('deep')) return c.json({ status: 'ok', service: 'edge' });
  // Deep: every worker's own deep check (each asks the database).
  const checks = await Promise.all(
    (Object.keys(apiBindings) as EdgeApi[]).map(async (api) => {
      const res = await forwardUnder(c, api, '/health').catch(() => null);
      return [api, res?.ok ? 'ok' : 'unavailable'] as const;
    }),
  );
  const healthy = checks.every(([, status]) => status === 'ok');
  return c.json({ status: healthy ? 'ok' : 'unavailable', service: 'edge', apis: Object.fromEntries(checks) }, healthy ? 200 : 503);
});

for (const api of Object.keys(apiBindings) as EdgeApi[]) {
  app.get(`/${api}/openapi.json`, (c) => forwardUnder(c, api, '/openapi.json'));
  app.get(`/${api}/health`, (c) => forwardUnder(c, api, '/health'));
  app.get(`/${api}/docs`, (c) => forwardUnder(c, api, '/docs'));
  app.get(`/${api}/docs/*`, (c) => forwardUnder(c, api, c.req.path.slice(api.length + 1)));
}

app.all('*', (c) => {
  const api = apiOfPath(c.req.path);
  if (api) return forward(c, api);
  return c.json({ error: 'not_found', message: `No API serves ${c.req.path} here; see /docs for the five APIs and their paths.` }, 404);
});

export default app;
