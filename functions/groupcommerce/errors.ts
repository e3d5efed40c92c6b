/**
 * Group Commerce's error dialect: the reference's base response fields with `success: false` and
 * `errors` listing each problem as `{ "code", "message" }`. OAuth failures follow RFC 5849
 * section 3.2 (400 for a bad protocol parameter, 401 for a bad credential or signature).
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { ErrorKind } from '../../shared/errors/index.ts';
import { respond } from './respond.ts';

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

/** The XML root element of each endpoint's answer. */
function rootElementOf(path: string): string {
  if (/\/publisher\/order\/?$/i.test(path)) return 'purchaseResponse';
  if (/\/publisher\/order\/validate\/?$/i.test(path)) return 'validateOrderResponse';
  if (/\/publisher\/consumer\/creditcards\/?$/i.test(path)) return 'creditCardsResponse';
  return 'response';
}

function toPascalCase(reason: string): string {
  return reason.replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());
}
