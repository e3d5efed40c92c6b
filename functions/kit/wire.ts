/**
 * Kit's answers as zod schemas: what private.kit_purchase_json builds in the database, so the routes
 * type what the RPCs return by them and the API document shows them.
 */
import * as z from 'zod/mini';
import { kitStatuses } from './schema.ts';

const amount = z.nullable(z.number());

export const kitProductOut = z.object({
  quantity: z.number(),
  lid: z.nullable(z.string()),
  unit_price: amount,
  sku: z.nullable(z.string()),
  name: z.string(),
  pid: z.nullable(z.string()),
});

/** A purchase as Kit answers it; purchases reported through the other APIs carry what is known. */
export const kitPurchaseOut = z.object({
  id: z.number(),
  transaction_id: z.nullable(z.string()),
  status: z.enum(kitStatuses),
  email_address: z.nullable(z.string()),
  currency: z.nullable(z.string()),
  transaction_time: z.string(),
  subtotal: amount,
  discount: amount,
  tax: amount,
  total: amount,
  products: z.array(kitProductOut),
});

export const kitPurchaseResponse = z.object({ purchase: kitPurchaseOut });
/** Reads name the subscriber too. */
export const kitPurchaseWithSubscriberOut = z.extend(kitPurchaseOut, { subscriber_id: z.nullable(z.number()) });
export const kitPurchaseWithSubscriberResponse = z.object({ purchase: kitPurchaseWithSubscriberOut });
export const kitListResponse = z.object({
  purchases: z.array(kitPurchaseWithSubscriberOut),
  pagination: z.object({
    has_previous_page: z.boolean(),
    has_next_page: z.boolean(),
    start_cursor: z.nullable(z.string()),
    end_cursor: z.nullable(z.string()),
    per_page: z.number(),
    total_count: z.optional(z.number()),
  }),
});

export type KitPurchase = z.output<typeof kitPurchaseOut>;
export type KitPurchaseWithSubscriber = z.output<typeof kitPurchaseWithSubscriberOut>;
