/**
 * A local Stripe-compatible server for the endpoints the Stripe processor uses
 * (shared/payments/stripe.ts), so card orders run in Stripe mode without the network:
 * `PAYMENT_PROCESSOR=stripe npm start` starts it and points the publisher worker at it. It imitates
 * what Stripe's API reference documents (https://docs.stripe.com/api), section by section:
 *
 * - Requests are form-encoded with bracketed nested keys (https://docs.stripe.com/api/request_ids,
 *   "Encoding": `payment_method_data[card][number]=…`), authenticated by a Bearer secret key
 *   (https://docs.stripe.com/api/authentication: a missing or wrong key is 401).
 * - Errors are `{ error: { type, code, decline_code, message, param } }` with Stripe's statuses
 *   (https://docs.stripe.com/api/errors): 400 invalid_request_error, 401, 402 card_error, 404,
 *   500 api_error.
 * - Idempotency (https://docs.stripe.com/api/idempotent_requests): a POST with an
 *   Idempotency-Key seen in the last 24 hours returns the first answer, status included, marked
 *   `Idempotent-Replayed: true`; the same key with different parameters is a 400 of type
 *   `idempotency_error`.
 * - Test cards (https://docs.stripe.com/testing): 4242424242424242 succeeds; 4000000000000002 is
 *   declined `generic_decline`; 4000000000009995 `insufficient_funds`; 4000000000003220 requires
 *   3-D Secure (the PaymentIntent is `requires_action`, and off-session a 402
 *   `authentication_required`). Stripe has no card for its own outage: here 4000000000000119
 *   (whose decline Stripe documents as `processing_error`) answers 500 `api_error`, to stand in
 *   for one. Any other number that passes Luhn succeeds, so the publisher reference's sample card
 *   (4111111111111111) is charged as it is by the built-in test processor.
 *
 *   POST /v1/payment_intents              create, and with confirm=true confirm (https://docs.stripe.com/api/payment_intents/create)
 *   POST /v1/payment_intents/:id/confirm  (https://docs.stripe.com/api/payment_intents/confirm)
 *   POST /v1/payment_intents/:id/cancel   (https://docs.stripe.com/api/payment_intents/cancel)
 *   GET  /v1/payment_intents[/:id]        list, newest first, `{ object: "list", data, has_more, url }`
 *                                         (https://docs.stripe.com/api/pagination), `limit` and `customer`
 *   POST /v1/customers                    (https://docs.stripe.com/api/customers/create)
 *   POST /v1/payment_methods/:id/attach   (https://docs.stripe.com/api/payment_methods/attach)
 *   POST /v1/refunds                      by payment_intent, in full (https://docs.stripe.com/api/refunds/create)
 *   GET  /v1/refunds                      list, newest first, `payment_intent` and `limit` (https://docs.stripe.com/api/refunds/list)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { cardBrand, passesLuhn } from '../../shared/payments/cards.ts';
import { PlatformError } from './errors.ts';

type Params = { [key: string]: string | Params };
type StripeObject = Record<string, unknown> & { id: string };

class StripeError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message));
    this.status = status;
    this.body = body;
  }
}

const invalid = (message: string, param?: string) => new StripeError(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}) });

/** `a[b][c]=v` pairs as nested objects (Stripe's form encoding). */
export function parseStripeForm(text: string): Params {
  const root: Params = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const keys = name.split(/\[|\]\[|\]/).filter((k) => k !== '');
    let node = root;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) node[key] = value;
      else node = (node[key] ??= {}) as Params;
    });
  }
  return root;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);

export interface StripeServer {
  url: string;
  secretKey: string;
  /** What it holds, for tests. */
  paymentIntents(): StripeObject[];
  stop(): Promise<void>;
}

