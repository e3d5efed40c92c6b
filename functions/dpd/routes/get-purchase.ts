/** GET /purchases/:id: one purchase with every field DPD documents. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { basicAuth, dpd } from '../basic-auth.ts';
import { getPurchaseRpc } from '../rpcs.ts';
import { toDpdPurchase } from '../wire.ts';
import { purchaseId } from './purchase-id.ts';

export const getPurchase = dpd.createHandlers(basicAuth, purchaseId, async (c) => {
  const { id } = c.req.valid('param');
  return c.json(toDpdPurchase(await callTypedRpc(await callerDatabase(c), getPurchaseRpc, { purchase_number: id })));
});
