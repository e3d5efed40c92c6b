/**
 * DPD purchases API: list, get and reactivate purchases, authenticated by HTTP Basic (account
 * username and API password). DPD serves its API under /v2; the same routes answer at the root.
 * Each route makes one database call, which also checks the credential.
 */
import { Hono, type Context } from 'hono';
import { authenticateCaller, databaseSettings, missingCredential } from '../../shared/app/authenticate.ts';
import { createWorkerApp, type WorkerAppEnv } from '../../shared/app/index.ts';
import { basicCredentials, type PresentedCredential } from '../../shared/auth/index.ts';
import { callJsonRpc, connectDatabase } from '../../shared/db/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { dpdErrors } from './errors.ts';
import { dpdReactivateSchema, invalidParameters, readListQuery } from './query.ts';
import { toDpdPurchase } from './wire.ts';
import { dpdOpenApi } from './openapi.ts';
import { docsPage } from '../../shared/docs/index.ts';

const app = createWorkerApp({ service: 'dpd', dialect: dpdErrors });
const routes = new Hono<WorkerAppEnv>();
const invalidCredentials = 'The username or API password is not valid.';

/** The Basic credential of the request (401 with DPD's challenge when there is none). */
function credentialOf(c: Context): PresentedCredential {
  const basic = basicCredentials(c.req.raw.headers) ?? missingCredential('HTTP Basic credentials (username and API password) are required.');
  return { kind: 'dpd_basic', keyId: basic.username, secret: basic.password };
}

routes.use(async function requireBasicAuth(c, next) {
  credentialOf(c);
  await next();
});

// DPD's clients call the root to test credentials.
routes.get('/', async (c) => {
  await authenticateCaller(c, credentialOf(c), invalidCredentials);
  return c.json({ status: 'SUCCESS' });
});

routes.get('/purchases', async (c) => {
  const credential = credentialOf(c);
  let args;
  try {
    args = readListQuery(c.req.query());
  } catch (error) {
    if (error instanceof ApiError) await authenticateCaller(c, credential, invalidCredentials);
    throw error;
  }
  const db = await connectDatabase(databaseSettings(c), credential);
  const result = await callJsonRpc<{ count: number; purchases: Array<Record<string, unknown>> }>(db, 'dpd_list_purchases', {
    ...args,
    total: args.total as unknown as number,
  });
  c.header('Dpd-Collection-Count', String(result.count));
  // DPD's clients stop paging at the first page that is not there.
  if (result.purchases.length === 0 && args.page > 1) throw new ApiError('not_found', `There is no page ${args.page}.`);
  return c.json(result.purchases.map(toDpdPurchase));
});

/** A purchase id from the path; anything that is not one is as unknown as a missing purchase. */
function purchaseNumber(c: Context): number {
  const id = c.req.param('id') ?? '';
  if (!/^[1-9]\d{0,15}$/.test(id)) throw new ApiError('not_found', `There is no purchase ${id}.`);
  return Number(id);
}

routes.get('/purchases/:id', async (c) => {
  const credential = credentialOf(c);
  const number = purchaseNumber(c);
  const db = await connectDatabase(databaseSettings(c), credential);
  return c.json(toDpdPurchase(await callJsonRpc<Record<string, unknown>>(db, 'dpd_get_purchase', { purchase_number: number })));
});

/** Reactivation parameters from the query, a form body or a JSON body, as DPD's clients send them. */
async function reactivateParams(c: Context): Promise<{ customerEmail: string | undefined; refulfill: boolean }> {
  const fields: Record<string, unknown> = { ...c.req.query() };
  const type = c.req.header('Content-Type') ?? '';
  if (/^application\/json/i.test(type)) {
    const body = await c.req.json().catch(() => {
      throw new ApiError('invalid_input', 'The request body is not valid JSON.');
    });
    if (body && typeof body === 'object') Object.assign(fields, body);
  } else if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    const form = await c.req.parseBody().catch(() => {
      throw new ApiError('invalid_input', 'The request body is not a valid form.');
    });
    Object.assign(fields, form);
  }
  const checked = dpdReactivateSchema.safeParse(fields);
  if (!checked.success) throw invalidParameters(checked.error, fields);
  return { customerEmail: checked.data.customer_email, refulfill: checked.data.refulfill ?? false };
}

routes.post('/purchases/:id/reactivate', async (c) => {
  const credential = credentialOf(c);
  const number = purchaseNumber(c);
  let params;
  try {
    params = await reactivateParams(c);
  } catch (error) {
    if (error instanceof ApiError) await authenticateCaller(c, credential, invalidCredentials);
    throw error;
  }
  const db = await connectDatabase(databaseSettings(c), credential);
  return c.json(
    await callJsonRpc(db, 'dpd_reactivate_purchase', { purchase_number: number, email_to: params.customerEmail, refulfill: params.refulfill }),
  );
});

// The OpenAPI 3.1 document of this API (no credentials needed to read it).
app.get('/openapi.json', (c) => c.json(dpdOpenApi()));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'DPD purchases'));

app.route('/v2', routes);
app.route('/', routes);

export default app;
