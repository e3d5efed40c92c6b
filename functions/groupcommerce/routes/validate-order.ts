/** POST /api/v3/publisher/order/validate (ValidateOrder): the same form, checks and prices as a purchase, nothing created. */
import { validateOrder } from '../orders.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';
import { answerOrder, orderContext, orderForm } from './order-form.ts';

export const validateOrderRoute = publisher.createHandlers(signedRequest, orderForm, async (c) => {
  return answerOrder(c, 'validateOrderResponse', await validateOrder(orderContext(c), c.req.valid('form'), c.get('publisher').spend).catch(revokedConsumer));
});
