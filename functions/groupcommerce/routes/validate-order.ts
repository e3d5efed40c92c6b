/** ValidateOrder: the same form, checks and prices as a purchase, nothing created. */
import { validateOrder } from '../orders.ts';
import { groupCommerceRoutes } from '../route-table.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';
import { answerOrder, orderContext, orderForm } from './order-form.ts';

export const validateOrderRoute = publisher.createHandlers(signedRequest, orderForm, async (c) => {
  return answerOrder(c, groupCommerceRoutes.validateOrder.root, await validateOrder(orderContext(c), c.req.valid('form'), c.get('publisher').spend).catch(revokedConsumer));
});
