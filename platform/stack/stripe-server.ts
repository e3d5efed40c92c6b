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
 * - Parameters (https://docs.stripe.com/error-codes#parameter-unknown): each endpoint takes the
 *   parameters the `stripe` package's types name for it (generated from Stripe's OpenAPI
 *   description: the package's OPENAPI_VERSION, API version 2026-10-28.endive); any other is a 400
 *   `parameter_unknown` naming it. A type check below fails the build when a list and the package
 *   differ.
 * - Automatic payment methods (https://docs.stripe.com/api/payment_intents/create, `automatic_payment_methods`
 *   and `return_url`; https://docs.stripe.com/upgrades#2023-08-16): a PaymentIntent created without
 *   `allowed_payment_method_types` accepts the payment methods enabled in the Dashboard, redirect-based
 *   ones included unless `automatic_payment_methods[allow_redirects]=never`; confirming such an
 *   intent without a `return_url` is a 400, worded as Stripe words it.
 * - Raw card data (https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis, the
 *   page Stripe's own refusal links): card numbers sent in
 *   `payment_method_data[card]` are refused (400 `invalid_request_error`) unless the account has raw
 *   card data access: the server's `rawCardData` setting (on by default, as the platform needs it).
 * - Minimum amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts): a
 *   PaymentIntent for less than its currency's minimum is a 400 `amount_too_small`.
 * - Objects (https://docs.stripe.com/api/payment_intents/object, /customers/object,
 *   /payment_methods/object, /refunds/object) carry every field of Stripe's example objects
 *   (stripe-fixtures.json, extracted from the public stripe/openapi repository with its
 *   provenance) with the same JSON types; a test compares them.
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
 *   GET  /v1/payment_methods/:id          (https://docs.stripe.com/api/payment_methods/retrieve)
 *
 * Lists filter by `created` and page by `starting_after` / `ending_before`.
 * Not Stripe: `POST /_local/faults` sets the faults that stand in for Stripe's outages (StripeFaults).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
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

/** Each endpoint's top-level parameters, as the `stripe` package's types name them. */
const parameters = {
  createIntent: ['amount', 'currency', 'allowed_payment_method_types', 'amount_details', 'application_fee_amount', 'automatic_payment_methods', 'capture_method', 'confirm', 'confirmation_method', 'confirmation_token', 'customer', 'customer_account', 'description', 'error_on_requires_action', 'excluded_payment_method_types', 'expand', 'hooks', 'mandate', 'mandate_data', 'metadata', 'off_session', 'on_behalf_of', 'payment_details', 'payment_method', 'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'radar_options', 'receipt_email', 'return_url', 'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data', 'transfer_group', 'use_stripe_sdk'],
  confirmIntent: ['allowed_payment_method_types', 'amount_details', 'amount_to_confirm', 'capture_method', 'confirmation_token', 'error_on_requires_action', 'excluded_payment_method_types', 'expand', 'hooks', 'mandate', 'mandate_data', 'off_session', 'payment_details', 'payment_method', 'payment_method_data', 'payment_method_options', 'radar_options', 'receipt_email', 'return_url', 'setup_future_usage', 'shipping', 'use_stripe_sdk'],
  cancelIntent: ['cancellation_reason', 'expand'],
  listIntents: ['created', 'customer', 'customer_account', 'expand', 'ending_before', 'limit', 'starting_after'],
  createCustomer: ['address', 'balance', 'business_name', 'cash_balance', 'description', 'email', 'expand', 'individual_name', 'invoice_prefix', 'invoice_settings', 'metadata', 'name', 'next_invoice_sequence', 'payment_method', 'phone', 'preferred_locales', 'shipping', 'source', 'tax', 'tax_exempt', 'tax_id_data', 'test_clock', 'validate'],
  attachMethod: ['customer', 'customer_account', 'expand'],
  createRefund: ['amount', 'charge', 'currency', 'customer', 'expand', 'instructions_email', 'metadata', 'origin', 'payment_intent', 'reason', 'refund_application_fee', 'reverse_transfer'],
  listRefunds: ['charge', 'created', 'expand', 'payment_intent', 'ending_before', 'limit', 'starting_after'],
  // The public types leave out `card`: raw card details are for accounts with raw card data access.
  retrieveMethod: ['expand'],
  paymentMethodData: ['acss_debit', 'affirm', 'afterpay_clearpay', 'alipay', 'allow_redisplay', 'alma', 'amazon_pay', 'au_becs_debit', 'bacs_debit', 'bancontact', 'billie', 'billing_details', 'bizum', 'blik', 'boleto', 'card', 'cashapp', 'crypto', 'customer_balance', 'eps', 'fpx', 'giropay', 'grabpay', 'ideal', 'interac_present', 'kakao_pay', 'klarna', 'konbini', 'kr_card', 'link', 'mb_way', 'metadata', 'mobilepay', 'multibanco', 'naver_pay', 'nz_bank_account', 'oxxo', 'p24', 'pay_by_bank', 'payco', 'paynow', 'paypal', 'paypay', 'payto', 'pix', 'promptpay', 'radar_options', 'revolut_pay', 'samsung_pay', 'satispay', 'scalapay', 'sepa_debit', 'sequra', 'sofort', 'sunbit', 'swish', 'twint', 'type', 'upi', 'us_bank_account', 'wechat_pay', 'zip'],
} as const;

/** never when the list names exactly the type's keys (plus `extra`); else the names that differ. */
type Differs<List extends readonly string[], T, Extra extends string = never> = Exclude<keyof T, List[number]> | Exclude<List[number], keyof T | Extra>;
type SameAsThePackage = [
  Differs<typeof parameters.createIntent, Stripe.PaymentIntentCreateParams>,
  Differs<typeof parameters.confirmIntent, Stripe.PaymentIntentConfirmParams>,
  Differs<typeof parameters.cancelIntent, Stripe.PaymentIntentCancelParams>,
  Differs<typeof parameters.listIntents, Stripe.PaymentIntentListParams>,
  Differs<typeof parameters.createCustomer, Stripe.CustomerCreateParams>,
  Differs<typeof parameters.attachMethod, Stripe.PaymentMethodAttachParams>,
  Differs<typeof parameters.createRefund, Stripe.RefundCreateParams>,
  Differs<typeof parameters.listRefunds, Stripe.RefundListParams>,
  Differs<typeof parameters.retrieveMethod, Stripe.PaymentMethodRetrieveParams>,
  Differs<typeof parameters.paymentMethodData, Stripe.PaymentIntentCreateParams.PaymentMethodData, 'card'>,
];
// A compile error here names a parameter the package's types and the lists above disagree on.
const sameAsThePackage: SameAsThePackage extends [never, never, never, never, never, never, never, never, never, never] ? true : SameAsThePackage = true;
void sameAsThePackage;

/** Refuses the first parameter the endpoint does not take, as Stripe does (400 parameter_unknown). */
function knownParameters(params: Params | URLSearchParams, known: readonly string[], prefix = ''): void {
  const names = params instanceof URLSearchParams ? [...new Set([...params.keys()].map((name) => name.split('[')[0]!))] : Object.keys(params);
  for (const name of names) {
    if (known.includes(name)) continue;
    const param = prefix ? `${prefix}[${name}]` : name;
    throw new StripeError(400, {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
      message: `Received unknown parameter: ${param}`,
      param,
    });
  }
}

/**
 * The smallest amount Stripe charges in each currency, in its smallest unit
 * (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts); other currencies: 50.
 */
const minimumAmounts: Record<string, number> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30, hkd: 400, huf: 17500,
  inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200, sek: 300, sgd: 50, thb: 1000,
};

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

/**
 * Faults to stand in for Stripe's bad moments (no part of Stripe's API): set in process, or by
 * `POST /_local/faults` with the secret key and a JSON body of the fields to change.
 */
export interface StripeFaults {
  /** Connections are dropped unanswered, nothing processed (Stripe unreachable). */
  down: boolean;
  /** Every answer waits this long (Stripe slow). */
  delayMs: number;
  /** The next this-many PaymentIntent creations are processed (the card charged) and their answers lost. */
  loseAnswers: number;
}

export interface StripeServer {
  url: string;
  secretKey: string;
  /** What it holds, for tests. */
  paymentIntents(): StripeObject[];
  refunds(): StripeObject[];
  faults: StripeFaults;
  stop(): Promise<void>;
}

export interface StripeServerOptions {
  host: string;
  port: number;
  secretKey: string;
  /** The account may send raw card numbers (Stripe grants it on request); default true, as the platform needs it. */
  rawCardData?: boolean;
}

function pickFaults(body: Partial<StripeFaults>): Partial<StripeFaults> {
  const picked: Partial<StripeFaults> = {};
  if (typeof body.down === 'boolean') picked.down = body.down;
  if (Number.isInteger(body.delayMs) && body.delayMs! >= 0) picked.delayMs = body.delayMs!;
  if (Number.isInteger(body.loseAnswers) && body.loseAnswers! >= 0) picked.loseAnswers = body.loseAnswers!;
  return picked;
}

export async function startStripeServer(options: StripeServerOptions): Promise<StripeServer> {
  const intents = new Map<string, StripeObject>();
  const customers = new Map<string, StripeObject>();
  const methods = new Map<string, StripeObject & { card: Record<string, unknown>; customer: string | null; number: string }>();
  const refunds = new Map<string, StripeObject>();
  const replies = new Map<string, { fingerprint: string; status: number; body: unknown; at: number }>();

  const text = (params: Params, key: string): string | undefined => (typeof params[key] === 'string' ? (params[key] as string) : undefined);

  /** A PaymentMethod from raw card details (payment_method_data[card]), shaped as Stripe's. */
  function cardMethod(data: Params): StripeObject & { card: Record<string, unknown>; customer: string | null; number: string } {
    knownParameters(data, parameters.paymentMethodData, 'payment_method_data');
    if (text(data, 'type') !== 'card') throw invalid('payment_method_data[type] must be card.', 'payment_method_data[type]');
    if (options.rawCardData === false && data.card) {
      throw invalid(
        'Sending credit card numbers directly to the Stripe API is generally unsafe. To continue processing use Stripe.js, the Stripe mobile bindings, or Stripe Elements. For more information, see https://dashboard.stripe.com/account/integration/settings. If you are qualified to handle card data directly, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis.',
      );
    }
    const card = (data.card ?? {}) as Params;
    const number = (text(card, 'number') ?? '').replace(/\D/g, '');
    if (!passesLuhn(number)) throw new StripeError(402, { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' });
    // Stripe's brand names (https://docs.stripe.com/api/payment_methods/object#payment_method_object-card-brand).
    const brand = ({ DinersClub: 'diners' } as Record<string, string>)[cardBrand(number)] ?? cardBrand(number).toLowerCase();
    const billing = (data.billing_details ?? {}) as Params;
    const method = {
      id: id('pm'),
      object: 'payment_method',
      allow_redisplay: 'unspecified',
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: text(billing, 'email') ?? null,
        name: text(billing, 'name') ?? null,
        phone: null,
        tax_id: null,
      },
      card: {
        brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: text(card, 'cvc') ? 'pass' : null },
        country: 'US',
        display_brand: brand,
        exp_month: Number(text(card, 'exp_month')),
        exp_year: Number(text(card, 'exp_year')),
        // The same card gives the same fingerprint; it reveals nothing of the number.
        fingerprint: createHash('sha256').update(`local-stripe:${number}`).digest('base64url').slice(0, 16),
        funding: 'credit',
        generated_from: null,
        last4: number.slice(-4),
        networks: { available: [brand], preferred: null },
        three_d_secure_usage: { supported: true },
        wallet: null,
        regulated_status: 'unregulated',
      },
      created: now(),
      customer: null,
      customer_account: null,
      livemode: false,
      metadata: {},
      type: 'card',
      number,
    };
    methods.set(method.id, method);
    return method;
  }

  const publicMethod = ({ number: _number, ...method }: StripeObject & { number: string }) => method;

  /**
   * Confirms a PaymentIntent with its PaymentMethod, as the test cards decide. An intent that accepts
   * redirect-based payment methods needs a `return_url` to be confirmed at all.
   */
  function confirm(intent: StripeObject, offSession: boolean, returnUrl: string | undefined): StripeObject {
    const automatic = intent.automatic_payment_methods as { enabled: boolean; allow_redirects: string } | null;
    if (automatic?.enabled && automatic.allow_redirects !== 'never' && !returnUrl) {
      throw invalid(
        'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.',
      );
    }
    const method = methods.get(String(intent.payment_method));
    if (!method) throw invalid('You cannot confirm this PaymentIntent because it is missing a payment method.');
    const decline = (code: string, declineCode: string, message: string) => {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = { type: 'card_error', code, decline_code: declineCode, message, payment_method: publicMethod(method) };
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
        intent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: {} };
        return intent;
    }
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = id('ch');
    if (intent.setup_future_usage && intent.customer) method.customer = String(intent.customer);
    return intent;
  }

  function createIntent(params: Params): StripeObject {
    knownParameters(params, parameters.createIntent);
    const amount = Number(text(params, 'amount'));
    if (!Number.isInteger(amount) || amount < 1) throw invalid('Invalid positive integer', 'amount');
    const currency = text(params, 'currency');
    if (!currency || !/^[a-z]{3}$/.test(currency)) throw invalid('Invalid currency', 'currency');
    const minimum = minimumAmounts[currency] ?? 50;
    if (amount < minimum) {
      throw new StripeError(400, {
        type: 'invalid_request_error',
        code: 'amount_too_small',
        doc_url: 'https://stripe.com/docs/error-codes/amount-too-small',
        message: `Amount must be at least ${currency === 'usd' ? '$' : ''}${currency === 'jpy' ? minimum : (minimum / 100).toFixed(2)} ${currency}`,
        param: 'amount',
      });
    }
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
    // Without allowed_payment_method_types the intent takes the Dashboard's payment methods
    // (automatic payment methods, the default since 2023-08-16), redirects allowed unless told never.
    const allowed = params.allowed_payment_method_types ? Object.values(params.allowed_payment_method_types as Params).map(String) : null;
    const automatic = (params.automatic_payment_methods ?? {}) as Params;
    const automaticPaymentMethods = allowed ? null : { enabled: text(automatic, 'enabled') !== 'false', allow_redirects: text(automatic, 'allow_redirects') ?? 'always' };
    const intentId = id('pi');
    const intent: StripeObject = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_details: { tip: {} },
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: automaticPaymentMethods,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic',
      client_secret: `${intentId}_secret_${randomBytes(18).toString('base64url')}`,
      confirmation_method: 'automatic',
      created: now(),
      currency,
      customer,
      customer_account: null,
      description: text(params, 'description') ?? null,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: null,
      metadata: params.metadata ?? {},
      next_action: null,
      on_behalf_of: null,
      payment_method: paymentMethod,
      payment_method_configuration_details: automaticPaymentMethods ? { id: 'pmc_local_default', parent: null } : null,
      payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
      payment_method_types: allowed ?? ['card'],
      processing: null,
      receipt_email: null,
      review: null,
      setup_future_usage: text(params, 'setup_future_usage') ?? null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
      transfer_data: null,
      transfer_group: null,
    };
    intents.set(intent.id, intent);
    return text(params, 'confirm') === 'true' ? confirm(intent, offSession, text(params, 'return_url')) : intent;
  }

  /** `created[gte|gt|lte|lt]=<seconds>` or `created=<seconds>` (https://docs.stripe.com/api/payment_intents/list#list_payment_intents-created). */
  function createdWithin(object: StripeObject, query: URLSearchParams): boolean {
    const created = object.created as number;
    const bound = (name: string) => (query.has(name) ? Number(query.get(name)) : null);
    const [exact, gte, gt, lte, lt] = ['created', 'created[gte]', 'created[gt]', 'created[lte]', 'created[lt]'].map(bound);
    return (exact == null || created === exact) && (gte == null || created >= gte) && (gt == null || created > gt) && (lte == null || created <= lte) && (lt == null || created < lt);
  }

  /**
   * One page of a list, newest first (https://docs.stripe.com/api/pagination): `limit` (1–100,
   * default 10), and `starting_after` / `ending_before` an object id of the list.
   */
  function page(url: string, objects: StripeObject[], query: URLSearchParams) {
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 10) || 10));
    let all = [...objects].reverse();
    const after = query.get('starting_after');
    const before = query.get('ending_before');
    if (before) {
      all = all.slice(0, Math.max(0, all.findIndex((o) => o.id === before)));
      return { object: 'list', url, has_more: all.length > limit, data: all.slice(-limit) };
    }
    if (after) all = all.slice(all.findIndex((o) => o.id === after) + 1);
    return { object: 'list', url, has_more: all.length > limit, data: all.slice(0, limit) };
  }

  function route(method: string, path: string, params: Params, query: URLSearchParams): { status: number; body: unknown } {
    let match: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') return { status: 200, body: createIntent(params) };
    if (method === 'POST' && (match = /^\/v1\/payment_intents\/([^/]+)\/(confirm|cancel)$/.exec(path))) {
      const intent = intents.get(match[1]!);
      if (!intent) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${match[1]}'` });
      if (match[2] === 'cancel') {
        knownParameters(params, parameters.cancelIntent);
        if (intent.status === 'succeeded') throw invalid('You cannot cancel this PaymentIntent because it has a status of succeeded.');
        intent.status = 'canceled';
        intent.canceled_at = now();
        intent.cancellation_reason = text(params, 'cancellation_reason') ?? null;
        return { status: 200, body: intent };
      }
      knownParameters(params, parameters.confirmIntent);
      if (params.payment_method_data) intent.payment_method = cardMethod(params.payment_method_data as Params).id;
      if (text(params, 'payment_method')) intent.payment_method = text(params, 'payment_method');
      return { status: 200, body: confirm(intent, text(params, 'off_session') === 'true', text(params, 'return_url')) };
    }
    if (method === 'GET' && path === '/v1/payment_intents') {
      knownParameters(query, parameters.listIntents);
      const customer = query.get('customer');
      return { status: 200, body: page('/v1/payment_intents', [...intents.values()].filter((i) => (!customer || i.customer === customer) && createdWithin(i, query)), query) };
    }
    if (method === 'GET' && (match = /^\/v1\/payment_methods\/([^/]+)$/.exec(path))) {
      knownParameters(query, parameters.retrieveMethod);
      const pm = methods.get(match[1]!);
      if (!pm) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${match[1]}'`, param: 'payment_method' });
      return { status: 200, body: publicMethod(pm) };
    }
    if (method === 'GET' && (match = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      const intent = intents.get(match[1]!);
      if (!intent) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${match[1]}'` });
      return { status: 200, body: intent };
    }
    if (method === 'POST' && path === '/v1/customers') {
      knownParameters(params, parameters.createCustomer);
      const customer = {
        id: id('cus'),
        object: 'customer',
        address: null,
        balance: 0,
        created: now(),
        currency: null,
        default_source: null,
        delinquent: false,
        description: text(params, 'description') ?? null,
        discount: null,
        email: text(params, 'email') ?? null,
        invoice_prefix: randomBytes(4).toString('hex').toUpperCase().slice(0, 7),
        invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
        livemode: false,
        metadata: params.metadata ?? {},
        name: text(params, 'name') ?? null,
        next_invoice_sequence: 1,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
      };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === 'POST' && (match = /^\/v1\/payment_methods\/([^/]+)\/attach$/.exec(path))) {
      knownParameters(params, parameters.attachMethod);
      const pm = methods.get(match[1]!);
      if (!pm) throw new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${match[1]}'` });
      const customer = text(params, 'customer');
      if (!customer || !customers.has(customer)) throw invalid(`No such customer: '${customer}'`, 'customer');
      if (pm.customer && pm.customer !== customer) throw invalid('The payment method you provided has already been attached to a customer.');
      pm.customer = customer;
      return { status: 200, body: publicMethod(pm) };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      knownParameters(params, parameters.createRefund);
      const intent = intents.get(text(params, 'payment_intent') ?? '');
      if (!intent) throw invalid('You must provide a payment_intent or charge to refund.', 'payment_intent');
      if (intent.status !== 'succeeded') throw invalid('This PaymentIntent does not have a successful charge to refund.', 'payment_intent');
      if ([...refunds.values()].some((r) => r.payment_intent === intent.id)) {
        throw new StripeError(400, { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${String(intent.latest_charge)} has already been refunded.` });
      }
      const refund = {
        id: id('re'),
        object: 'refund',
        amount: intent.amount,
        balance_transaction: id('txn'),
        charge: intent.latest_charge,
        created: now(),
        currency: intent.currency,
        customer: intent.customer,
        customer_account: null,
        destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
        metadata: params.metadata ?? {},
        payment_intent: intent.id,
        payment_method: intent.payment_method,
        reason: text(params, 'reason') ?? null,
        receipt_number: null,
        source_transfer_reversal: null,
        status: 'succeeded',
        transfer_reversal: null,
      };
      refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }
    if (method === 'GET' && path === '/v1/refunds') {
      knownParameters(query, parameters.listRefunds);
      const intent = query.get('payment_intent');
      return { status: 200, body: page('/v1/refunds', [...refunds.values()].filter((r) => (!intent || r.payment_intent === intent) && createdWithin(r, query)), query) };
    }
    throw new StripeError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
  }

  const faults: StripeFaults = { down: false, delayMs: 0, loseAnswers: 0 };

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
    if (url.pathname === '/_local/faults') {
      if (req.method === 'POST') Object.assign(faults, pickFaults(JSON.parse(body || '{}') as Partial<StripeFaults>));
      return reply(200, faults);
    }
    if (faults.down) return void res.destroy();
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    const loseAnswer = faults.loseAnswers > 0 && req.method === 'POST' && url.pathname === '/v1/payment_intents';
    if (loseAnswer) faults.loseAnswers--;
    const key = req.method === 'POST' ? req.headers['idempotency-key'] : undefined;
    const fingerprint = `${req.method} ${url.pathname} ${[...new URLSearchParams(body)].sort().join('&')}`;
    if (typeof key === 'string') {
      const seen = replies.get(key);
      if (seen && Date.now() - seen.at < 24 * 3600 * 1000) {
        if (seen.fingerprint !== fingerprint) {
          return reply(400, { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } });
        }
        if (loseAnswer) return void res.destroy();
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
    if (loseAnswer) return void res.destroy();
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
    refunds: () => [...refunds.values()],
    faults,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
