/** DPD's credential step: HTTP Basic with the account's username and API password. */
import { createFactory } from 'hono/factory';
import { admitCredential } from '../../shared/app/admission.ts';
import { missingCredential, presentCredential } from '../../shared/app/authenticate.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import { basicCredentials } from '../../shared/auth/index.ts';

/** Builds DPD's routes with their types: `dpd.createHandlers(basicAuth, validate(...), handler)`. */
export const dpd = createFactory<WorkerAppEnv>();

/** Every route starts here; a request without credentials is a 401 with DPD's challenge. */
export const basicAuth = dpd.createMiddleware(async (c, next) => {
  const basic = basicCredentials(c.req.raw.headers) ?? missingCredential();
  const credential = { kind: 'dpd_basic' as const, keyId: basic.username, secret: basic.password };
  await admitCredential(c, 'dpd', credential);
  presentCredential(c, credential);
  await next();
});
