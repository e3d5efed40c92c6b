/**
 * Group Commerce's error dialect: the reference's base response fields with `success: false` and
 * `errors` listing each problem as `{ "code", "message" }`. OAuth failures follow RFC 5849
 * section 3.2 (400 for a bad protocol parameter, 401 for a bad credential or signature).
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { ErrorKind, FieldNames, Wording } from '../../shared/errors/index.ts';
import { respond } from './respond.ts';
import { groupCommerceRoutes } from './route-table.ts';

/**
 * The publisher API's words for every reason the database raises (the OAuth checks the worker
 * makes itself word their own failures in oauth.ts).
 */
export const groupCommerceWording = {
  invalid_credential: 'The consumer key is not valid.',
  nonce_used: ({ nonce }) => `The oauth_nonce ${nonce} was already used.`,
  consumer_not_found: ({ user_key }) => `There is no consumer with UserKey ${user_key}.`,
  credits_changed: 'The consumer\'s credits changed while the order was placed; nothing was ordered. Try again.',
  price_changed: 'The order\'s price changed while the card was charged; nothing was ordered and the charge is refunded. Try again.',
  // The worker's own calls after a charge: a client never names an attempt.
  unknown_charge_attempt: 'The charge attempt is not one of this consumer key\'s.',
  unknown_settlement: 'A charge attempt can only be settled as failed or refunded.',
  required_for_new_consumer: 'is required for a new consumer',
  email_required_for_new_consumer: 'is required for a new consumer unless NoEmail is True',
  unknown_offer: ({ offer }) => `there is no offer ${offer}`,
  unknown_offer_option: ({ option, offer }) => `${option} is not an option of offer ${offer}`,
  segment_not_sold: ({ offer, segment }) => `offer ${offer} is not sold in ${segment}`,
  required_for_shipping: ({ offer }) => `is required because offer ${offer} ships`,
  mixed_currencies: ({ offer, currency, order_currency }) =>
    `offer ${offer} is sold in ${currency} and the order's other offers in ${order_currency}; order them separately`,
  total_too_large: "the order's total is too large",
  unknown_stored_card: 'is not a stored card of this consumer',
  stored_card_expired: 'the stored card has expired',
  unknown_promo_code: ({ code }) => `${code} is not a valid promo code`,
  repeated_promo_code: ({ code }) => `${code} is given more than once`,
} satisfies Wording;

/** The order's ledger paths in the field issues the database raises (private.gc_quote), as the form names them (wire.ts maps the order). */
export const groupCommerceFieldNames: FieldNames = {
  'customer.email': 'ConsumerInfo.Email',
  'customer.first_name': 'ConsumerInfo.FirstName',
  'customer.last_name': 'ConsumerInfo.LastName',
  lines: 'OrderDetails',
  'lines[].offer_number': 'OrderDetails[].OfferId',
  'lines[].option_number': 'OrderDetails[].OfferOptionId',
  'lines[].segment_key': 'OrderDetails[].SegmentKey',
  'lines[].address': 'OrderDetails[].Address',
  'lines[].city': 'OrderDetails[].City',
  'lines[].state': 'OrderDetails[].State',
  'lines[].country': 'OrderDetails[].Country',
  'lines[].postal_code': 'OrderDetails[].PostalCode',
  'lines[].shipping_name': 'OrderDetails[].ShippingName',
  stored_card_id: 'BillingInfo.StoredCreditCardId',
  promo_codes: 'PromoCodes',
};

const codeOfKind: Record<ErrorKind, string> = {
  invalid_input: 'InvalidRequest',
  unprocessable: 'InvalidRequest',
  payment_required: 'PaymentDeclined',
  unsupported_media_type: 'UnsupportedMediaType',
  unauthenticated: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'NotFound',
  method_not_allowed: 'MethodNotAllowed',
  conflict: 'Conflict',
  payload_too_large: 'RequestTooLarge',
  rate_limited: 'RateLimited',
  not_implemented: 'NotImplemented',
  unavailable: 'ServiceUnavailable',
  internal: 'InternalError',
};

export const groupCommerceErrors: ErrorDialect = {
  wording: groupCommerceWording,
  fieldNames: groupCommerceFieldNames,
  render(c, error) {
    if (error.kind === 'unauthenticated') c.header('WWW-Authenticate', 'OAuth realm="publisher"');
    const code = error.reason ? toPascalCase(error.reason) : codeOfKind[error.kind];
    const errors =
      error.issues.length > 0
        ? error.issues.map((issue) => ({ code, message: issue.field ? `${issue.field}: ${issue.message}` : issue.message }))
        : [{ code, message: error.message }];
    // Errors come in the base response of the endpoint, in the format the client asked for.
    return respond(c, error.status, rootElementOf(c.req.path), errors);
  },
};

/** The XML root element of the route's answers (a path with a trailing slash or in another case is still its). */
function rootElementOf(path: string): string {
  const wanted = path.replace(/\/$/, '').toLowerCase();
  return Object.values(groupCommerceRoutes).find((route) => route.path.toLowerCase() === wanted)?.root ?? 'response';
}

function toPascalCase(reason: string): string {
  return reason.replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());
}
