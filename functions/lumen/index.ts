/** Lumen partner purchases API: POST /partners/v1/purchases, authenticated by X-Partner-Api-Key. */
import type { Context } from 'hono';
import { databaseSettings, missingCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { headerKey } from '../../shared/auth/index.ts';
import { callJsonRpc, connectDatabase, type Db } from '../../shared/db/index.ts';
import type { WorkerEnv } from '../../shared/env/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { lumenErrors } from './errors.ts';
import { rateLimiterFor, sameRateLimit, type RateLimitConfig, type RateLimiter } from '../../shared/rate-limit/index.ts';
import { readLumenPurchase } from './request.ts';
import { toLumenPurchase } from './wire.ts';
import { lumenOpenApi } from './openapi.ts';
import { docsPage } from '../../shared/docs/index.ts';

// The class name wrangler.toml binds (renaming it would need a Durable Object migration).
export { RateLimiter as PartnerRateLimiter } from '../../shared/rate-limit/index.ts';

export interface LumenEnv extends WorkerEnv {
  /** One rate limiter per partner API key. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}

type LumenContext = Context<WorkerAppEnv<LumenEnv>>;
interface RateLimitRow {
  limit: number;
  window_seconds: number;
}

const app = createWorkerApp<LumenEnv>({ service: 'lumen', dialect: lumenErrors });

/** Counts the request against the key's limit; throws RATE_LIMIT (429, Retry-After) past it. */
async function enforceRateLimit(c: LumenContext, apiKey: string) {
  const limiter = await rateLimiterFor(c.env, c.get('log'), apiKey);
  const decision = await limiter.check();
  c.header('RateLimit-Limit', String(decision.limit));
  c.header('RateLimit-Remaining', String(decision.remaining));
  if (!decision.allowed) {
    throw new ApiError(
      'rate_limited',
      `Too many requests: this partnership allows ${decision.limit} every ${(decision.config ?? { windowSeconds: 60 }).windowSeconds} seconds. Retry in ${decision.retryAfterSeconds} seconds.`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
  /** Tells the limiter the partnership's limit when the database reports one it does not hold yet. */
  return async (row: RateLimitRow | null) => {
    const config: RateLimitConfig | null = row && { limit: row.limit, windowSeconds: row.window_seconds };
    if (config && !sameRateLimit(decision.config, config)) await limiter.configure(config);
  };
}

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(lumenOpenApi()));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Lumen partner purchases'));

app.post('/partners/v1/purchases', async (c) => {
  const apiKey = headerKey(c.req.raw.headers, 'X-Partner-Api-Key') ?? missingCredential('The X-Partner-Api-Key header is missing.');
  const learnRateLimit = await enforceRateLimit(c, apiKey);
  const db: Db = await connectDatabase(databaseSettings(c), { kind: 'lumen_api_key', secret: apiKey });
  let purchase;
  try {
    purchase = await readLumenPurchase(c);
  } catch (error) {
    // A wrong key is a 401 whatever the body; this call checks it (and fetches the limit) first.
    if (error instanceof ApiError) await learnRateLimit(await callJsonRpc<RateLimitRow | null>(db, 'lumen_rate_limit', {}));
    throw error;
  }
  const created = await callJsonRpc<{ number: number; created_at: string; rate_limit: RateLimitRow }>(
    db,
    'lumen_create_purchase',
    { purchase: purchase as never },
  );
  await learnRateLimit(created.rate_limit);
  return c.json({ success: true, data: toLumenPurchase(purchase, created) }, 201);
});

export default app;
