/** The operations function's RPCs and the ledger shapes they answer with (shared/ledger). */
import * as z from 'zod/mini';
import { defineRpc } from '../../shared/db/index.ts';
import { ledgerLine, ledgerPurchase, ledgerRewardEvent } from '../../shared/ledger/schemas.ts';

const purchase = z.extend(
  z.pick(ledgerPurchase, { id: true, created_at: true, lead_id: true, total: true, purchased_at: true, description: true }),
  { lines: z.array(z.pick(ledgerLine, { product_id: true })) },
);
export type OperationsRpcPurchase = z.output<typeof purchase>;

/** Pages are newest first: whether older rows follow the page. */
const page = { has_older: z.boolean() };

export const createPurchaseRpc = defineRpc('operations_create_purchase', z.object({ purchase, replayed: z.boolean() }));
export const getPurchaseRpc = defineRpc('operations_get_purchase', z.object({ purchase }));
export const listPurchasesRpc = defineRpc('operations_list_purchases', z.object({ purchases: z.array(purchase), ...page }));
export const listRewardEventsRpc = defineRpc('operations_list_reward_events', z.object({ reward_events: z.array(ledgerRewardEvent), ...page }));
