/** Group Commerce publisher order API: POST /api/v3/publisher/order, form-encoded, signed with OAuth 1.0a. */
import { createWorkerApp } from '../../shared/app/index.ts';
import { authenticateCaller } from '../../shared/app/authenticate.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { groupCommerceErrors } from './errors.ts';
import { verifyOAuthRequest } from './oauth.ts';

const app = createWorkerApp({ service: 'groupcommerce', dialect: groupCommerceErrors });

app.post('/api/v3/publisher/order', async (c) => {
  const credential = await verifyOAuthRequest(c);
  await authenticateCaller(c, credential, 'The consumer key has been revoked.');
  throw new ApiError('not_implemented', 'Placing orders is not available yet.');
});

export default app;
