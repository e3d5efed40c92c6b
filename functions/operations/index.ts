/** The operations function: one route (route-table.ts), an action dispatcher authenticated by X-Api-Key. */
import { createFactory } from 'hono/factory';
import { admitCredential } from '../../shared/app/admission.ts';
import { callerDatabase, missingCredential, presentCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { mountRoutes } from '../../shared/app/routes.ts';
import { refuse, validate } from '../../shared/app/validate.ts';
import { headerKey } from '../../shared/auth/index.ts';
import { docsPage } from '../../shared/docs/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { operationsErrors } from './errors.ts';
import { operationsRoutes } from './route-table.ts';
// Generated from the request schemas by npm run openapi (platform/openapi-documents.ts).
import openApiDocument from './openapi.generated.json' with { type: 'json' };
import { operationsRequestSchema } from './request.ts';

// The class name wrangler.toml binds.
export { RateLimiter } from '../../shared/rate-limit/index.ts';

const app = createWorkerApp<OperationsWorkerEnv>({ service: 'operations', dialect: operationsErrors });

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(openApiDocument));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Operations function'));

const operationsFunction = createFactory<WorkerAppEnv<OperationsWorkerEnv>>();

const operations = operationsFunction.createHandlers(
  async function apiKey(c, next) {
    const key = headerKey(c.req.raw.headers, 'X-Api-Key') ?? missingCredential();
    const credential = { kind: 'operations_api_key' as const, secret: key };
    await admitCredential(c, 'operations', credential);
    presentCredential(c, credential);
    await next();
  },
  // A Supabase Edge Function reads its body with req.json() whatever the Content-Type says, and the
  // function's clients rely on it: so does this one.
  validate('json', operationsRequestSchema, operationsErrors, { contentType: 'any' }),
  async (c) => {
    const { action, input } = c.req.valid('json');
    const idempotencyKey = c.req.header('Idempotency-Key') ?? null;
    if (idempotencyKey !== null && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
      await refuse(c, new ApiError('invalid_input', 'Idempotency-Key must be 1 to 255 characters'));
    }
    // The action's RPC checks the credential in the same round trip as its work.
    return action.run({ c, db: await callerDatabase(c), input, idempotencyKey });
  },
);

mountRoutes(app, operationsRoutes, { operations });

export default app;
