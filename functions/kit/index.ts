/** Kit v4 purchases API: create, list and get purchases, authenticated by an OAuth access token (Bearer). */
import { createWorkerApp } from '../../shared/app/index.ts';
import { authenticateCaller, missingCredential } from '../../shared/app/authenticate.ts';
import { bearerToken, headerKey } from '../../shared/auth/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { kitErrors } from './errors.ts';

const app = createWorkerApp({ service: 'kit', dialect: kitErrors });

// Covers /v4/purchases itself and everything under it.
app.use('/v4/purchases/*', async function requireAccessToken(c, next) {
  const token = bearerToken(c.req.raw.headers);
  if (!token) {
    // Kit's purchase endpoints do not take API keys; say so rather than "missing token".
    if (headerKey(c.req.raw.headers, 'X-Kit-Api-Key')) {
      missingCredential('Purchase endpoints require an OAuth access token (Authorization: Bearer); API keys are not accepted.');
    }
    missingCredential('The access token is missing.');
  }
  await authenticateCaller(c, { kind: 'kit_token', secret: token }, 'The access token is invalid');
  await next();
});
app.post('/v4/purchases', () => {
  throw new ApiError('not_implemented', 'Creating purchases is not available yet.');
});

export default app;
