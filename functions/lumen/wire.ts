/** The 201 answer of POST /partners/v1/purchases: the purchase echoed as the reference's example shows it. */
import type * as z from 'zod/mini';
import type { lumenPurchaseOut } from './openapi.ts';
import type { LumenPurchase } from './schema.ts';

/** spec: ids look like `pur_a1b2c3d4e5`; ours are the ledger's purchase number in 10 hex digits. */
export function lumenPurchaseId(number: number): string {
  return `pur_${number.toString(16).padStart(10, '0')}`;
}

/** `2026-03-31T12:00:00Z`: the reference's timestamps carry whole seconds. */
export function isoSeconds(value: string): string {
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toLumenPurchase(purchase: LumenPurchase, created: { number: number; created_at: string }): z.output<typeof lumenPurchaseOut> {
  return {
    id: lumenPurchaseId(created.number),
    partnerPurchaseId: purchase.partnerPurchaseId,
    fulfillment: purchase.fulfillment,
    createdAt: isoSeconds(created.created_at),
    customer: purchase.customer,
    items: purchase.items,
    ...(purchase.shippingAddress ? { shippingAddress: purchase.shippingAddress } : {}),
    ...(purchase.additionalInfo ? { additionalInfo: purchase.additionalInfo } : {}),
    ...(purchase.properties ? { properties: purchase.properties } : {}),
  };
}
