/** Paging fields the list actions share: a page size and a cursor, Stripe-style. */
import * as z from 'zod/mini';
import { uuid } from '../../../shared/validation/index.ts';

export const pageFields = {
  /** Items per page, 1 to 100 (default 50). */
  limit: z.optional(
    z.number({ error: 'must be a whole number from 1 to 100' }).check(
      z.int({ error: 'must be a whole number from 1 to 100' }),
      z.minimum(1, { error: 'must be a whole number from 1 to 100' }),
      z.maximum(100, { error: 'must be a whole number from 1 to 100' }),
    ),
  ),
  /** The id of the last item of the previous page. */
  starting_after: z.optional(uuid),
};
