/** GET /purchases: newest first, 100 a page, every documented filter; the count in Dpd-Collection-Count. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { validate } from '../../../shared/app/validate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { ApiError } from '../../../shared/errors/index.ts';
import { basicAuth, dpd } from '../basic-auth.ts';
import { dpdErrors } from '../errors.ts';
import { dpdListQuerySchema, listArguments } from '../query.ts';
import { listPurchasesRpc } from '../rpcs.ts';
import { toDpdPurchase } from '../wire.ts';

export const listPurchases = dpd.createHandlers(basicAuth, validate('query', dpdListQuerySchema(), dpdErrors), async (c) => {
  const args = listArguments(c.req.valid('query'));
  const result = await callTypedRpc(await callerDatabase(c), listPurchasesRpc, {
    ...args,
    total: args.total as unknown as number,
  });
  c.header('Dpd-Collection-Count', String(result.count));
  // DPD's clients stop paging at the first page that is not there.
  if (result.purchases.length === 0 && args.page_number > 1) throw new ApiError('not_found', `There is no page ${args.page_number}.`);
  return c.json(result.purchases.map(toDpdPurchase));
});
