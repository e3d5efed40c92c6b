/**
 * The webhook events, one JSON shape whatever API recorded the purchase. The database writes them
 * (supabase/migrations/*_deliveries.sql); these schemas document them in every API's OpenAPI
 * `webhooks` section and are what the tests hold each received event to (strict: a field the
 * database adds without a line here fails them).
 */
import * as z from 'zod/mini';
import { apiNames } from '../apis.ts';

export const webhookEventTypes = ['purchase.created', 'purchase.updated', 'purchase.reactivated', 'reward.created', 'order.placed'] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

const uuid = z.string().check(z.regex(/^[0-9a-f-]{36}$/));
const timestamp = z.string().check(z.regex(/^\d{4}-\d\d-\d\dT/));
/** Exact decimal text with two places, as the ledger keeps money. */
const money = z.string().check(z.regex(/^-?\d+\.\d{2}$/));
const nullable = <T extends z.core.$ZodType>(schema: T) => z.nullable(schema);

const purchase = z.strictObject({
  id: uuid,
  number: z.number(),
  source: z.enum(apiNames),
  status: z.enum(['paid', 'pending', 'refunded', 'error', 'canceled', 'held']),
  external_id: nullable(z.string()),
  currency: nullable(z.string()),
  subtotal: nullable(money),
  tax: nullable(money),
  shipping: nullable(money),
  discount: nullable(money),
  total: nullable(money),
  lead_id: nullable(uuid),
  channel_id: nullable(uuid),
  purchased_at: timestamp,
  created_at: timestamp,
  updated_at: timestamp,
  customer: nullable(
    z.strictObject({ id: uuid, email: nullable(z.string()), first_name: nullable(z.string()), last_name: nullable(z.string()) }),
  ),
  items: z.array(
    z.strictObject({
      product_id: uuid,
      product_code: nullable(z.string()),
      name: z.string(),
      sku: nullable(z.string()),
      quantity: z.number(),
      unit_price: nullable(money),
    }),
  ),
});

const reward = z.strictObject({
  id: uuid,
  purchase_id: uuid,
  purchase_number: z.number(),
  trigger_id: uuid,
  lead_id: nullable(uuid),
  reward_type: z.enum(['fixed', 'percentage']),
  amount: money,
  currency: z.string(),
  created_at: timestamp,
});

const order = z.strictObject({
  subtotal: money,
  discount: money,
  credit_value_used: money,
  charged: money,
  payment: z.enum(['new_card', 'stored_card', 'off_platform', 'none']),
  promo_codes: z.array(z.string()),
  credits_awarded: money,
});

/** Each event's `data`. */
export const webhookEventData = {
  'purchase.created': z.strictObject({ purchase }),
  'purchase.updated': z.strictObject({ purchase }),
  'purchase.reactivated': z.strictObject({ purchase, refulfilled: z.boolean(), sent_to: z.string() }),
  'reward.created': z.strictObject({ reward }),
  'order.placed': z.strictObject({ purchase, order }),
} satisfies Record<WebhookEventType, z.core.$ZodType>;

/** What each event means, for the documents. */
export const webhookEventDescriptions: Record<WebhookEventType, string> = {
  'purchase.created': 'A purchase was recorded, through any of the five APIs. Sent once its transaction committed, with its items.',
  'purchase.updated': "A recorded purchase changed (its status, amounts or items: Kit's corrections, DPD's reactivation of a refunded purchase).",
  'purchase.reactivated': "DPD's reactivate renewed a purchase's downloads (and, refulfilled, its keys) and mailed them to `sent_to`.",
  'reward.created': "A purchase against a lead earned a reward under one of its channel's triggers.",
  'order.placed': 'A publisher order was placed: its purchase, and what it cost, used and earned in credits.',
};

/** The body of every webhook request: `{ type, timestamp, data }`, as Standard Webhooks recommends. */
export function webhookEventSchema<T extends WebhookEventType>(type: T) {
  return z.strictObject({ type: z.literal(type), timestamp, data: webhookEventData[type] });
}
