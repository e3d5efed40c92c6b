/**
 * Group Commerce publisher API: POST /api/v3/publisher/order (Purchase), POST
 * /api/v3/publisher/order/validate (ValidateOrder) and GET /api/v3/publisher/consumer/creditcards,
 * form-encoded and signed with OAuth 1.0a, answered in JSON or XML.
 */
import type { Context } from 'hono';
import { databaseSettings } from '../../shared/app/authenticate.ts';
import { parseDottedForm } from '../../shared/form/index.ts';
import { createWorkerApp } from '../../shared/app/index.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import { callJsonRpc, callRpc, connectDatabase } from '../../shared/db/index.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { groupCommerceErrors } from './errors.ts';
import { creditCardsQuerySchema, readOrderForm, type OrderForm } from './order-request.ts';
import { currencySymbol, paymentProcessorFor, placeOrder, validateOrder, type OrderOutcome } from './orders.ts';
import { decimal, respond, type ResponseFields } from './respond.ts';
import { timestampWindowSeconds, verifyOAuthRequest, type GroupCommerceEnv } from './oauth.ts';
import { groupCommerceOpenApi } from './openapi.ts';
import { docsPage } from '../../shared/docs/index.ts';

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

// The OpenAPI 3.1 document of this API, from the schemas that check its forms.
app.get('/openapi.json', (c) => c.json(groupCommerceOpenApi()));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Group Commerce publisher API'));

/** The order's answer: the base response with the order's fields; 409 naming the earlier order for a duplicate. */
function answerOrder(c: Context, root: 'purchaseResponse' | 'validateOrderResponse', result: OrderOutcome): Response {
  const duplicate = result.outcome === 'duplicate';
  // Nothing is charged, used or awarded for a duplicate.
  const amount = (value: string) => decimal(duplicate ? '0.00' : value);
  const fields: ResponseFields = {
    chargeAmount: amount(result.chargeAmount),
    creditValueUsed: amount(result.creditValueUsed),
    currencySymbol: currencySymbol(result.isoCurrencyCode),
    duplicateOrderId: result.duplicateOrderId,
    isoCurrencyCode: result.isoCurrencyCode,
    ...(root === 'purchaseResponse' ? { orderId: result.orderId ?? null } : {}),
    pendingCreditValueAwarded: amount(result.pendingCreditValueAwarded),
  };
  if (!duplicate) return respond(c, 200, root, [], fields);
  const message =
    `The same consumer ordered the same offer options within the last ten minutes (order ${result.duplicateOrderId}); ` +
    'nothing was charged or ordered. Send AllowDuplicatePurchase=True to order them again.';
  return respond(c, 409, root, [{ code: 'DuplicateOrder', message }], fields);
}

/**
 * The steps both order endpoints share: the signature, then the form, then the database. The nonce
 * is spent and the consumer checked whatever the form holds, so a replay or a revoked consumer is
 * a 401 before any 400.
 */
async function orderRequest(c: Context<WorkerAppEnv<GroupCommerceEnv>>) {
  const request = await verifyOAuthRequest(c);
  let order: OrderForm | null = null;
  let problem: unknown = null;
  try {
    order = await readOrder(c);
  } catch (error) {
    problem = error;
  }
  const db = await connectDatabase(databaseSettings(c), request.credential);
  const spend = { nonce: request.nonce, signed_at: request.timestamp, window_seconds: timestampWindowSeconds(c.env) };
  if (!order) {
    await callRpc(db, 'oauth_accept_request', spend).catch(revokedConsumer);
    throw problem;
  }
  const context = { db, processor: paymentProcessorFor(c.env.PAYMENT_PROCESSOR), log: c.get('log') };
  return { order, spend, context };
}

app.post('/api/v3/publisher/order', async (c) => {
  const { order, spend, context } = await orderRequest(c);
  return answerOrder(c, 'purchaseResponse', await placeOrder(context, order, spend).catch(revokedConsumer));
});

// ValidateOrder: the same form, checks and prices as the purchase, and nothing created.
app.post('/api/v3/publisher/order/validate', async (c) => {
  const { order, spend, context } = await orderRequest(c);
  return answerOrder(c, 'validateOrderResponse', await validateOrder(context, order, spend).catch(revokedConsumer));
});

// The consumer's stored cards (the reference's "Consumer - Credit Cards" method).
app.get('/api/v3/publisher/consumer/creditcards', async (c) => {
  const request = await verifyOAuthRequest(c);
  // .NET binds query names case-insensitively.
  const given = Object.entries(c.req.query()).find(([name]) => name.toLowerCase() === 'userkey')?.[1]?.trim();
  const checked = creditCardsQuerySchema.safeParse({ UserKey: given });
  if (!checked.success) throw new ApiError('invalid_input', 'UserKey is required (at most 255 characters).', { reason: 'invalid_request' });
  const userKey = checked.data.UserKey;
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
