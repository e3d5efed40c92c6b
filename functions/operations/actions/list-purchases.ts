/** list_purchases: the caller's purchases against one lead, newest first, for reconciliation. */
import * as z from 'zod/mini';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { uuid } from '../../../shared/validation/index.ts';
import { defineAction } from '../action.ts';
import { listPurchasesRpc } from '../rpcs.ts';
import { toOperationsPurchase } from '../wire.ts';
import { pageFields } from './paging.ts';

export const listPurchases = defineAction({
  name: 'list_purchases',
  schema: z.strictObject({ action: z.literal('list_purchases'), lead_id: uuid, ...pageFields }),
  async run({ c, db, input }) {
    const result = await callTypedRpc(db, listPurchasesRpc, {
      lead: input.lead_id,
      page_size: input.limit ?? 50,
      after_id: input.starting_after,
    });
    return c.json({ purchases: result.purchases.map(toOperationsPurchase), has_more: result.has_older });
  },
});
