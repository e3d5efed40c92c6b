/**
 * The publisher API's credential step: the OAuth 1.0a signature is verified here, and the nonce is
 * spent by the request's first RPC. A request refused for what it carries still spends its nonce
 * and has its consumer checked first, so a replay or a revoked consumer is a 401 before any 400.
 */
import { createFactory } from 'hono/factory';
import { admitCredential } from '../../shared/app/admission.ts';
import { connectForRequest } from '../../shared/app/authenticate.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import { callTypedRpc, type Db } from '../../shared/db/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { timestampWindowSeconds, verifyOAuthRequest, type GroupCommerceEnv } from './oauth.ts';
import type { NonceSpend } from './orders.ts';
import { acceptRequestRpc } from './rpcs.ts';

export type GroupCommerceAppEnv = WorkerAppEnv<GroupCommerceEnv>;

declare module 'hono' {
  interface ContextVariableMap {
    /** The verified consumer's database client and the nonce its first RPC spends. */
    publisher: { db: Db; spend: NonceSpend };
  }
}

/** Builds the publisher routes with their types: `publisher.createHandlers(signedRequest, ..., handler)`. */
export const publisher = createFactory<GroupCommerceAppEnv>();

/** The signature checked out but the consumer's credential is no longer live. */
export function revokedConsumer(error: unknown): never {
  if (error instanceof ApiError && error.reason === 'invalid_credential') {
    throw new ApiError('unauthenticated', 'The consumer key has been revoked.', { reason: 'consumer_key_revoked' });
  }
  throw error;
}

export const signedRequest = publisher.createMiddleware(async (c, next) => {
  const request = await verifyOAuthRequest(c);
  // The signature is checked; the consumer is verified live (revoked: 401) and counted.
  await admitCredential(c, 'groupcommerce', request.credential).catch(revokedConsumer);
  const db = await connectForRequest(c, request.credential);
  const spend = { nonce: request.nonce, signed_at: request.timestamp, window_seconds: timestampWindowSeconds(c.env) };
  c.set('publisher', { db, spend });
  c.set('confirmCredential', () => callTypedRpc(db, acceptRequestRpc, spend).catch(revokedConsumer));
  await next();
});
