/** Group Commerce publisher order API: POST /api/v3/publisher/order, form-encoded, signed with OAuth 1.0a. */
import type { Context } from 'hono';
import { databaseSettings } from '../../shared/app/authenticate.ts';
import { parseDottedForm } from '../../shared/form/index.ts';
import { createWorkerApp } from '../../shared/app/index.ts';
import { callJsonRpc, callRpc, connectDatabase } from '../../shared/db/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { groupCommerceErrors } from './errors.ts';
import { readOrderForm, type OrderForm } from './order-request.ts';
import { respond } from './respond.ts';
import { timestampWindowSeconds, verifyOAuthRequest, type GroupCommerceEnv } from './oauth.ts';

const app = createWorkerApp<GroupCommerceEnv>({ service: 'groupcommerce', dialect: groupCommerceErrors });

/** The signature checked out but the consumer's credential is no longer live. */
function revokedConsumer(error: unknown): never {
  if (error instanceof ApiError && error.reason === 'invalid_credential') {
    throw new ApiError('unauthenticated', 'The consumer key has been revoked.', { reason: 'consumer_key_revoked' });
  }
  throw error;
}

/** The order form, parsed and checked, or ApiError invalid_input listing every problem. */
async function readOrder(c: Context) {
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header('Content-Type') ?? '')) {
    throw new ApiError('unsupported_media_type', 'The order must be sent as application/x-www-form-urlencoded.');
  }
  const form = parseDottedForm(await c.req.text());
  if (!form.ok) throw new ApiError('invalid_input', form.problem, { reason: 'invalid_request' });
  const result = readOrderForm(form.value);
  if (!result.ok) throw new ApiError('invalid_input', 'The order is not valid.', { reason: 'invalid_request', issues: result.issues });
  return result.order;
}

app.post('/api/v3/publisher/order', async (c) => {
  const request = await verifyOAuthRequest(c);
  let order: OrderForm | null = null;
  let problem: unknown = null;
  try {
    order = await readOrder(c);
  } catch (error) {
    problem = error;
  }
  // The nonce is spent and the consumer checked whatever the form holds, so a replay or a revoked
  // consumer is a 401 before any 400.
  const db = await connectDatabase(databaseSettings(c), request.credential);
  const spend = { nonce: request.nonce, signed_at: request.timestamp, window_seconds: timestampWindowSeconds(c.env) };
  if (!order) {
    await callRpc(db, 'oauth_accept_request', spend).catch(revokedConsumer);
    throw problem;
  }
  const promoCodes = order.PromoCodes === undefined ? [] : [order.PromoCodes].flat();
  await callRpc(db, 'gc_check_order', { ...spend, ordered: { ...order, PromoCodes: promoCodes } as never }).catch(revokedConsumer);
  throw new ApiError('not_implemented', 'Placing orders is not available yet.');
});

// The consumer's stored cards (the reference's "Consumer - Credit Cards" method).
app.get('/api/v3/publisher/consumer/creditcards', async (c) => {
  const request = await verifyOAuthRequest(c);
  // .NET binds query names case-insensitively.
  const userKey = Object.entries(c.req.query()).find(([name]) => name.toLowerCase() === 'userkey')?.[1]?.trim() ?? '';
  if (userKey === '' || userKey.length > 255) {
    throw new ApiError('invalid_input', 'UserKey is required (at most 255 characters).', { reason: 'invalid_request' });
  }
  const db = await connectDatabase(databaseSettings(c), request.credential);
  const cards = await callJsonRpc<Array<Record<string, string | number>>>(db, 'gc_consumer_credit_cards', {
    nonce: request.nonce,
    signed_at: request.timestamp,
    window_seconds: timestampWindowSeconds(c.env),
    user_key: userKey,
  }).catch(revokedConsumer);
  return respond(c, 200, 'creditCardsResponse', [], { creditCards: { items: cards, itemElement: 'creditCard' } });
});

export default app;
