/**
 * DPD's routes (shared/app/routes.ts): mounted by index.ts (under /v2 and at the root, as DPD
 * serves them), documented by openapi.ts, listed by the edge.
 */
import { defineRoutes } from '../../shared/app/routes.ts';

export const dpdRoutes = defineRoutes({
  ping: { method: 'GET', path: '/', summary: 'Test the credentials' },
  listPurchases: { method: 'GET', path: '/purchases', summary: 'List purchases', purpose: 'List purchases, newest first, with filters' },
  getPurchase: { method: 'GET', path: '/purchases/:id', summary: 'Get a purchase', purpose: 'One purchase, every attribute' },
  reactivatePurchase: { method: 'POST', path: '/purchases/:id/reactivate', summary: 'Reactivate a purchase', purpose: 'Renew the downloads and mail them again' },
});
