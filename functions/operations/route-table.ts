/** The operations function's route (shared/app/routes.ts): mounted by index.ts, documented by openapi.ts, listed by the edge. */
import { defineRoutes } from '../../shared/app/routes.ts';

export const operationsRoutes = defineRoutes({
  operations: {
    method: 'POST',
    path: '/functions/v1/openapi-operations',
    summary: 'Run an action',
    purpose: 'create_purchase, get_purchase, list_purchases, list_reward_events',
  },
});
