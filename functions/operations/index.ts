/** The operations function: POST /functions/v1/openapi-operations, an action dispatcher authenticated by X-Api-Key. */
import { authenticateCaller, databaseSettings, missingCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp } from '../../shared/app/index.ts';
import { headerKey, type PresentedCredential } from '../../shared/auth/index.ts';
import { connectDatabase } from '../../shared/db/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { operationsErrors } from './errors.ts';
import { readOperationsRequest, type OperationsRequest } from './request.ts';
import { operationsOpenApi } from './openapi.ts';
import { docsPage } from '../../shared/docs/index.ts';

const app = createWorkerApp({ service: 'operations', dialect: operationsErrors });

// spec: 401 "Invalid API key" for a missing or an invalid X-Api-Key alike.
const invalidApiKey = 'Invalid API key';

// The OpenAPI 3.1 document of this API, from the schemas that validate its requests.
app.get('/openapi.json', (c) => c.json(operationsOpenApi()));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Operations function'));

app.post('/functions/v1/openapi-operations', async (c) => {
  const apiKey = headerKey(c.req.raw.headers, 'X-Api-Key') ?? missingCredential(invalidApiKey);
  const credential: PresentedCredential = { kind: 'operations_api_key', secret: apiKey };
  let request: OperationsRequest;
  try {
    request = await readOperationsRequest(c);
  } catch (error) {
    // A wrong key is a 401 whatever the body says, so a bad request checks the key before its 400.
    // (A good request needs no such call: its action's RPC authenticates in the same round trip.)
    if (error instanceof ApiError) await authenticateCaller(c, credential, invalidApiKey);
    throw error;
  }
  const db = await connectDatabase(databaseSettings(c), credential);
  return request.action.run({ c, db, input: request.input, idempotencyKey: request.idempotencyKey });
});

export default app;
