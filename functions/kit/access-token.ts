/** Kit's credential step: the OAuth access token (Bearer), counted against its rate limit first. */
import type { Context } from 'hono';
import { createFactory } from 'hono/factory';
import { missingCredential, presentCredential } from '../../shared/app/authenticate.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import { bearerToken, headerKey } from '../../shared/auth/index.ts';
import type { WorkerEnv } from '../../shared/env/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { rateLimiterFor, type RateLimiter } from '../../shared/rate-limit/index.ts';

export interface KitEnv extends WorkerEnv {
  /** One rate limiter per access token. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}
export type KitAppEnv = WorkerAppEnv<KitEnv>;

/** Builds Kit's routes with their types: `kit.createHandlers(accessToken, validate(...), handler)`. */
export const kit = createFactory<KitAppEnv>();

/** Kit's documented limit for OAuth apps: 600 requests per 60 seconds per token. */
const kitRateLimit = { limit: 600, windowSeconds: 60 };

/** Every purchase route starts here: the token, counted, becomes the request's credential. */
export const accessToken = kit.createMiddleware(async (c: Context<KitAppEnv>, next) => {
  const token = bearerToken(c.req.raw.headers);
  if (!token) {
    missingCredential(headerKey(c.req.raw.headers, 'X-Kit-Api-Key') ? 'api_key_refused' : 'missing_credential');
  }
  const limiter = await rateLimiterFor(c.env, c.get('log'), token);
  const decision = await limiter.check(kitRateLimit);
  if (!decision.allowed) {
    throw new ApiError('rate_limited', `Rate limit hit: ${kitRateLimit.limit} requests per ${kitRateLimit.windowSeconds} seconds. Retry in ${decision.retryAfterSeconds} seconds.`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  presentCredential(c, { kind: 'kit_token', secret: token });
  await next();
});
