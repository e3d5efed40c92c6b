/**
 * The ledger's vocabulary: what the database's RPCs take and return, named as the `ledger.*`
 * tables name it (a purchase, its lines, customer, shipment, coupons, custom fields, amounts and
 * addresses). Each API maps its vendor's wire form to these and back in its own worker; no vendor
 * field name reaches SQL (supabase/tests/ledger-vocabulary.test.ts checks the migrations).
 *
 * Each shape is written here once, with every field the ledger has; each API's RPC schemas pick
 * the fields its RPCs return (functions/<api>/rpcs.ts). Values are as PostgREST hands them over: ids as
 * text, timestamps as Postgres' ISO text, numeric money as JSON numbers of at most two decimals
 * (exact as a double, never computed on as one).
 */
import * as z from 'zod/mini';

const text = z.string();
const optionalText = z.nullable(z.string());
/** numeric(14,2), or null where the reporter gave none. */
const amount = z.nullable(z.number());
/** A timestamptz as Postgres writes it in JSON. */
const timestamp = z.string();
/** The short integer ids (`number` columns) the APIs with integer ids show. */
const integer = z.number();

/** ledger.customers. */
export const ledgerCustomer = z.object({
  id: text,
  number: integer,
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  receives_email: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

/** ledger.purchase_items, with its product's own ids and name beside it. */
export const ledgerLine = z.object({
  number: integer,
  product_id: text,
  /** The product's integer id (ledger.products.number). */
  product_number: integer,
  /** The product's code (ledger.products.code), the id some APIs' clients know it by. */
  product_code: optionalText,
  /** The line's own name, or its product's when the line has none. */
  name: text,
  quantity: integer,
  unit_price: amount,
  line_id: optionalText,
  sku: optionalText,
  tax: z.number(),
  discount: z.number(),
  download_limit: integer,
  download_count: integer,
  expires_at: z.nullable(timestamp),
  product_keys: z.array(text),
  keys_wanted: integer,
});

/** ledger.shipments. */
export const ledgerShipment = z.object({
  status: z.enum(['pending', 'shipped', 'delivered', 'cancelled']),
  carrier: optionalText,
  tracking_number: optionalText,
});

/** ledger.purchase_custom_fields. */
export const ledgerCustomField = z.object({ label: text, response: text });

/** ledger.purchase_coupons. */
export const ledgerCoupon = z.object({
  name: text,
  code: text,
  discount_amount: z.number(),
  discount_type: z.enum(['money', 'percent']),
});

/** ledger.stored_cards: what the payment processor returned for a card a consumer kept (never the card). */
export const ledgerStoredCard = z.object({
  id: text,
  processor_token: text,
  brand: text,
  last4: text,
  expiry_month: integer,
  expiry_year: integer,
});

export const purchaseStatuses = ['paid', 'pending', 'refunded', 'error', 'canceled', 'held'] as const;

/** ledger.purchases, with what hangs off it (customer, lines, shipment, custom fields, coupons). */
export const ledgerPurchase = z.object({
  id: text,
  number: integer,
  source: text,
  lead_id: optionalText,
  channel_id: optionalText,
  currency: optionalText,
  total: amount,
  subtotal: amount,
  tax: amount,
  shipping: amount,
  discount: amount,
  processor_fee: amount,
  status: z.enum(purchaseStatuses),
  purchased_at: timestamp,
  created_at: timestamp,
  updated_at: timestamp,
  description: optionalText,
  external_id: optionalText,
  salt: text,
  customer_notes: optionalText,
  requires_shipping: z.boolean(),
  shipping_first_name: optionalText,
  shipping_last_name: optionalText,
  shipping_street: optionalText,
  shipping_street2: optionalText,
  shipping_city: optionalText,
  shipping_state: optionalText,
  shipping_zip: optionalText,
  shipping_country_code: optionalText,
  shipping_phone: optionalText,
  shipping_vatin: optionalText,
  shipping_business_name: optionalText,
  billing_first_name: optionalText,
  billing_last_name: optionalText,
  billing_street: optionalText,
  billing_street2: optionalText,
  billing_city: optionalText,
  billing_state: optionalText,
  billing_zip: optionalText,
  billing_country_code: optionalText,
  billing_card_type: optionalText,
  billing_card_last4: optionalText,
  ip_address: optionalText,
  marketing_optin: z.boolean(),
  /** The storefront's integer id (ledger.storefronts.number). */
  storefront_number: z.nullable(integer),
  customer: z.nullable(ledgerCustomer),
  lines: z.array(ledgerLine),
  shipment: z.nullable(ledgerShipment),
  custom_fields: z.array(ledgerCustomField),
  coupons: z.array(ledgerCoupon),
});

/** ledger.reward_events. */
export const ledgerRewardEvent = z.object({
  id: text,
  purchase_id: text,
  lead_id: optionalText,
  trigger_id: text,
  reward_type: z.enum(['fixed', 'percentage']),
  amount: z.number(),
  currency: text,
  created_at: timestamp,
});

export type LedgerRewardEvent = z.output<typeof ledgerRewardEvent>;
