/** Kit's routes (shared/app/routes.ts): mounted by index.ts, documented by openapi.ts, listed by the edge. */
import { defineRoutes } from '../../shared/app/routes.ts';

export const kitRoutes = defineRoutes({
  createPurchase: { method: 'POST', path: '/v4/purchases', summary: 'Create a purchase', purpose: 'Create or update a purchase' },
  listPurchases: { method: 'GET', path: '/v4/purchases', summary: 'List purchases', purpose: 'List purchases, newest first, by cursor' },
  getPurchase: { method: 'GET', path: '/v4/purchases/:id', summary: 'Get a purchase', purpose: 'One purchase with its subscriber' },
});
