/** Kit v4 purchases API: create, list and get purchases, authenticated by an OAuth access token (Bearer). */
import { createWorkerApp } from '../../shared/app/index.ts';
import { mountRoutes } from '../../shared/app/routes.ts';
import { docsPage } from '../../shared/docs/index.ts';
import { kitErrors } from './errors.ts';
import { kitRoutes } from './route-table.ts';
// Generated from the request schemas by npm run openapi (platform/openapi-documents.ts).
import openApiDocument from './openapi.generated.json' with { type: 'json' };
import { createPurchase } from './routes/create-purchase.ts';
import { getPurchase } from './routes/get-purchase.ts';
import { listPurchases } from './routes/list-purchases.ts';

// The class name wrangler.toml binds.
export { RateLimiter as TokenRateLimiter } from '../../shared/rate-limit/index.ts';

const app = createWorkerApp<KitWorkerEnv>({ service: 'kit', dialect: kitErrors });

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(openApiDocument));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Kit v4 purchases'));

mountRoutes(app, kitRoutes, { createPurchase, listPurchases, getPurchase });

export default app;
