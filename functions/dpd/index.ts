/**
 * DPD purchases API: list, get and reactivate purchases, authenticated by HTTP Basic (account
 * username and API password). DPD serves its API under /v2; the same routes answer at the root.
 */
import { Hono } from 'hono';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { authenticateCaller, missingCredential } from '../../shared/app/authenticate.ts';
import { basicCredentials } from '../../shared/auth/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { dpdErrors } from './errors.ts';

const app = createWorkerApp({ service: 'dpd', dialect: dpdErrors });

const routes = new Hono<WorkerAppEnv>();

routes.use(async function requireBasicAuth(c, next) {
  const basic = basicCredentials(c.req.raw.headers) ?? missingCredential('HTTP Basic credentials (username and API password) are required.');
  await authenticateCaller(
    c,
    { kind: 'dpd_basic', keyId: basic.username, secret: basic.password },
    'The username or API password is not valid.',
  );
  await next();
});

// DPD's clients call the root to test credentials.
routes.get('/', (c) => c.json({ status: 'SUCCESS' }));

routes.get('/purchases', () => {
  throw new ApiError('not_implemented', 'Listing purchases is not available yet.');
});

app.route('/v2', routes);
app.route('/', routes);

export default app;
