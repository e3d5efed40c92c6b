/** Lumen partner purchases API: POST /partners/v1/purchases, authenticated by X-Partner-Api-Key. */
import { databaseSettings, missingCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp } from '../../shared/app/index.ts';
import { validate } from '../../shared/app/validate.ts';
import { headerKey } from '../../shared/auth/index.ts';
import { callJsonRpc, connectDatabase } from '../../shared/db/index.ts';
import { docsPage } from '../../shared/docs/index.ts';
import { lumenErrors } from './errors.ts';
import { lumenOpenApi } from './openapi.ts';
import { partnerRateLimit, type LumenEnv, type RateLimitRow } from './rate-limit.ts';
import { lumenPurchaseRequest } from './schema.ts';
import { toLumenPurchase } from './wire.ts';

// The class name wrangler.toml binds (renaming it would need a Durable Object migration).
export { RateLimiter as PartnerRateLimiter } from '../../shared/rate-limit/index.ts';
export type { LumenEnv } from './rate-limit.ts';

const app = createWorkerApp<LumenEnv>({ service: 'lumen', dialect: lumenErrors });

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(lumenOpenApi()));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Lumen partner purchases'));

app.post(
  '/partners/v1/purchases',
  async function partnerKey(c, next) {
    const apiKey = headerKey(c.req.raw.headers, 'X-Partner-Api-Key') ?? missingCredential();
    const learnRateLimit = await partnerRateLimit(c, apiKey);
    const db = await connectDatabase(databaseSettings(c), { kind: 'lumen_api_key', secret: apiKey });
    c.set('partner', { db, learnRateLimit });
    // A request refused for its body has its key checked (and the partnership's limit fetched) first.
    c.set('confirmCredential', async () => learnRateLimit(await callJsonRpc<RateLimitRow | null>(db, 'lumen_rate_limit', {})));
    await next();
  },
  validate('json', lumenPurchaseRequest, lumenErrors),
  async (c) => {
    const purchase = c.req.valid('json');
    const { db, learnRateLimit } = c.get('partner');
    const created = await callJsonRpc<{ number: number; created_at: string; rate_limit: RateLimitRow }>(db, 'lumen_create_purchase', {
      purchase: purchase as never,
    });
    await learnRateLimit(created.rate_limit);
    return c.json({ success: true, data: toLumenPurchase(purchase, created) }, 201);
  },
);

export default app;
