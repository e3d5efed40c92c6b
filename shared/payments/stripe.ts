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
 * - Every call carries an Idempotency-Key derived from the order attempt (the signed request's
 *   consumer and nonce), and the SDK retries network failures with that same key: a retried call
 *   returns the first answer instead of charging twice.
 * - Declines (402 card_error) are `declined` with Stripe's decline code in the message; a card that
 *   needs 3-D Secure is cancelled and declined (the API has no way to send the buyer to a
 *   challenge); every other failure (5xx, timeouts, connection, rate limits, a wrong key) is a
 *   `processor_error`, which the API answers 503 with Retry-After, recording nothing.
 */
import Stripe from 'stripe';
import { sha256Hex } from '../crypto/index.ts';
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
  // Stripe's own words are logged (a 400 here is our request or the account's settings, such as
  // raw card data access not granted): the client is told only that the payment was not taken.
  return { ok: false, reason: 'processor_error', message: `The payment processor could not take the payment${statusCode ? ` (Stripe answered ${statusCode})` : ''}.`, detail: message };
}

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
  const keyOf = async (options: ChargeOptions) => `order-${await sha256Hex(options.attempt)}`;

  /** Confirms a PaymentIntent as created; one needing authentication is cancelled and declined. */
  async function settle(stripe: Stripe, intent: Stripe.PaymentIntent, key: string, card: StorableCard): Promise<ChargeResult> {
    if (intent.status === 'succeeded') return { ok: true, transactionId: intent.id, card };
    if (intent.status === 'requires_action') {
      await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `${key}/cancel` }).catch(() => {});
      return needsAuthentication;
    }
    return { ok: false, reason: 'processor_error', message: `The payment processor left the payment ${intent.status}.` };
  }

  return {
    async chargeCard(card: CardDetails, amount, currency, options) {
      const stripe = client(settings);
      const key = await keyOf(options);
      const kept = { brand: cardBrand(card.number), last4: lastFour(card.number), expiryMonth: card.expiryMonth, expiryYear: card.expiryYear };
      try {
        const customer = options.storeCard
          ? await stripe.customers.create({ name: card.nameOnCard }, { idempotencyKey: `${key}/customer` })
          : null;
        const intent = await stripe.paymentIntents.create(
          {
            amount: stripeAmount(amount, currency),
            currency: currency.toLowerCase(),
            confirm: true,
            automatic_payment_methods: cardsWithoutRedirects,
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
      const key = await keyOf(options);
      const [customer, paymentMethod] = card.token.split('/');
      if (!customer?.startsWith('cus_') || !paymentMethod?.startsWith('pm_')) {
        return { ok: false, reason: 'declined', message: 'The stored card was not kept by Stripe; enter the card again.' };
      }
      try {
        const intent = await stripe.paymentIntents.create(
          { amount: stripeAmount(amount, currency), currency: currency.toLowerCase(), customer, payment_method: paymentMethod, off_session: true, confirm: true, automatic_payment_methods: cardsWithoutRedirects },
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
        return { ok: false, message: (error as Error).message };
      }
    },
  };
}
