/** The publisher API's RPCs and the ledger shapes they take and answer with (shared/ledger). */
import * as z from 'zod/mini';
import { answersNothing, defineRpc } from '../../shared/db/index.ts';
import { ledgerStoredCard } from '../../shared/ledger/schemas.ts';

/** Amounts the order RPCs compute, as exact decimal strings. */
const decimalText = z.string().check(z.regex(/^-?\d+(\.\d+)?$/));

/**
 * What the database answers about an order. price_changed and reconciled: a charged order not
 * placed (answered as errors, never to a client as such).
 */
const orderOutcome = z.object({
  outcome: z.enum(['validated', 'duplicate', 'charge_required', 'placed', 'price_changed', 'reconciled']),
  currency: z.string(),
  charge_amount: decimalText,
  credit_value_used: decimalText,
  /** The credits the order awards its customer (placed: awarded; otherwise: would award). */
  credits_awarded: decimalText,
  /** The earlier order this one repeats. */
  duplicate_number: z.nullable(z.number()),
  /** placed: the order's (its purchase's) number. */
  number: z.optional(z.number()),
  /** charge_required: the stored card to charge, if the order names one. */
  stored_card: z.optional(z.nullable(ledgerStoredCard)),
  /** charge_required: the charge attempt, whose id keys the charge. */
  attempt_id: z.optional(z.string()),
  /** After a charge: the order was not placed and the charge must be given back. */
  refund: z.optional(z.boolean()),
});
export type OrderOutcome = z.output<typeof orderOutcome>;

export const orderRpc = defineRpc('gc_order', orderOutcome);
export const placeChargedOrderRpc = defineRpc('gc_place_charged_order', orderOutcome);
export const settleChargeAttemptRpc = defineRpc('gc_settle_charge_attempt', answersNothing);
/** The sealed secret of a consumer key, or null for a key that is not (or no longer) one. */
export const consumerSecretRpc = defineRpc('oauth_consumer_secret', z.nullable(z.string()));
/** The request's nonce spent: the company whose consumer key signed it. */
export const acceptRequestRpc = defineRpc('oauth_accept_request', z.array(z.object({ company_id: z.string(), company_slug: z.string() })));
export const consumerCardsRpc = defineRpc('gc_consumer_credit_cards', z.array(z.omit(ledgerStoredCard, { processor_token: true })));

const settlement = z.union([
  z.object({ outcome: z.enum(['failed', 'refunded', 'refund', 'unchanged']) }),
  z.object({ outcome: z.literal('placed'), number: z.number() }),
]);
export const reconcileClaimRpc = defineRpc(
  'reconcile_claim',
  z.array(z.object({ id: z.string(), amount: decimalText, currency: z.string(), created_at: z.string(), touched_at: z.string() })),
);
export const reconcileSettleRpc = defineRpc('reconcile_settle', settlement);

/** A line of an order in the ledger's names: the offer option ordered, and the gift and shipping details of ledger.publisher_order_details. */
export type OrderLineForLedger = {
  offer_number: number;
  option_number: number;
  segment_key: string;
  quantity: number;
  is_gift: boolean;
  recipient_email?: string;
  recipient_first_name?: string;
  recipient_last_name?: string;
  gift_message?: string;
  shipping_name?: string;
  address?: string;
  address2?: string;
  city?: string;
  state?: string;
  country?: string;
  postal_code?: string;
  shipping_phone?: string;
};

/**
 * An order in the ledger's names (private.gc_quote lists them): its customer, lines, payment, and
 * the columns of ledger.purchases and ledger.publisher_orders it fills. No card number, CVV,
 * expiry or holder: those only ever go to the processor.
 */
export type OrderForLedger = {
  customer: { user_key: string; email?: string; first_name?: string; last_name?: string; no_email: boolean; referred_by_user_key?: string };
  lines: OrderLineForLedger[];
  payment: 'new_card' | 'stored_card' | 'off_platform';
  stored_card_id?: string;
  store_card: boolean;
  spend_credits: boolean;
  promo_codes: string[];
  use_promotional_price: boolean;
  allow_duplicate: boolean;
  send_email: boolean;
  billing_street?: string;
  billing_street2?: string;
  billing_city?: string;
  billing_state?: string;
  billing_zip?: string;
  billing_country_code?: string;
  shipping_first_name?: string;
  shipping_last_name?: string;
  shipping_street?: string;
  shipping_street2?: string;
  shipping_city?: string;
  shipping_state?: string;
  shipping_zip?: string;
  shipping_country_code?: string;
  shipping_phone?: string;
  external_amount_charged?: string;
  external_credit_value_used?: string;
  external_payment_type?: number;
  external_transaction_id?: string;
  affiliate_id?: number;
  affiliate_source?: string;
  affiliate_started_at?: string;
  tracking_fields: Array<{ Key: string; Value: string }>;
  custom_tracking?: string;
};

/** What gc_place_charged_order takes of the charge. */
export type ChargeForLedger = {
  attempt_id: string;
  amount: string;
  transaction_id: string;
  billing_card_type: string;
  billing_card_last4: string;
  /** The card to keep, when the consumer asked to store it. */
  card?: { processor_token: string; brand: string; last4: string; expiry_month: number; expiry_year: number };
};
