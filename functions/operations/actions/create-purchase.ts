/** create_purchase: a purchase against a lead, with its events and rewards, replayable by Idempotency-Key. */
import * as z from 'zod/mini';
import { sha256Hex } from '../../../shared/crypto/index.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { isoTimestamp, money, plainText, uuid } from '../../../shared/validation/index.ts';
import { defineAction } from '../action.ts';
import { createPurchaseRpc } from '../rpcs.ts';
import { toOperationsPurchase } from '../wire.ts';

export const createPurchase = defineAction({
  name: 'create_purchase',
  schema: z.strictObject({
    action: z.literal('create_purchase'),
    lead_id: uuid,
    product_id: z.optional(z.nullable(uuid)),
    // spec: the amount in the channel's currency. Omitted, the purchase has no amount (and earns no percentage reward).
    purchase_amount: z.optional(z.nullable(money())),
    // spec: defaults to the current time.
    date: z.optional(z.nullable(isoTimestamp)),
    description: z.optional(z.nullable(plainText(2000))),
  }),
  async run({ c, db, input, idempotencyKey }) {
    const { purchase, replayed } = await callTypedRpc(db, createPurchaseRpc, {
      lead: input.lead_id,
      product: input.product_id ?? undefined,
      // An exact decimal string: PostgREST hands it to the numeric parameter as text, no float on the way.
      amount: (input.purchase_amount ?? undefined) as unknown as number,
      purchased_at: input.date ?? undefined,
      note: input.description ?? undefined,
      idempotency_key: idempotencyKey ?? undefined,
      request_hash: idempotencyKey ? await sha256Hex(canonicalJson(input)) : undefined,
    });
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json({ purchase: toOperationsPurchase(purchase) }, 201);
  },
});

/** JSON with keys sorted at every level, so equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
