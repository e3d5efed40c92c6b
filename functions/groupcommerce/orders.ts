/**
 * Placing and validating publisher orders. The database checks, prices and records the order
 * (public.gc_order); a card is charged between pricing and recording:
 *
 *   1. gc_order (spends the nonce, checks, prices; places at once when nothing is to be charged:
 *      off-platform, paid in full by promo codes and credits, or a duplicate). An order to be paid
 *      by card gets a charge attempt (ledger.charge_attempts), written before anything is charged,
 *      whose id keys the charge at the processor: a retried order reuses its pending attempt, so it
 *      is never charged twice;
 *   2. the processor charges the quoted amount (the new card, or the stored card's token);
 *   3. gc_place_charged_order prices again under the consumer's lock and places the order only if
 *      the price is still what was charged, settling the attempt. Anything else refunds the charge.
 *
 * So an order paid by card costs two database round trips; every other order, one. A charge that
 * took nothing (declined, refused) costs a third, to settle its attempt. A charge whose outcome is
 * unknown (the processor's answer lost) leaves its attempt pending: the client is told the card may
 * have been charged, its retry is answered with the first charge, and reconciliation
 * (reconcile.ts) settles what no retry does.
 */
import type { Db } from '../../shared/db/index.ts';
import { callTypedRpc } from '../../shared/db/index.ts';
import { ApiError, statusOfKind, unavailable, unavailableRetryAfterSeconds } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging/index.ts';
import { remember } from '../../shared/memory/index.ts';
import { fullCardYear, testProcessor, type PaymentProcessor, type StorableCard } from '../../shared/payments/index.ts';
import { stripeProcessor } from '../../shared/payments/stripe.ts';
import { groupCommerceWording } from './errors.ts';
import type { GroupCommerceEnv } from './oauth.ts';
import { billingScenario, type OrderForm } from './order-request.ts';
import { orderRpc, placeChargedOrderRpc, settleChargeAttemptRpc, type ChargeForLedger, type OrderOutcome } from './rpcs.ts';
import { orderForLedger } from './wire.ts';

export type { OrderOutcome } from './rpcs.ts';

/** The nonce spending that opens every publisher RPC. */
export interface NonceSpend {
  nonce: string;
  signed_at: number;
  window_seconds: number;
}

/** Misconfigurations already logged by this isolate: each is said once, not on every order. */
const said = new Set<string>();

function sayOnce(log: Logger, message: string, fields: Record<string, unknown> = {}): void {
  if (said.has(message)) return;
  said.add(message);
  log.log('error', message, fields);
}

/**
 * The processor PAYMENT_PROCESSOR names: `stripe` (with STRIPE_SECRET_KEY), or `test`, the built-in
 * test processor (in local development only: LOCAL_DEVELOPMENT=true). None, or Stripe without its key: card orders are answered 503 and the reason is
 * logged (once per isolate); nothing is ever sent to a processor.
 */
export function paymentProcessorFor(env: GroupCommerceEnv, log: Logger): PaymentProcessor | null {
  if (env.PAYMENT_PROCESSOR === 'test') {
    // It approves every card and moves no money: a deployed worker using it would give orders away.
    if (env.LOCAL_DEVELOPMENT === 'true') return testProcessor;
    sayOnce(log, 'PAYMENT_PROCESSOR is test (every card approved, no money moved) outside local development: card orders are refused; set PAYMENT_PROCESSOR=stripe');
    return null;
  }
  if (env.PAYMENT_PROCESSOR === 'stripe') {
    if (env.STRIPE_SECRET_KEY) {
      return stripeProcessor({ secretKey: env.STRIPE_SECRET_KEY, apiBase: env.STRIPE_API_BASE || undefined, timeoutMs: 10_000 });
    }
    sayOnce(log, 'PAYMENT_PROCESSOR is stripe but STRIPE_SECRET_KEY is not set: card orders are refused');
    return null;
  }
  if (env.PAYMENT_PROCESSOR) sayOnce(log, 'PAYMENT_PROCESSOR names no known processor (stripe or test): card orders are refused', { processor: env.PAYMENT_PROCESSOR });
  return null;
}

export interface OrderContext {
  db: Db;
  processor: PaymentProcessor | null;
  log: Logger;
}

