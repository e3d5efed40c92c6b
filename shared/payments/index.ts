/**
 * Payments through a processor interface. The built-in test processor serves local use and tests
 * and never moves money: the card numbers below decide the outcome. A real processor implements
 * the same interface. Card numbers and CVVs are only ever passed through, never stored or logged:
 * what is kept of a card is the processor's token, the brand, the last four digits and the expiry.
 */
import { remember } from '../memory/index.ts';
import { cardBrand, lastFour } from './cards.ts';

export * from './cards.ts';

export interface CardDetails {
  number: string;
  cvv: string;
  expiryMonth: number;
  expiryYear: number;
  nameOnCard: string;
}

/** What may be kept of a card: never the number or CVV. */
export interface StorableCard {
  token: string;
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
}

export type ChargeResult =
  | { ok: true; transactionId: string; card: StorableCard }
  /**
   * declined: the card was; refused: the processor will never take this charge (an amount below its
   * minimum); processor_error: try again later (`detail`, the processor's own words, is for the log).
   * `uncertain`: the processor's answer was lost or was a failure of its own (a timeout, a 5xx, a
   * key still in use), so the card may have been charged; reconciliation finds out. Without it,
   * nothing was charged.
   */
  | { ok: false; reason: 'declined' | 'refused' | 'processor_error'; message: string; detail?: string; uncertain?: boolean };

/** What the processor holds of a charge attempt: nothing taken, a charge (perhaps refunded since), or no answer yet. */
export type FoundCharge =
  | { charged: false }
  | { charged: true; transactionId: string; refunded: boolean; card: { brand: string | null; last4: string | null } }
  | { unknown: string };

/** What a charge is part of. */
export interface ChargeOptions {
  /**
   * The charge attempt's id (ledger.charge_attempts): every processor call it makes is keyed by
   * it, so a retried call, or a retried order reusing the attempt, never charges twice.
   */
  attempt: string;
  /** Keep the card at the processor for later orders (StoreCreditCard). */
  storeCard: boolean;
}

export interface PaymentProcessor {
  /** Charges a card given in full; `amount` is an exact decimal string in `currency`. */
  chargeCard(card: CardDetails, amount: string, currency: string, options: ChargeOptions): Promise<ChargeResult>;
  /** Charges a card stored earlier, by the processor's token. */
  chargeToken(card: StorableCard, amount: string, currency: string, options: ChargeOptions): Promise<ChargeResult>;
  /** Gives a charge back in full (an order that could not be placed after its charge); one already refunded is ok. */
  refund(transactionId: string): Promise<{ ok: true } | { ok: false; message: string }>;
  /**
   * What became of a charge attempt, for reconciliation: `createdAt`..`touchedAt` (seconds since
   * the epoch) is when requests used it, which bounds when the processor can have seen it.
   */
  findCharge(attempt: string, window: { createdAt: number; touchedAt: number }): Promise<FoundCharge>;
}

/**
 * Test card numbers (all pass Luhn):
 * - 4111111111111111 (the reference's sample) and any other valid number: approved;
 * - 4000000000000002: declined;
 * - 4000000000000119: the processor fails (an outage), answered as a 503 by the API.
 */
export const testCards = {
  approved: '4111111111111111',
  declined: '4000000000000002',
  processorError: '4000000000000119',
} as const;

/**
 * The test processor remembers its charges by attempt (in the isolate, bounded), so a retried
 * attempt is answered with its first charge and reconciliation can ask about it, as with Stripe.
 */
const testCharges = new Map<string, { result: ChargeResult; refunded: boolean }>();
const testChargesKept = 10_000;

function testCharge(options: ChargeOptions, charge: () => ChargeResult): ChargeResult {
  const seen = testCharges.get(options.attempt);
  if (seen) return seen.result;
  const result = charge();
  remember(testCharges, options.attempt, { result, refunded: false }, testChargesKept);
  return result;
}

export const testProcessor: PaymentProcessor = {
  async chargeCard(card, _amount, _currency, options) {
    if (card.number === testCards.declined) return { ok: false, reason: 'declined', message: 'The card was declined.' };
    if (card.number === testCards.processorError) {
      return { ok: false, reason: 'processor_error', message: 'The payment processor could not be reached.' };
    }
    return testCharge(options, () => ({
      ok: true,
      transactionId: `test_txn_${crypto.randomUUID()}`,
      card: {
        // The token names the card at the processor; in the test processor it reveals nothing.
        token: `test_tok_${crypto.randomUUID()}`,
        brand: cardBrand(card.number),
        last4: lastFour(card.number),
        expiryMonth: card.expiryMonth,
        expiryYear: card.expiryYear,
      },
    }));
  },
  async chargeToken(card, _amount, _currency, options) {
    return testCharge(options, () => ({ ok: true, transactionId: `test_txn_${crypto.randomUUID()}`, card }));
  },
  async refund(transactionId) {
    for (const charge of testCharges.values()) {
      if (charge.result.ok && charge.result.transactionId === transactionId) charge.refunded = true;
    }
    return { ok: true };
  },
  async findCharge(attempt) {
    const seen = testCharges.get(attempt);
    if (!seen?.result.ok) return { charged: false };
    const { transactionId, card } = seen.result;
    return { charged: true, transactionId, refunded: seen.refunded, card: { brand: card.brand, last4: card.last4 } };
  },
};
