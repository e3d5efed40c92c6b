/** get_purchase: one of the caller's purchases by id. */
import * as z from 'zod/mini';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { uuid } from '../../../shared/validation/index.ts';
import { defineAction } from '../action.ts';
import { getPurchaseRpc } from '../rpcs.ts';
import { toOperationsPurchase } from '../wire.ts';

export const getPurchase = defineAction({
  name: 'get_purchase',
  schema: z.strictObject({ action: z.literal('get_purchase'), purchase_id: uuid }),
  async run({ c, db, input }) {
    const result = await callTypedRpc(db, getPurchaseRpc, {
      purchase: input.purchase_id,
    });
    return c.json({ purchase: toOperationsPurchase(result.purchase) });
  },
});
