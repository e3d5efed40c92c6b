/** Kit's credential step: the OAuth access token (Bearer), verified and then counted against its limit. */
import { createFactory } from 'hono/factory';
import { admitCredential } from '../../shared/app/admission.ts';
import { missingCredential, presentCredential } from '../../shared/app/authenticate.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import { bearerToken, headerKey } from '../../shared/auth/index.ts';

/** Builds Kit's routes with their types: `kit.createHandlers(accessToken, validate(...), handler)`. */
export const kit = createFactory<WorkerAppEnv>();

/** Every purchase route starts here (Kit documents 600 requests per 60 seconds per token: the default limit). */
export const accessToken = kit.createMiddleware(async (c, next) => {
  const token = bearerToken(c.req.raw.headers);
  if (!token) {
    missingCredential(headerKey(c.req.raw.headers, 'X-Kit-Api-Key') ? 'api_key_refused' : 'missing_credential');
  }
  const credential = { kind: 'kit_token' as const, secret: token };
  await admitCredential(c, 'kit', credential);
  presentCredential(c, credential);
  await next();
});
