/** Lumen's route (shared/app/routes.ts): mounted by index.ts, documented by openapi.ts, listed by the edge. */
import { defineRoutes } from '../../shared/app/routes.ts';

export const lumenRoutes = defineRoutes({
  reportPurchase: { method: 'POST', path: '/partners/v1/purchases', summary: 'Report a purchase', purpose: 'Report a purchase (one per partnerPurchaseId)' },
});
