/** list_reward_events: the rewards the caller's purchases earned, for a purchase, a lead, or all. */
import * as z from 'zod/mini';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { uuid } from '../../../shared/validation/index.ts';
import { defineAction } from '../action.ts';
import { listRewardEventsRpc } from '../rpcs.ts';
import { toOperationsRewardEvent } from '../wire.ts';
import { pageFields } from './paging.ts';

export const listRewardEvents = defineAction({
  name: 'list_reward_events',
  schema: z.strictObject({
    action: z.literal('list_reward_events'),
    purchase_id: z.optional(uuid),
    lead_id: z.optional(uuid),
    ...pageFields,
  }),
  async run({ c, db, input }) {
    const result = await callTypedRpc(db, listRewardEventsRpc, {
      purchase: input.purchase_id,
      lead: input.lead_id,
      page_size: input.limit ?? 50,
      after_id: input.starting_after,
    });
    return c.json({ reward_events: result.reward_events.map(toOperationsRewardEvent), has_more: result.has_older });
  },
});
