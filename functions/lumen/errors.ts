/**
 * Lumen's error dialect. The reference lists the codes (INVALID_INPUT, UNAUTHORIZED,
 * DUPLICATE_PURCHASE, RATE_LIMIT) but not the body; every error here has one shape:
 * `{ "success": false, "error": { "code", "message", "details": [{ "field", "message" }] } }`,
 * mirroring the `success` envelope of the 201 answer.
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { ErrorKind, FieldNames, Wording } from '../../shared/errors/index.ts';

/** Lumen's words for every reason an error or a field issue carries (the API document reads them too). */
export const lumenWording = {
  missing_credential: 'The X-Partner-Api-Key header is missing.',
  invalid_credential: 'The partner API key is not valid.',
  lumen_fulfillment_not_enabled: 'Lumen-fulfilled purchases (true) are not enabled for this partnership',
  partner_fulfillment_not_enabled: 'partner-fulfilled purchases (false) are not enabled for this partnership',
  product_not_granted: ({ product }) => `${product} is not a product granted to this partnership`,
  segment_not_agreed: ({ segment }) => `${segment} is not an audience segment agreed with this partnership`,
  rate_limited: ({ limit, windowSeconds, retryAfterSeconds }) =>
    `Too many requests: this partnership allows ${limit} every ${windowSeconds} seconds. Retry in ${retryAfterSeconds} seconds.`,
  duplicate_purchase: ({ external_id }) => `A purchase with partnerPurchaseId ${external_id} has already been reported.`,
} satisfies Wording;

/** The ledger's paths in the field issues lumen_create_purchase raises, as Lumen names them (wire.ts maps the purchase). */
export const lumenFieldNames: FieldNames = {
  external_id: 'partnerPurchaseId',
  lumen_fulfilled: 'fulfillment',
  segment: 'additionalInfo.audienceSegment',
  'lines[].product_code': 'items[].productId',
};

/** The message of a 400 that lists its problems in details. */
const invalidPurchase = 'The purchase is not valid; see details.';

const codeOfKind: Record<ErrorKind, string> = {
  invalid_input: 'INVALID_INPUT',
  unprocessable: 'INVALID_INPUT',
  payment_required: 'INVALID_INPUT',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
  conflict: 'DUPLICATE_PURCHASE',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  unsupported_media_type: 'INVALID_INPUT',
  rate_limited: 'RATE_LIMIT',
  not_implemented: 'NOT_IMPLEMENTED',
  unavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_ERROR',
};

export const lumenErrors: ErrorDialect = {
  invalidMessage: () => invalidPurchase,
  wording: lumenWording,
  fieldNames: lumenFieldNames,
  render(c, error) {
    // spec: a wrong Content-Type is invalid input (400), not 415.
    const status = error.kind === 'unsupported_media_type' || error.kind === 'unprocessable' ? 400 : error.status;
    return c.json(
      {
        success: false,
        error: {
          code: codeOfKind[error.kind],
          message: error.message,
          details: error.issues.map(({ field, message }) => ({ field, message })),
        },
      },
      status,
    );
  },
};
