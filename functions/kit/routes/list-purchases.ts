/** GET /v4/purchases: newest first, in pages with Kit's opaque keyset cursors. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { validate } from '../../../shared/app/validate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { accessToken, kit } from '../access-token.ts';
import { encodeCursor } from '../cursor.ts';
import { kitErrors } from '../errors.ts';
import { kitPageQuerySchema, readPageQuery } from '../schema.ts';
import { listPurchasesRpc } from '../rpcs.ts';
import { toKitPurchase } from '../wire.ts';

export const listPurchases = kit.createHandlers(accessToken, validate('query', kitPageQuerySchema, kitErrors), async (c) => {
  const query = readPageQuery(c.req.valid('query'));
  const page = await callTypedRpc(await callerDatabase(c), listPurchasesRpc, {
    page_size: query.perPage,
    after_number: query.after ?? undefined,
    before_number: query.before ?? undefined,
    with_count: query.withTotal,
  });
  return c.json({
    purchases: page.purchases.map((purchase) => toKitPurchase(purchase, true)),
    pagination: {
      has_previous_page: page.has_newer,
      has_next_page: page.has_older,
      start_cursor: page.newest === null ? null : encodeCursor(page.newest),
      end_cursor: page.oldest === null ? null : encodeCursor(page.oldest),
      per_page: query.perPage,
      ...(query.withTotal ? { total_count: page.count } : {}),
    },
  });
});