/** Checks and prices the order as a purchase would, creating nothing. */
export function validateOrder(context: OrderContext, order: OrderForm, spend: NonceSpend): Promise<OrderOutcome> {
  return callTypedRpc(context.db, orderRpc, { ...spend, ordered: orderForLedger(order), place: false });
}

/** Places the order, charging the card when something is to be paid. */
export async function placeOrder(context: OrderContext, order: OrderForm, spend: NonceSpend): Promise<OrderOutcome> {
  const ordered = orderForLedger(order);
  const quoted = await callTypedRpc(context.db, orderRpc, { ...spend, ordered, place: true });
  if (quoted.outcome !== 'charge_required') return quoted;
  // The attempt keys the charge: without it nothing may be charged (the RPC always names one).
  if (quoted.attempt_id === undefined) throw unavailable(new Error('gc_order asked for a charge and named no charge attempt'));

  const attempt = quoted.attempt_id;
  const charge = await chargeCard(context, order, quoted, attempt);
  let placed: OrderOutcome;
  try {
    const payment: ChargeForLedger = {
      attempt_id: attempt,
      amount: quoted.charge_amount,
      transaction_id: charge.transactionId,
      // What DPD shows of the card a purchase was paid with: its brand and last four digits.
      billing_card_type: charge.card.brand,
      billing_card_last4: charge.card.last4,
      // A new card is kept (as the processor's token) only when the consumer asked.
      ...(billingScenario(order) === 'new_card' && order.BillingInfo.StoreCreditCard
        ? {
            card: {
              processor_token: charge.card.token,
              brand: charge.card.brand,
              last4: charge.card.last4,
              expiry_month: charge.card.expiryMonth,
              expiry_year: charge.card.expiryYear,
            },
          }
        : {}),
    };
    placed = await callTypedRpc(context.db, placeChargedOrderRpc, { ordered, payment });
  } catch (error) {
    if (!placementRefused(error)) {
      // The order may or may not have been recorded: the attempt says which once reconciled, and a
      // retry of the order is answered by it (the order as a duplicate, or placed with this charge).
      context.log.log('error', 'card charged but the order could not be confirmed; reconciliation settles it', {
        attempt,
        transactionId: charge.transactionId,
        error,
      });
      throw beingReconciled('The order could not be confirmed after the charge.');
    }
    await refund(context, attempt, charge.transactionId);
    throw error;
  }
  if (placed.refund) await refund(context, attempt, charge.transactionId);
  if (placed.outcome === 'price_changed') throw new ApiError('conflict', groupCommerceWording.price_changed, { reason: 'price_changed' });
  if (placed.outcome === 'reconciled') {
    // Reconciliation, having waited long past this request's start, found the charge first and is giving it back.
    throw new ApiError('conflict', 'This order took too long to confirm: its charge is refunded and nothing was ordered. Send the order again.', { reason: 'charge_refunded' });
  }
  return placed;
}

/**
 * Whether placing a charged order was refused by the database on purpose (a 4xx kind: a check our
 * function raised, a value it cannot take), so its transaction rolled back and nothing was placed:
 * only then is the charge given back at once. Any other failure (no answer, a lost connection, a
 * fault of our own) may have come after the order committed; refunding then could leave an order
 * standing with its money given back, so reconciliation, which looks for the order first, settles it.
 */
export function placementRefused(error: unknown): boolean {
  return error instanceof ApiError && statusOfKind[error.kind] < 500;
}

/** The answer when a charge may have been made and its order is not (yet) known. */
function beingReconciled(what: string): ApiError {
  return new ApiError(
    'unavailable',
    `${what} The card may have been charged; the charge is being reconciled: it becomes this order or is refunded. ` +
      'Send the same order again to learn which; it is never charged twice.',
    { reason: 'payment_being_reconciled', retryAfterSeconds: unavailableRetryAfterSeconds },
  );
}

