/**
 * Payments through a processor interface. The built-in test processor serves local use and tests
 * and never moves money: the card numbers below decide the outcome. A real processor implements
 * the same interface. Card numbers and CVVs are only ever passed through, never stored or logged:
 * what is kept of a card is the processor's token, the brand, the last four digits and the expiry.
 */
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
   */
  | { ok: false; reason: 'declined' | 'refused' | 'processor_error'; message: string; detail?: string };

/** What a charge is part of. */
export interface ChargeOptions {
  /**
   * The order attempt (the signed request's consumer and nonce): every processor call it makes is
   * keyed by it, so a retried call never charges twice.
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
  /** Gives a charge back in full (an order that could not be placed after its charge). */
  refund(transactionId: string): Promise<{ ok: true } | { ok: false; message: string }>;
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

export const testProcessor: PaymentProcessor = {
  async chargeCard(card) {
    if (card.number === testCards.declined) return { ok: false, reason: 'declined', message: 'The card was declined.' };
    if (card.number === testCards.processorError) {
      return { ok: false, reason: 'processor_error', message: 'The payment processor could not be reached.' };
    }
    return {
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
    };
  },
  async chargeToken(card) {
    return { ok: true, transactionId: `test_txn_${crypto.randomUUID()}`, card };
  },
  async refund() {
    return { ok: true };
  },
};
