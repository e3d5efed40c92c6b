/**
 * The edge entry: one hostname for the five APIs. Each vendor's paths go to its worker over a
 * service binding (no network hop: the bound worker runs in the same place), unchanged, so a
 * publisher's OAuth signature over the URL it called verifies and every answer is the worker's
 * own. Each API's document, reference page and health are also reachable under its name
 * (`/lumen/openapi.json`, `/lumen/docs`, `/lumen/health`), with an index of the five at `/docs`.
 *
 * The entry holds no state and no secret; limits, credentials and errors are the workers'.
 */
import { Hono, type Context } from 'hono';

export const apiBindings = {
  lumen: 'LUMEN',
  operations: 'OPERATIONS',
  dpd: 'DPD',
  kit: 'KIT',
  groupcommerce: 'GROUPCOMMERCE',
} as const;
export type EdgeApi = keyof typeof apiBindings;

export type EdgeEnv = Record<(typeof apiBindings)[EdgeApi], Fetcher>;

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