async function chargeCard(context: OrderContext, order: OrderForm, quoted: OrderOutcome, attempt: string) {
  const { processor, log } = context;
  if (!processor) {
    await settleFailed(context, attempt);
    throw new ApiError('unavailable', 'Card payments are not configured on this server; nothing was charged or ordered.', {
      reason: 'payment_processor_unavailable',
      retryAfterSeconds: unavailableRetryAfterSeconds,
    });
  }
  const billing = order.BillingInfo;
  const options = { attempt, storeCard: billingScenario(order) === 'new_card' && billing.StoreCreditCard === true };
  const stored = quoted.stored_card;
  const result = stored
    ? await processor.chargeToken(
        { token: stored.processor_token, brand: stored.brand, last4: stored.last4, expiryMonth: stored.expiry_month, expiryYear: stored.expiry_year },
        quoted.charge_amount,
        quoted.currency,
        options,
      )
    : await processor.chargeCard(
        {
          number: billing.CardNumber!.replace(/[\s-]/g, ''),
          cvv: billing.CVV!,
          expiryMonth: billing.ExpirationMonth!,
          expiryYear: fullCardYear(billing.ExpirationYear!),
          nameOnCard: billing.NameOnCard!,
        },
        quoted.charge_amount,
        quoted.currency,
        options,
      );
  if (result.ok) return result;
  if (result.detail) log.log('error', 'payment processor refusal', { problem: result.detail, attempt, uncertain: result.uncertain === true });
  if (result.uncertain) throw beingReconciled("The payment processor's answer was lost, or was a failure of its own.");
  await settleFailed(context, attempt);
  if (result.reason === 'declined') {
    throw new ApiError('payment_required', `${result.message} Nothing was charged or ordered.`, { reason: 'card_declined' });
  }
  if (result.reason === 'refused') throw new ApiError('invalid_input', `${result.message} Nothing was charged or ordered.`, { reason: 'charge_refused' });
  throw new ApiError('unavailable', `${result.message} Nothing was charged or ordered; try again shortly.`, {
    reason: 'payment_processor_unavailable',
    retryAfterSeconds: unavailableRetryAfterSeconds,
  });
}

/**
 * Removes the attempt of a charge that took nothing, so the request leaves nothing behind and a
 * retry is a new attempt (with another card, say). If this fails the attempt stays pending: a
 * retry reuses it, and reconciliation settles it.
 */
async function settleFailed(context: OrderContext, attempt: string): Promise<void> {
  await callTypedRpc(context.db, settleChargeAttemptRpc, { attempt_id: attempt, outcome: 'failed' }).catch((error: unknown) => {
    context.log.log('error', 'a charge attempt that charged nothing could not be settled; reconciliation settles it', { attempt, error });
  });
}

/** Gives a charge back and settles its attempt; what fails here is left to reconciliation, and said. */
async function refund(context: OrderContext, attempt: string, transactionId: string): Promise<void> {
  const result = await context.processor!.refund(transactionId).catch((error: unknown) => ({ ok: false as const, message: String(error) }));
  if (!result.ok) {
    context.log.log('error', 'refund failed; reconciliation tries again', { attempt, transactionId, problem: result.message });
    return;
  }
  await callTypedRpc(context.db, settleChargeAttemptRpc, { attempt_id: attempt, outcome: 'refunded' }).catch((error: unknown) => {
    context.log.log('error', 'a refunded charge attempt could not be settled; reconciliation settles it', { attempt, transactionId, error });
  });
}

/**
 * Symbols by currency code, kept per isolate: building an Intl.NumberFormat costs ICU more CPU
 * than the rest of an order's answer (measured in workerd's profiler), and the answer never
 * changes. Bounded by the ISO 4217 codes the database accepts.
 */
const currencySymbols = new Map<string, string>();
const currencySymbolsSize = 400;

/** The symbol of a currency as its own users write it ($ for USD, € for EUR). */
export function currencySymbol(isoCurrencyCode: string): string {
  const known = currencySymbols.get(isoCurrencyCode);
  if (known !== undefined) return known;
  let symbol = isoCurrencyCode;
  try {
    const parts = new Intl.NumberFormat('en-US', { style: 'currency', currency: isoCurrencyCode, currencyDisplay: 'narrowSymbol' }).formatToParts(0);
    symbol = parts.find((part) => part.type === 'currency')?.value ?? isoCurrencyCode;
  } catch {
    // Not a currency ICU knows: its code stands for it.
  }
  remember(currencySymbols, isoCurrencyCode, symbol, currencySymbolsSize);
  return symbol;
}
