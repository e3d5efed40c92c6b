/**
 * DPD purchases API: list, get and reactivate purchases, authenticated by HTTP Basic (account
 * username and API password). DPD serves its API under /v2; the same routes answer at the root.
 * Each route makes one database call, which also checks the credential.
 */
import { Hono } from 'hono';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { mountRoutes } from '../../shared/app/routes.ts';
import { docsPage } from '../../shared/docs/index.ts';
import { dpdErrors } from './errors.ts';
import { dpdRoutes } from './route-table.ts';
// Generated from the request schemas by npm run openapi (platform/openapi-documents.ts).
import openApiDocument from './openapi.generated.json' with { type: 'json' };
import { getPurchase } from './routes/get-purchase.ts';
import { listPurchases } from './routes/list-purchases.ts';
import { ping } from './routes/ping.ts';
import { reactivatePurchase } from './routes/reactivate-purchase.ts';

// The class name wrangler.toml binds.
export { RateLimiter } from '../../shared/rate-limit/index.ts';

const app = createWorkerApp<DpdWorkerEnv>({ service: 'dpd', dialect: dpdErrors });

// The OpenAPI 3.1 document of this API (no credentials needed to read it).
app.get('/openapi.json', (c) => c.json(openApiDocument));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'DPD purchases'));

const routes = new Hono<WorkerAppEnv>();
mountRoutes(routes, dpdRoutes, { ping, listPurchases, getPurchase, reactivatePurchase });

app.route('/v2', routes);
app.route('/', routes);

export default app;
