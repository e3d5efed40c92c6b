/** POST /api/v3/publisher/order (Purchase): checks, prices, charges and records the order. */
import { paymentProcessorFor, placeOrder } from '../orders.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';
import { answerOrder, orderForm } from './order-form.ts';

export const placeOrderRoute = publisher.createHandlers(signedRequest, orderForm, async (c) => {
  const { db, spend } = c.get('publisher');
  const context = { db, processor: paymentProcessorFor(c.env.PAYMENT_PROCESSOR), log: c.get('log') };
  return answerOrder(c, 'purchaseResponse', await placeOrder(context, c.req.valid('form'), spend).catch(revokedConsumer));
});
