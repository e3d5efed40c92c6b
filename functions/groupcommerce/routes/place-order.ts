/** Purchase: checks, prices, charges and records the order. */
import { placeOrder } from '../orders.ts';
import { groupCommerceRoutes } from '../route-table.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';
import { answerOrder, orderContext, orderForm } from './order-form.ts';

export const placeOrderRoute = publisher.createHandlers(signedRequest, orderForm, async (c) => {
  return answerOrder(c, groupCommerceRoutes.purchase.root, await placeOrder(orderContext(c), c.req.valid('form'), c.get('publisher').spend).catch(revokedConsumer));
});
