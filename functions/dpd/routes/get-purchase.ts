/** GET /purchases/:id: one purchase with every field DPD documents. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { callJsonRpc } from '../../../shared/db/index.ts';
import { basicAuth, dpd } from '../basic-auth.ts';
import { toDpdPurchase } from '../wire.ts';
import { purchaseId } from './purchase-id.ts';

export const getPurchase = dpd.createHandlers(basicAuth, purchaseId, async (c) => {
  const { id } = c.req.valid('param');
  return c.json(toDpdPurchase(await callJsonRpc<Record<string, unknown>>(await callerDatabase(c), 'dpd_get_purchase', { purchase_number: id })));
});