export async function startStripeServer(options: { host: string; port: number; secretKey: string }): Promise<StripeServer> {
  const intents = new Map<string, StripeObject>();
  const customers = new Map<string, StripeObject>();
  const methods = new Map<string, StripeObject & { card: Record<string, unknown>; customer: string | null; number: string }>();
  const refunds = new Map<string, StripeObject>();
  const replies = new Map<string, { fingerprint: string; status: number; body: unknown; at: number }>();

  const text = (params: Params, key: string): string | undefined => (typeof params[key] === 'string' ? (params[key] as string) : undefined);

  /** A PaymentMethod from raw card details (payment_method_data[card]). */
  function cardMethod(data: Params): StripeObject & { card: Record<string, unknown>; customer: string | null; number: string } {
    if (text(data, 'type') !== 'card') throw invalid('payment_method_data[type] must be card.', 'payment_method_data[type]');
    const card = (data.card ?? {}) as Params;
    const number = (text(card, 'number') ?? '').replace(/\D/g, '');
    if (!passesLuhn(number)) throw new StripeError(402, { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' });
    const method = {
      id: id('pm'),
      object: 'payment_method',
      type: 'card',
      created: now(),
      customer: null,
      number,
      card: {
        brand: cardBrand(number).toLowerCase(),
        last4: number.slice(-4),
        exp_month: Number(text(card, 'exp_month')),
        exp_year: Number(text(card, 'exp_year')),
      },
    };
    methods.set(method.id, method);
    return method;
  }

  const publicMethod = ({ number: _number, ...method }: StripeObject & { number: string }) => method;

  /** Confirms a PaymentIntent with its PaymentMethod, as the test cards decide. */
  function confirm(intent: StripeObject, offSession: boolean): StripeObject {
    const method = methods.get(String(intent.payment_method));
    if (!method) throw invalid('You cannot confirm this PaymentIntent because it is missing a payment method.');
    const decline = (code: string, declineCode: string, message: string) => {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = { type: 'card_error', code, decline_code: declineCode, message };
      return new StripeError(402, { type: 'card_error', code, decline_code: declineCode, message, payment_intent: { ...intent } });
    };
    switch (method.number) {
      case '4000000000000002':
        throw decline('card_declined', 'generic_decline', 'Your card was declined.');
      case '4000000000009995':
        throw decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.');
      case '4000000000000119':
        throw new StripeError(500, { type: 'api_error', message: 'An unexpected error occurred (the local server standing in for an outage).' });
      case '4000000000003220':
        if (offSession) {
          intent.status = 'requires_payment_method';
          throw new StripeError(402, { type: 'card_error', code: 'authentication_required', decline_code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.', payment_intent: { ...intent } });
        }
        intent.status = 'requires_action';
        intent.next_action = { type: 'use_stripe_sdk' };
        return intent;
    }
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = id('ch');
    if (intent.setup_future_usage && intent.customer) method.customer = String(intent.customer);
    return intent;
  }

  function createIntent(params: Params): StripeObject {
    const amount = Number(text(params, 'amount'));
    if (!Number.isInteger(amount) || amount < 1) throw invalid('Invalid positive integer', 'amount');
    const currency = text(params, 'currency');
    if (!currency || !/^[a-z]{3}$/.test(currency)) throw invalid('Invalid currency', 'currency');
    const customer = text(params, 'customer') ?? null;
    if (customer && !customers.has(customer)) throw new StripeError(400, { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${customer}'`, param: 'customer' });
    let paymentMethod = text(params, 'payment_method') ?? null;
    if (params.payment_method_data) paymentMethod = cardMethod(params.payment_method_data as Params).id;
    if (paymentMethod && !methods.has(paymentMethod)) throw new StripeError(400, { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${paymentMethod}'`, param: 'payment_method' });
    const method = paymentMethod ? methods.get(paymentMethod)! : null;
    const offSession = text(params, 'off_session') === 'true';
    if (method?.customer && method.customer !== customer) {
      throw invalid('The provided PaymentMethod belongs to another Customer.', 'payment_method');
    }
    if (offSession && (!method || !method.customer)) throw invalid('A PaymentMethod must be attached to the Customer to be used off-session.', 'payment_method');
    const intent: StripeObject = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      customer,
      payment_method: paymentMethod,
      setup_future_usage: text(params, 'setup_future_usage') ?? null,
      status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
      created: now(),
      livemode: false,
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      metadata: params.metadata ?? {},
    };
    intents.set(intent.id, intent);
    return text(params, 'confirm') === 'true' ? confirm(intent, offSession) : intent;
  }

  function route(method: string, path: string, params: Params, query: URLSearchParams): { status: number; body: unknown } {
    let match: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') return { status: 200, body: createIntent(params) };
    if (method === 'POST' && (match = /^\/v1\/payment_intents\/([^/]+)\/(confirm|cancel)$/.exec(path))) {
      const intent = intents.get(match[1]!);
      if (!intent) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${match[1]}'` });
      if (match[2] === 'cancel') {
        if (intent.status === 'succeeded') throw invalid('You cannot cancel this PaymentIntent because it has a status of succeeded.');
        intent.status = 'canceled';
        return { status: 200, body: intent };
      }
      if (params.payment_method_data) intent.payment_method = cardMethod(params.payment_method_data as Params).id;
      if (text(params, 'payment_method')) intent.payment_method = text(params, 'payment_method');
      return { status: 200, body: confirm(intent, text(params, 'off_session') === 'true') };
    }
    if (method === 'GET' && path === '/v1/payment_intents') {
      const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 10) || 10));
      const customer = query.get('customer');
      const all = [...intents.values()].filter((i) => !customer || i.customer === customer).reverse();
      return { status: 200, body: { object: 'list', url: '/v1/payment_intents', has_more: all.length > limit, data: all.slice(0, limit) } };
    }
    if (method === 'GET' && (match = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      const intent = intents.get(match[1]!);
      if (!intent) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${match[1]}'` });
      return { status: 200, body: intent };
    }
    if (method === 'POST' && path === '/v1/customers') {
      const customer = { id: id('cus'), object: 'customer', created: now(), name: text(params, 'name') ?? null, email: text(params, 'email') ?? null, metadata: params.metadata ?? {} };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === 'POST' && (match = /^\/v1\/payment_methods\/([^/]+)\/attach$/.exec(path))) {
      const pm = methods.get(match[1]!);
      if (!pm) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${match[1]}'` });
      const customer = text(params, 'customer');
      if (!customer || !customers.has(customer)) throw invalid(`No such customer: '${customer}'`, 'customer');
      if (pm.customer && pm.customer !== customer) throw invalid('The payment method you provided has already been attached to a customer.');
      pm.customer = customer;
      return { status: 200, body: publicMethod(pm) };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = intents.get(text(params, 'payment_intent') ?? '');
      if (!intent) throw invalid('You must provide a payment_intent or charge to refund.', 'payment_intent');
      if (intent.status !== 'succeeded') throw invalid('This PaymentIntent does not have a successful charge to refund.', 'payment_intent');
      if ([...refunds.values()].some((r) => r.payment_intent === intent.id)) {
        throw new StripeError(400, { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${String(intent.latest_charge)} has already been refunded.` });
      }
      const refund = { id: id('re'), object: 'refund', amount: intent.amount, currency: intent.currency, payment_intent: intent.id, charge: intent.latest_charge, status: 'succeeded', created: now() };
      refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }
    if (method === 'GET' && path === '/v1/refunds') {
      const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 10) || 10));
      const intent = query.get('payment_intent');
      const all = [...refunds.values()].filter((r) => !intent || r.payment_intent === intent).reverse();
      return { status: 200, body: { object: 'list', url: '/v1/refunds', has_more: all.length > limit, data: all.slice(0, limit) } };
    }
    throw new StripeError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stripe');
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers }).end(JSON.stringify(body));
    };
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${options.secretKey}`) {
      return reply(401, { error: { type: 'invalid_request_error', message: auth ? 'Invalid API Key provided.' : 'You did not provide an API key.' } });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const key = req.method === 'POST' ? req.headers['idempotency-key'] : undefined;
    const fingerprint = `${req.method} ${url.pathname} ${[...new URLSearchParams(body)].sort().join('&')}`;
    if (typeof key === 'string') {
      const seen = replies.get(key);
      if (seen && Date.now() - seen.at < 24 * 3600 * 1000) {
        if (seen.fingerprint !== fingerprint) {
          return reply(400, { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } });
        }
        return reply(seen.status, seen.body, { 'idempotent-replayed': 'true' });
      }
    }
    let status: number;
    let answer: unknown;
    try {
      ({ status, body: answer } = route(req.method ?? 'GET', url.pathname, parseStripeForm(body), url.searchParams));
    } catch (error) {
      if (!(error instanceof StripeError)) throw error;
      status = error.status;
      answer = { error: error.body };
    }
    if (typeof key === 'string') replies.set(key, { fingerprint, status, body: answer, at: Date.now() });
    reply(status, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'api_error', message: 'The local Stripe server failed.' } })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PlatformError(`the local Stripe server cannot listen on port ${options.port}: ${error.code ?? error.message}`, 'free the port or set STRIPE_PORT')),
    );
    server.listen(options.port, options.host, resolve);
  });
  return {
    url: `http://${options.host}:${options.port}`,
    secretKey: options.secretKey,
    paymentIntents: () => [...intents.values()],
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
