/**
 * The operations API's wire forms of what the database returns: timestamps as ISO 8601 UTC with
 * milliseconds. The zod schemas are the one description of each shape: the types below come from
 * them, and the OpenAPI document is written from them.
 */
import * as z from 'zod/mini';
import type { LedgerRewardEvent } from '../../shared/ledger/schemas.ts';
import type { OperationsRpcPurchase } from './rpcs.ts';

/** `2025-04-01T14:30:00.123456+00:00` (Postgres) becomes `2025-04-01T14:30:00.123Z` (the reference's form). */
export function isoMillis(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return new Date(value).toISOString();
}

export const operationsPurchaseOut = z.object({
  id: z.string().check(z.uuid()),
  created_at: z.nullable(z.string()),
  leads_id: z.nullable(z.string()),
  products_id: z.nullable(z.string()),
  purchase_amount: z.nullable(z.number()),
  date: z.nullable(z.string()),
  description: z.nullable(z.string()),
});
export type OperationsPurchase = z.output<typeof operationsPurchaseOut>;

/** The purchase object of the reference's response, from the ledger's purchase. */
export function toOperationsPurchase(purchase: OperationsRpcPurchase): OperationsPurchase {
  return {
    id: purchase.id,
    created_at: isoMillis(purchase.created_at),
    leads_id: purchase.lead_id,
    // The operations API records at most one product per purchase; another API's purchase shows its first.
    products_id: purchase.lines[0]?.product_id ?? null,
    // numeric(14,2) arrives as a JSON number with at most two decimals: exact as a double.
    purchase_amount: purchase.total,
    date: isoMillis(purchase.purchased_at),
    description: purchase.description,
  };
}

export const operationsRewardEventOut = z.object({
  id: z.string(),
  purchase_id: z.string(),
  leads_id: z.nullable(z.string()),
  trigger_id: z.string(),
  reward_type: z.enum(['fixed', 'percentage']),
  amount: z.number(),
  currency: z.string(),
  created_at: z.nullable(z.string()),
});
export type OperationsRewardEvent = z.output<typeof operationsRewardEventOut>;

export function toOperationsRewardEvent(event: LedgerRewardEvent): OperationsRewardEvent {
  return {
    id: event.id,
    purchase_id: event.purchase_id,
    leads_id: event.lead_id,
    trigger_id: event.trigger_id,
    reward_type: event.reward_type,
    amount: event.amount,
    currency: event.currency,
    created_at: isoMillis(event.created_at),
  };
}
