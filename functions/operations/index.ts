/** The operations function: POST /functions/v1/openapi-operations, an action dispatcher authenticated by X-Api-Key. */
import { createWorkerApp } from '../../shared/app/index.ts';
import { authenticateCaller, missingCredential } from '../../shared/app/authenticate.ts';
import { headerKey } from '../../shared/auth/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { operationsErrors } from './errors.ts';

const app = createWorkerApp({ service: 'operations', dialect: operationsErrors });

// spec: 401 "Invalid API key" for a missing or an invalid X-Api-Key alike.
const invalidApiKey = 'Invalid API key';

app.post('/functions/v1/openapi-operations', async (c) => {
  const apiKey = headerKey(c.req.raw.headers, 'X-Api-Key') ?? missingCredential(invalidApiKey);
  await authenticateCaller(c, { kind: 'operations_api_key', secret: apiKey }, invalidApiKey);
  throw new ApiError('not_implemented', 'No action is available yet.');
});

export default app;
