/** POST /api/v3/publisher/order/validate (ValidateOrder): the same form, checks and prices as a purchase, nothing created. */
import { paymentProcessorFor, validateOrder } from '../orders.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';
import { answerOrder, orderForm } from './order-form.ts';

export const validateOrderRoute = publisher.createHandlers(signedRequest, orderForm, async (c) => {
  const { db, spend } = c.get('publisher');
  const context = { db, processor: paymentProcessorFor(c.env.PAYMENT_PROCESSOR), log: c.get('log') };
  return answerOrder(c, 'validateOrderResponse', await validateOrder(context, c.req.valid('form'), spend).catch(revokedConsumer));
});
