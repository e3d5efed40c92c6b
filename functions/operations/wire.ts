/**
 * The operations API's wire forms of what the database returns: timestamps as ISO 8601 UTC with
 * milliseconds. The zod schemas are the one description of each shape: the types below come from
 * them, and the OpenAPI document is written from them.
 */
import * as z from 'zod/mini';

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

/** The purchase object of the reference's response, from the RPC's row. */
export function toOperationsPurchase(row: Record<string, unknown>): OperationsPurchase {
  return {
    id: row.id as string,
    created_at: isoMillis(row.created_at),
    leads_id: (row.leads_id as string | null) ?? null,
    products_id: (row.products_id as string | null) ?? null,
    // numeric(14,2) arrives as a JSON number with at most two decimals: exact as a double.
    purchase_amount: (row.purchase_amount as number | null) ?? null,
    date: isoMillis(row.date),
    description: (row.description as string | null) ?? null,
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

export function toOperationsRewardEvent(row: Record<string, unknown>): OperationsRewardEvent {
  return {
    id: row.id as string,
    purchase_id: row.purchase_id as string,
    leads_id: (row.leads_id as string | null) ?? null,
    trigger_id: row.trigger_id as string,
    reward_type: row.reward_type as OperationsRewardEvent['reward_type'],
    amount: row.amount as number,
    currency: row.currency as string,
    created_at: isoMillis(row.created_at),
  };
}
