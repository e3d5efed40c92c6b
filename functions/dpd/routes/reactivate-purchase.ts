/**
 * POST /purchases/:id/reactivate: sends the delivery again (to customer_email or the buyer), with
 * new product keys when refulfill is set. DPD's clients send the parameters in the query, a form
 * body or a JSON body; a body's value wins over the query's.
 */
import { callerDatabase } from '../../../shared/app/authenticate.ts';
import { validate } from '../../../shared/app/validate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { basicAuth, dpd } from '../basic-auth.ts';
import { dpdErrors } from '../errors.ts';
import { dpdReactivateSchema } from '../query.ts';
import { reactivatePurchaseRpc } from '../rpcs.ts';
import { purchaseId } from './purchase-id.ts';

export const reactivatePurchase = dpd.createHandlers(
  basicAuth,
  purchaseId,
  validate('query', dpdReactivateSchema, dpdErrors),
  // A body is read only when its Content-Type says what it is; otherwise it is no body at all.
  validate('form', dpdReactivateSchema, dpdErrors),
  validate('json', dpdReactivateSchema, dpdErrors, { contentType: 'labelled' }),
  async (c) => {
    const params = { ...c.req.valid('query'), ...definedOf(c.req.valid('form')), ...definedOf(c.req.valid('json')) };
    const { id } = c.req.valid('param');
    await callTypedRpc(await callerDatabase(c), reactivatePurchaseRpc, {
      purchase_number: id,
      email_to: params.customer_email,
      renew_keys: params.refulfill ?? false,
    });
    return c.json({ status: 'OK' });
  },
);

/** The parameters a source gave (zod leaves a missing optional one as an undefined key). */
function definedOf<T extends object>(params: T): Partial<T> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as Partial<T>;
}
