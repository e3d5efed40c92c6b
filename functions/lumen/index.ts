/** Lumen partner purchases API: a partner reports a purchase (route-table.ts), authenticated by X-Partner-Api-Key. */
import { createFactory } from 'hono/factory';
import { admitCredential } from '../../shared/app/admission.ts';
import { callerDatabase, missingCredential, presentCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { mountRoutes } from '../../shared/app/routes.ts';
import { validate } from '../../shared/app/validate.ts';
import { headerKey } from '../../shared/auth/index.ts';
import { callTypedRpc } from '../../shared/db/index.ts';
import { docsPage } from '../../shared/docs/index.ts';
import { lumenErrors } from './errors.ts';
import { lumenRoutes } from './route-table.ts';
// Generated from the request schemas by npm run openapi (platform/openapi-documents.ts).
import openApiDocument from './openapi.generated.json' with { type: 'json' };
import { lumenPurchaseRequest } from './schema.ts';
import { createPurchaseRpc } from './rpcs.ts';
import { lumenPurchaseForLedger, toLumenPurchase } from './wire.ts';

// The class name wrangler.toml binds (renaming it would need a Durable Object migration).
export { RateLimiter as PartnerRateLimiter } from '../../shared/rate-limit/index.ts';

const app = createWorkerApp<LumenWorkerEnv>({ service: 'lumen', dialect: lumenErrors });

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(openApiDocument));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Lumen partner purchases'));

const lumen = createFactory<WorkerAppEnv<LumenWorkerEnv>>();

const reportPurchase = lumen.createHandlers(
  async function partnerKey(c, next) {
    const credential = { kind: 'lumen_api_key' as const, secret: headerKey(c.req.raw.headers, 'X-Partner-Api-Key') ?? missingCredential() };
    // Verified, then counted against the partnership's limit, before the body is looked at.
    await admitCredential(c, 'lumen', credential);
    presentCredential(c, credential);
    await next();
  },
  validate('json', lumenPurchaseRequest, lumenErrors),
  async (c) => {
    const purchase = c.req.valid('json');
    const created = await callTypedRpc(await callerDatabase(c), createPurchaseRpc, {
      purchase: lumenPurchaseForLedger(purchase),
      lumen_fulfilled: purchase.fulfillment,
      segment: purchase.additionalInfo?.audienceSegment,
    });
    return c.json({ success: true, data: toLumenPurchase(purchase, created) }, 201);
  },
);

mountRoutes(app, lumenRoutes, { reportPurchase });

export default app;
