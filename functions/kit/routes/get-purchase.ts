/** GET /v4/purchases/{id}: one purchase of the account, with its subscriber. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { validate } from '../../../shared/app/validate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { ApiError } from '../../../shared/errors/index.ts';
import { purchaseIdParam } from '../../../shared/validation/index.ts';
import { accessToken, kit } from '../access-token.ts';
import { kitErrors } from '../errors.ts';
import { getPurchaseRpc } from '../rpcs.ts';
import { toKitPurchase } from '../wire.ts';

// An id that cannot be one of ours is as unknown as one of another account.
const unknownPurchase = () => new ApiError('not_found', 'Not Found');

export const getPurchase = kit.createHandlers(accessToken, validate('param', purchaseIdParam, kitErrors, { refusal: unknownPurchase }), async (c) => {
  const { id } = c.req.valid('param');
  const { purchase } = await callTypedRpc(await callerDatabase(c), getPurchaseRpc, { purchase_number: id });
  return c.json({ purchase: toKitPurchase(purchase, true) });
});
