/** The `:id` of DPD's purchase routes; anything that is not a purchase id is as unknown as a missing purchase. */
import { validate } from '../../../shared/app/validate.ts';
import { ApiError } from '../../../shared/errors/index.ts';
import { purchaseIdParam } from '../../../shared/validation/index.ts';
import { dpdErrors } from '../errors.ts';

export const purchaseId = validate('param', purchaseIdParam, dpdErrors, { refusal: () => new ApiError('not_found', 'There is no such purchase.') });
