/** Group Commerce publisher order API: POST /api/v3/publisher/order, form-encoded, signed with OAuth 1.0a. */
import { databaseSettings } from '../../shared/app/authenticate.ts';
import { createWorkerApp } from '../../shared/app/index.ts';
import { callRpc, connectDatabase } from '../../shared/db/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { groupCommerceErrors } from './errors.ts';
import { timestampWindowSeconds, verifyOAuthRequest, type GroupCommerceEnv } from './oauth.ts';

const app = createWorkerApp<GroupCommerceEnv>({ service: 'groupcommerce', dialect: groupCommerceErrors });

app.post('/api/v3/publisher/order', async (c) => {
  const request = await verifyOAuthRequest(c);
  const db = await connectDatabase(databaseSettings(c), request.credential);
  await callRpc(db, 'oauth_accept_request', {
    nonce: request.nonce,
    signed_at: request.timestamp,
    window_seconds: timestampWindowSeconds(c.env),
  }).catch((error: unknown) => {
    if (error instanceof ApiError && error.reason === 'invalid_credential') {
      throw new ApiError('unauthenticated', 'The consumer key has been revoked.', { reason: 'consumer_key_revoked' });
    }
    throw error;
  });
  throw new ApiError('not_implemented', 'Placing orders is not available yet.');
});

export default app;
