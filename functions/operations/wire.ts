/** The operations API's wire forms of what the database returns: timestamps as ISO 8601 UTC with milliseconds. */

/** `2025-04-01T14:30:00.123456+00:00` (Postgres) becomes `2025-04-01T14:30:00.123Z` (the reference's form). */
export function isoMillis(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return new Date(value).toISOString();
}

export interface OperationsPurchase {
  id: string;
  created_at: string | null;
  leads_id: string | null;
  products_id: string | null;
  purchase_amount: number | null;
  date: string | null;
  description: string | null;
}

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

export interface OperationsRewardEvent {
  id: string;
  purchase_id: string;
  leads_id: string | null;
  trigger_id: string;
  reward_type: 'fixed' | 'percentage';
  amount: number;
  currency: string;
  created_at: string | null;
}

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
