/** Kit v4 purchases API: create, list and get purchases, authenticated by an OAuth access token (Bearer). */
import type { Context } from 'hono';
import { authenticateCaller, databaseSettings, missingCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { readJsonObject } from '../../shared/app/json-body.ts';
import { bearerToken, headerKey, type PresentedCredential } from '../../shared/auth/index.ts';
import { callJsonRpc, connectDatabase } from '../../shared/db/index.ts';
import type { WorkerEnv } from '../../shared/env/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { rateLimiterFor, type RateLimiter } from '../../shared/rate-limit/index.ts';
import { parseInput } from '../../shared/validation/index.ts';
import { encodeCursor } from './cursor.ts';
import { kitErrors } from './errors.ts';
import { kitPageQuerySchema, kitPurchaseSchema, readPageQuery } from './schema.ts';
import { kitOpenApi } from './openapi.ts';
import { docsPage } from '../../shared/docs/index.ts';

// The class name wrangler.toml binds.
export { RateLimiter as TokenRateLimiter } from '../../shared/rate-limit/index.ts';

export interface KitEnv extends WorkerEnv {
  /** One rate limiter per access token. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}
type KitContext = Context<WorkerAppEnv<KitEnv>>;

/** Kit's documented limit for OAuth apps: 600 requests per 60 seconds per token. */
const kitRateLimit = { limit: 600, windowSeconds: 60 };
const invalidToken = 'The access token is invalid';

const app = createWorkerApp<KitEnv>({ service: 'kit', dialect: kitErrors });

/** The request's access token after the rate limit has counted it; every purchase route starts here. */
async function accessToken(c: KitContext): Promise<PresentedCredential> {
  const token = bearerToken(c.req.raw.headers);
  if (!token) {
    // Kit's purchase endpoints do not take API keys; say so rather than "missing token".
    if (headerKey(c.req.raw.headers, 'X-Kit-Api-Key')) {
      missingCredential('Purchase endpoints require an OAuth access token (Authorization: Bearer); API keys are not accepted.');
    }
    missingCredential('The access token is missing.');
  }
  const limiter = await rateLimiterFor(c.env, c.get('log'), token);
  const decision = await limiter.check(kitRateLimit);
  if (!decision.allowed) {
    throw new ApiError('rate_limited', `Rate limit hit: ${kitRateLimit.limit} requests per ${kitRateLimit.windowSeconds} seconds. Retry in ${decision.retryAfterSeconds} seconds.`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  return { kind: 'kit_token', secret: token };
}

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(kitOpenApi()));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Kit v4 purchases'));

app.post('/v4/purchases', async (c) => {
  const credential = await accessToken(c);
  let input;
  try {
    input = parseInput(kitPurchaseSchema, await readJsonObject(c)).purchase;
  } catch (error) {
    // A wrong token is a 401 whatever the body.
    if (error instanceof ApiError) await authenticateCaller(c, credential, invalidToken);
    throw error;
  }
  const db = await connectDatabase(databaseSettings(c), credential);
  const result = await callJsonRpc<{ purchase: Record<string, unknown>; created: boolean }>(db, 'kit_create_purchase', {
    purchase: { status: 'paid', ...input } as never,
  });
  // A new transaction_id is a created purchase (201); a known one updated it (200).
  return c.json({ purchase: result.purchase }, result.created ? 201 : 200);
});

/** `per_page`, `after`, `before` and `include_total_count` as Kit documents them, or 422. */
function pageQuery(c: KitContext) {
  return readPageQuery(parseInput(kitPageQuerySchema, c.req.query(), 'The paging parameters are not valid.'));
}

app.get('/v4/purchases', async (c) => {
  const credential = await accessToken(c);
  const query = pageQuery(c);
  const db = await connectDatabase(databaseSettings(c), credential);
  const page = await callJsonRpc<{
    purchases: unknown[];
    newest: number | null;
    oldest: number | null;
    has_previous_page: boolean;
    has_next_page: boolean;
    total_count: number | null;
  }>(db, 'kit_list_purchases', {
    page_size: query.perPage,
    after_number: query.after ?? undefined,
    before_number: query.before ?? undefined,
    with_total_count: query.withTotal,
  });
  return c.json({
    purchases: page.purchases,
    pagination: {
      has_previous_page: page.has_previous_page,
      has_next_page: page.has_next_page,
      start_cursor: page.newest === null ? null : encodeCursor(page.newest),
      end_cursor: page.oldest === null ? null : encodeCursor(page.oldest),
      per_page: query.perPage,
      ...(query.withTotal ? { total_count: page.total_count } : {}),
    },
  });
});

app.get('/v4/purchases/:id', async (c) => {
  const credential = await accessToken(c);
  const id = c.req.param('id');
  // An id that cannot be one of ours is as unknown as one of another account.
  if (!/^[1-9]\d{0,15}$/.test(id)) throw new ApiError('not_found', 'Not Found');
  const db = await connectDatabase(databaseSettings(c), credential);
  return c.json(await callJsonRpc(db, 'kit_get_purchase', { purchase_number: Number(id) }));
});

export default app;
