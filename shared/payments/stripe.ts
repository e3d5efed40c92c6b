/**
 * The Stripe processor: the `stripe` SDK on its fetch HTTP client (Workers have no Node sockets).
 *
 * - A new card is charged by one PaymentIntent created and confirmed server-side with the card's
 *   raw details (`payment_method_data[card]`): the account needs Stripe's raw card data APIs
 *   enabled (docs/deploying.md says what that means for PCI scope).
 * - StoreCreditCard: the PaymentIntent is made for a new Customer with `setup_future_usage`, which
 *   attaches its PaymentMethod to the Customer; the ledger keeps `<customer>/<payment method>` as
 *   the card's token, with brand, last four and expiry, never the number or CVV.
 * - A stored card is charged off-session: a PaymentIntent for its Customer and PaymentMethod.
 * - Every call carries an Idempotency-Key made from the charge attempt's id, and the SDK retries
 *   network failures with that same key: a retried call (or a retried order reusing the attempt)
 *   returns the first answer instead of charging twice. The PaymentIntent carries the attempt's id
 *   in its metadata, which is how reconciliation finds it (`findCharge`).
 * - Declines (402 card_error) are `declined` with Stripe's decline code in the message; a card that
 *   needs 3-D Secure is cancelled and declined (the API has no way to send the buyer to a
 *   challenge); every other failure is a `processor_error`, answered 503 with Retry-After. Of
 *   those, what Stripe documents as not processed (a 4xx: a refused request, a wrong key, a rate
 *   limit, https://docs.stripe.com/error-handling) charged nothing; a lost answer, a 5xx, or an
 *   idempotency conflict may have charged (https://docs.stripe.com/api/idempotent_requests):
 *   `uncertain`, which reconciliation settles.
 */
import Stripe from 'stripe';
import { toCents } from '../money/index.ts';
import { cardBrand, lastFour } from './cards.ts';
import type { CardDetails, ChargeOptions, ChargeResult, PaymentProcessor, StorableCard } from './index.ts';

export interface StripeSettings {
  secretKey: string;
  /** Another API base than https://api.stripe.com (the local Stripe-compatible server under npm start). */
  apiBase?: string;
  timeoutMs: number;
}

/** Currencies Stripe takes in whole units (https://docs.stripe.com/currencies#zero-decimal). */
const zeroDecimal = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

/** An exact decimal amount in the currency's smallest unit, as Stripe's `amount` wants it. */
export function stripeAmount(amount: string, currency: string): number {
  const cents = toCents(amount);
  return Number(zeroDecimal.has(currency.toUpperCase()) ? cents / 100n : cents);
}

function client(settings: StripeSettings): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : null;
  return new Stripe(settings.secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    timeout: settings.timeoutMs,
    // Network failures are retried by the SDK with the same Idempotency-Key.
    maxNetworkRetries: 2,
    ...(base ? { protocol: base.protocol.replace(':', '') as 'http' | 'https', host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80) } : {}),
  });
}

function failure(error: unknown): ChargeResult {
  if (error instanceof Stripe.errors.StripeCardError) {
    const code = error.decline_code ?? error.code ?? 'card_declined';
    return { ok: false, reason: 'declined', message: `The card was declined (${code}).` };
  }
  const { statusCode, code, message } = error as Stripe.errors.StripeError;
  // Below the currency's smallest charge (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts): no retry helps.
  if (code === 'amount_too_small') return { ok: false, reason: 'refused', message: `The amount is too small to charge (${message}).` };
  // No answer, a failure of Stripe's own, or the key used with other parameters (or still in use) by an earlier try of this attempt.
  // (The class, not `type`: the SDK names `type` after the constructor, which a minified bundle renames.)
  const uncertain = !statusCode || statusCode >= 500 || statusCode === 409 || error instanceof Stripe.errors.StripeIdempotencyError;
  // Stripe's own words are logged (a 400 here is our request or the account's settings, such as
  // raw card data access not granted): the client is told only that the payment was not taken.
  return {
    ok: false,
    reason: 'processor_error',
    message: `The payment processor could not take the payment${statusCode ? ` (Stripe answered ${statusCode})` : ''}.`,
    detail: message,
    ...(uncertain ? { uncertain } : {}),
  };
}

/** Stripe's card brands (https://docs.stripe.com/api/payment_methods/object#payment_method_object-card-brand) in Group Commerce's PaymentType names. */
const brandNames: Record<string, string> = { visa: 'Visa', mastercard: 'MasterCard', amex: 'Amex', discover: 'Discover', diners: 'DinersClub', jcb: 'JCB' };
const cardBrandName = (brand: string) => brandNames[brand] ?? 'Unknown';

/**
 * Confirmed server-side with no page to return to: payment methods that redirect are turned away, so
 * Stripe needs no `return_url` (the pinned API version has automatic payment methods on by default).
 */
const cardsWithoutRedirects = { enabled: true, allow_redirects: 'never' } as const;

const needsAuthentication: ChargeResult = {
  ok: false,
  reason: 'declined',
  message: 'The card requires 3-D Secure authentication, which orders through this API cannot complete; use another card.',
};

