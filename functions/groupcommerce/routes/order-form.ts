/** What both order routes share: the form they validate and the answer they give. */
import type { Context } from 'hono';
import { validate } from '../../../shared/app/validate.ts';
import { groupCommerceErrors } from '../errors.ts';
import { orderRequestSchema } from '../order-request.ts';
import { currencySymbol, paymentProcessorFor, type OrderContext, type OrderOutcome } from '../orders.ts';
import { decimal, respond, type ResponseFields } from '../respond.ts';
import type { GroupCommerceAppEnv } from '../signed-request.ts';
import type { groupCommerceRoutes } from '../route-table.ts';

export const orderForm = validate('form', orderRequestSchema, groupCommerceErrors, {
  contentType: { pattern: /^application\/x-www-form-urlencoded$/i, message: 'The order must be sent as application/x-www-form-urlencoded.' },
});

/** What placing or validating an order works with: the consumer's client, the card processor, the log. */
export function orderContext(c: Context<GroupCommerceAppEnv>): OrderContext {
  return { db: c.get('publisher').db, processor: paymentProcessorFor(c.env, c.get('log')), log: c.get('log') };
}

/** The order's answer: the base response with the order's fields; 409 naming the earlier order for a duplicate. */
export function answerOrder(c: Context, root: typeof groupCommerceRoutes.purchase.root | typeof groupCommerceRoutes.validateOrder.root, result: OrderOutcome): Response {
  const duplicate = result.outcome === 'duplicate';
  // Nothing is charged, used or awarded for a duplicate.
  const amount = (value: string) => decimal(duplicate ? '0.00' : value);
  const fields: ResponseFields = {
    chargeAmount: amount(result.charge_amount),
    creditValueUsed: amount(result.credit_value_used),
    currencySymbol: currencySymbol(result.currency),
    duplicateOrderId: result.duplicate_number,
    isoCurrencyCode: result.currency,
    ...(root === 'purchaseResponse' ? { orderId: result.number ?? null } : {}),
    pendingCreditValueAwarded: amount(result.credits_awarded),
  };
  if (!duplicate) return respond(c, 200, root, [], fields);
  const message =
    `The same consumer ordered the same offer options within the last ten minutes (order ${result.duplicate_number}); ` +
    'nothing was charged or ordered. Send AllowDuplicatePurchase=True to order them again.';
  return respond(c, 409, root, [{ code: 'DuplicateOrder', message }], fields);
}
