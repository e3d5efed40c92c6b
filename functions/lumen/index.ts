/** Lumen partner purchases API: POST /partners/v1/purchases, authenticated by X-Partner-Api-Key. */
import { createWorkerApp } from '../../shared/app/index.ts';
import { authenticateCaller, missingCredential } from '../../shared/app/authenticate.ts';
import { headerKey } from '../../shared/auth/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { lumenErrors } from './errors.ts';

const app = createWorkerApp({ service: 'lumen', dialect: lumenErrors });

app.post('/partners/v1/purchases', async (c) => {
  const apiKey = headerKey(c.req.raw.headers, 'X-Partner-Api-Key') ?? missingCredential('The X-Partner-Api-Key header is missing.');
  await authenticateCaller(c, { kind: 'lumen_api_key', secret: apiKey }, 'The partner API key is not valid.');
  throw new ApiError('not_implemented', 'Reporting purchases is not available yet.');
});

export default app;