export function stripeProcessor(settings: StripeSettings): PaymentProcessor {
  const keyOf = (options: ChargeOptions) => `charge-attempt-${options.attempt}`;

  /** Confirms a PaymentIntent as created; one needing authentication is cancelled and declined. */
  async function settle(stripe: Stripe, intent: Stripe.PaymentIntent, key: string, card: StorableCard): Promise<ChargeResult> {
    if (intent.status === 'succeeded') return { ok: true, transactionId: intent.id, card };
    if (intent.status === 'requires_action') {
      await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `${key}/cancel` }).catch(() => {});
      return needsAuthentication;
    }
    // `processing`: the outcome is not known yet (reconciliation asks again); anything else took nothing.
    return { ok: false, reason: 'processor_error', message: `The payment processor left the payment ${intent.status}.`, ...(intent.status === 'processing' ? { uncertain: true } : {}) };
  }

  return {
    async chargeCard(card: CardDetails, amount, currency, options) {
      const stripe = client(settings);
      const key = keyOf(options);
      const kept = { brand: cardBrand(card.number), last4: lastFour(card.number), expiryMonth: card.expiryMonth, expiryYear: card.expiryYear };
      let customer: Stripe.Customer | null = null;
      try {
        if (options.storeCard) customer = await stripe.customers.create({ name: card.nameOnCard }, { idempotencyKey: `${key}/customer` });
      } catch (error) {
        // No PaymentIntent was asked for: whatever the answer, nothing was charged.
        const { uncertain: _, ...result } = failure(error) as ChargeResult & { uncertain?: boolean };
        return result;
      }
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: stripeAmount(amount, currency),
            currency: currency.toLowerCase(),
            confirm: true,
            automatic_payment_methods: cardsWithoutRedirects,
            metadata: { attempt: options.attempt },
            payment_method_data: {
              type: 'card',
              card: { number: card.number, exp_month: card.expiryMonth, exp_year: card.expiryYear, cvc: card.cvv },
              billing_details: { name: card.nameOnCard },
            } as Stripe.PaymentIntentCreateParams.PaymentMethodData,
            ...(customer ? { customer: customer.id, setup_future_usage: 'off_session' as const } : {}),
          },
          { idempotencyKey: `${key}/charge` },
        );
        const paymentMethod = typeof intent.payment_method === 'string' ? intent.payment_method : (intent.payment_method?.id ?? '');
        const token = customer ? `${customer.id}/${paymentMethod}` : paymentMethod;
        return await settle(stripe, intent, key, { token, ...kept });
      } catch (error) {
        return failure(error);
      }
    },

    async chargeToken(card, amount, currency, options) {
      const stripe = client(settings);
      const key = keyOf(options);
      const [customer, paymentMethod] = card.token.split('/');
      if (!customer?.startsWith('cus_') || !paymentMethod?.startsWith('pm_')) {
        return { ok: false, reason: 'declined', message: 'The stored card was not kept by Stripe; enter the card again.' };
      }
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: stripeAmount(amount, currency),
            currency: currency.toLowerCase(),
            customer,
            payment_method: paymentMethod,
            off_session: true,
            confirm: true,
            automatic_payment_methods: cardsWithoutRedirects,
            metadata: { attempt: options.attempt },
          },
          { idempotencyKey: `${key}/charge` },
        );
        return await settle(stripe, intent, key, card);
      } catch (error) {
        // Off-session, a card that wants authentication is a 402 authentication_required.
        if (error instanceof Stripe.errors.StripeCardError && error.code === 'authentication_required') return needsAuthentication;
        return failure(error);
      }
    },

    async refund(transactionId) {
      try {
        await client(settings).refunds.create({ payment_intent: transactionId }, { idempotencyKey: `refund-${transactionId}` });
        return { ok: true };
      } catch (error) {
        if ((error as Stripe.errors.StripeError).code === 'charge_already_refunded') return { ok: true };
        return { ok: false, message: (error as Error).message };
      }
    },

    async findCharge(attempt, { createdAt, touchedAt }) {
      const stripe = client(settings);
      try {
        // The attempt's PaymentIntents: listed by creation time (a list is read-your-writes, unlike
        // search), with ten minutes' slack either side for the clocks and a request's own retries.
        let charged: Stripe.PaymentIntent | null = null;
        let pending = false;
        for await (const intent of stripe.paymentIntents.list({ created: { gte: createdAt - 600, lte: touchedAt + 600 }, limit: 100 })) {
          if (intent.metadata?.attempt !== attempt) continue;
          if (intent.status === 'succeeded') charged = intent;
          else if (intent.status === 'processing' || intent.status === 'requires_capture') pending = true;
        }
        if (!charged) return pending ? { unknown: 'the payment is still processing' } : { charged: false };
        const refunds = await stripe.refunds.list({ payment_intent: charged.id, limit: 100 });
        const refunded = refunds.data.some((r) => r.status === 'succeeded' || r.status === 'pending');
        const methodId = typeof charged.payment_method === 'string' ? charged.payment_method : charged.payment_method?.id;
        const method = methodId ? await stripe.paymentMethods.retrieve(methodId) : null;
        return { charged: true, transactionId: charged.id, refunded, card: { brand: method?.card ? cardBrandName(method.card.brand) : null, last4: method?.card?.last4 ?? null } };
      } catch (error) {
        return { unknown: (error as Error).message };
      }
    },
  };
}
