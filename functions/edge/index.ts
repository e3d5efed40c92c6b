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
import { apiNames, apiOfPath, apis, type ApiName } from '../../shared/apis.ts';
import { documentedPath } from '../../shared/app/routes.ts';
import { clientKey } from '../../shared/net/ip.ts';
import { routeTables } from '../route-tables.ts';

/**
 * The entry's bindings, generated from wrangler.toml by npm run types: the five service bindings and
 * the deep health checks' rate-limiting binding (a fixed window per key, counted per location).
 */
export type EdgeEnv = EdgeWorkerEnv;

/** What the index at /docs says of each API besides its title and routes: what it is for. */
const purposes: Record<ApiName, string> = {
  lumen: 'Partners report the purchases they made for Lumen products: shipped by Lumen, or by the partner with the customer registered for account setup.',
  operations: 'Companies record purchases against the leads of their channels and read them back with the reward events they earned.',
  dpd: "Merchants list and read their store's purchases, whichever API reported them, and reactivate one to send its downloads again.",
  kit: "Creators' stores report purchases for their subscribers and page through them; a known transaction_id updates its purchase.",
  groupcommerce: 'Publishers place and price orders for offers on behalf of their consumers, paid by card, stored card, credits or off-platform (OAuth 1.0a).',
};

type EdgeContext = Context<{ Bindings: EdgeEnv }>;

/** Sends the request, as it came, to the API's worker. */
function forward(c: EdgeContext, api: ApiName, request: Request = c.req.raw): Promise<Response> {
  return c.env[apis[api].binding].fetch(request);
}

/**
 * Sends `/<api>/<rest>` to the worker as `/<rest>`, saying under which prefix it is published so
 * its reference page links its own files and document (shared/docs).
 */
function forwardUnder(c: EdgeContext, api: ApiName, rest: string): Promise<Response> {
  const url = new URL(c.req.url);
  url.pathname = rest;
  const request = new Request(url, c.req.raw);
  request.headers.set('X-Forwarded-Prefix', `/${api}`);
  return forward(c, api, request);
}

/**
 * The index of the five APIs, in the reference pages' own look: it uses Swagger UI's stylesheet and
 * class names, the stylesheet served by a worker's assets (/lumen/docs/swagger-ui.css), so the
 * entry carries no asset of its own.
 */
function indexPage(): string {
  const sections = apiNames.map((api) => {
    const { title } = apis[api];
    const purpose = purposes[api];
    const rows = Object.values(routeTables[api])
      .filter((route) => route.purpose !== undefined)
      .map(({ method, path, purpose: line }) => `<div class="opblock opblock-${method.toLowerCase()}"><div class="opblock-summary opblock-summary-${method.toLowerCase()}"><span class="opblock-summary-method">${method}</span><span class="opblock-summary-path">${documentedPath(path)}</span><div class="opblock-summary-description">${line}</div></div></div>`)
      .join('\n');
    return `<section class="opblock-tag-section is-open" id="${api}">
<h3 class="opblock-tag"><a class="nostyle" href="/${api}/docs"><span>${title}</span></a><small><div class="renderedMarkdown"><p>${purpose}</p></div></small></h3>
${rows}
<p class="links"><a href="/${api}/docs">Reference</a> · <a href="/${api}/openapi.json">OpenAPI document</a></p>
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Purchases APIs: reference</title>
<link rel="stylesheet" href="/lumen/docs/swagger-ui.css">
<style>body{margin:0;background:#fff}.links{margin:8px 0 28px;font-family:sans-serif;font-size:14px;color:#3b4151}.links a{color:#4990e2}.opblock-tag small{flex:1 1 auto}.opblock-summary-path{padding:0 12px 0 10px}</style>
</head>
<body>
<div class="swagger-ui"><div class="wrapper">
<section class="information-container"><div class="info"><hgroup class="main"><h2 class="title">Purchases APIs</h2></hgroup>
<div class="description"><div class="renderedMarkdown"><p>Five purchase APIs on one origin, each wire-compatible with its vendor's reference, over one ledger: a purchase reported through any of them is read through the others. Each has its reference page and its OpenAPI document (for a client generator, Postman or Insomnia).</p></div></div></div></section>
${sections.join('\n')}
</div></div>
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

/**
 * `/` is DPD's (its credential check), but a browser opening the edge's address, with no
 * credential, wants to read: it is sent to the index instead of meeting DPD's Basic challenge. A
 * DPD client sends its credential, or asks for JSON, and is answered by DPD as before.
 */
app.use('/', async (c, next) => {
  if (c.req.method !== 'GET' || c.req.header('Authorization') || !(c.req.header('Accept') ?? '').includes('text/html')) return next();
  return c.redirect('/docs', 302);
});

app.get('/health', async (c) => {
  if (!c.req.query('deep')) return c.json({ status: 'ok', service: 'edge' });
  // Deep: every worker's own deep check (each asks the database).
  const checks = await Promise.all(
    apiNames.map(async (api) => {
      const res = await forwardUnder(c, api, '/health').catch(() => null);
      return [api, res?.ok ? 'ok' : 'unavailable'] as const;
    }),
  );
  const healthy = checks.every(([, status]) => status === 'ok');
  return c.json({ status: healthy ? 'ok' : 'unavailable', service: 'edge', apis: Object.fromEntries(checks) }, healthy ? 200 : 503);
});

for (const api of apiNames) {
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
