/**
 * Kit's wire form: its answers as zod schemas (the API document shows them), and the mapping
 * between Kit's names and the ledger's, both ways.
 */
import * as z from 'zod/mini';
import { isoSeconds } from '../../shared/ledger/timestamps.ts';
import type { KitPurchaseForLedger, KitRpcPurchase } from './rpcs.ts';
import { kitStatuses, type KitPurchaseRequest } from './schema.ts';

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

/** A ledger purchase as Kit answers it; reads (not the create) name the subscriber too. */
export function toKitPurchase(purchase: KitRpcPurchase): KitPurchase;
export function toKitPurchase(purchase: KitRpcPurchase, withSubscriber: true): KitPurchaseWithSubscriber;
export function toKitPurchase(purchase: KitRpcPurchase, withSubscriber = false): KitPurchase | KitPurchaseWithSubscriber {
  return {
    id: purchase.number,
    transaction_id: purchase.external_id,
    ...(withSubscriber ? { subscriber_id: purchase.customer?.number ?? null } : {}),
    status: purchase.status,
    email_address: purchase.customer?.email ?? null,
    currency: purchase.currency,
    transaction_time: isoSeconds(purchase.purchased_at),
    subtotal: purchase.subtotal,
    discount: purchase.discount,
    tax: purchase.tax,
    total: purchase.total,
    products: purchase.lines.map((line) => ({
      quantity: line.quantity,
      lid: line.line_id,
      unit_price: line.unit_price,
      sku: line.sku,
      name: line.name,
      pid: line.product_code,
    })),
  };
}

/** A validated Kit purchase in the ledger's names; the status is paid unless Kit's client said otherwise. */
export function kitPurchaseForLedger(purchase: KitPurchaseRequest): KitPurchaseForLedger {
  return {
    external_id: purchase.transaction_id,
    status: purchase.status ?? 'paid',
    currency: purchase.currency,
    purchased_at: purchase.transaction_time,
    subtotal: purchase.subtotal,
    tax: purchase.tax,
    shipping: purchase.shipping,
    discount: purchase.discount,
    total: purchase.total,
    customer: { email: purchase.email_address },
    lines: purchase.products.map((product) => ({
      product_code: product.pid,
      name: product.name,
      line_id: product.lid,
      quantity: product.quantity,
      unit_price: product.unit_price,
      sku: product.sku,
    })),
  };
}
