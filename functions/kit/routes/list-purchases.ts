/** GET /v4/purchases: newest first, in pages with Kit's opaque keyset cursors. */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { validate } from '../../../shared/app/validate.ts';
import { callJsonRpc } from '../../../shared/db/index.ts';
import { accessToken, kit } from '../access-token.ts';
import { encodeCursor } from '../cursor.ts';
import { kitErrors } from '../errors.ts';
import { kitPageQuerySchema, readPageQuery } from '../schema.ts';
import type { KitPurchaseWithSubscriber } from '../wire.ts';

export const listPurchases = kit.createHandlers(accessToken, validate('query', kitPageQuerySchema, kitErrors), async (c) => {
  const query = readPageQuery(c.req.valid('query'));
  const page = await callJsonRpc<{
    purchases: KitPurchaseWithSubscriber[];
    newest: number | null;
    oldest: number | null;
    has_previous_page: boolean;
    has_next_page: boolean;
    total_count: number | null;
  }>(await callerDatabase(c), 'kit_list_purchases', {
    page_size: query.perPage,
    after_number: query.after ?? undefined,
    before_number: query.before ?? undefined,
    with_total_count: query.withTotal,
  });
  return c.json({
    purchases: page.purchases,
    pagination: {
      has_previous_page: page.has_previous_page,
      has_next_page: page.has_next_page,
      start_cursor: page.newest === null ? null : encodeCursor(page.newest),
      end_cursor: page.oldest === null ? null : encodeCursor(page.oldest),
      per_page: query.perPage,
      ...(query.withTotal ? { total_count: page.total_count } : {}),
    },
  });
});
