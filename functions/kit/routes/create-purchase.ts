/** POST /v4/purchases: records a purchase, or updates the one with the same transaction_id. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { validate } from '../../../shared/app/validate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { accessToken, kit } from '../access-token.ts';
import { kitErrors } from '../errors.ts';
import { createPurchaseRpc } from '../rpcs.ts';
import { kitPurchaseRequest } from '../schema.ts';
import { kitPurchaseForLedger, toKitPurchase } from '../wire.ts';

export const createPurchase = kit.createHandlers(accessToken, validate('json', kitPurchaseRequest, kitErrors), async (c) => {
  const { purchase } = c.req.valid('json');
  const result = await callTypedRpc(await callerDatabase(c), createPurchaseRpc, { purchase: kitPurchaseForLedger(purchase) });
  // A new transaction_id is a created purchase (201); a known one updated it (200).
  return c.json({ purchase: toKitPurchase(result.purchase) }, result.created ? 201 : 200);
});
