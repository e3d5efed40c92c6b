/**
 * The publisher API's routes (shared/app/routes.ts): mounted by app.ts, documented by openapi.ts,
 * listed by the edge. `root` is the XML root element of each route's answers, errors included.
 */
import { defineRoutes } from '../../shared/app/routes.ts';

export const groupCommerceRoutes = defineRoutes({
  purchase: { method: 'POST', path: '/api/v3/publisher/order', summary: 'Purchase', purpose: 'Place an order', root: 'purchaseResponse' },
  validateOrder: {
    method: 'POST',
    path: '/api/v3/publisher/order/validate',
    summary: 'ValidateOrder',
    purpose: 'Check and price an order, creating nothing',
    root: 'validateOrderResponse',
  },
  consumerCreditCards: {
    method: 'GET',
    path: '/api/v3/publisher/consumer/creditcards',
    summary: 'Consumer - Credit Cards',
    purpose: "A consumer's stored cards",
    root: 'creditCardsResponse',
  },
});
