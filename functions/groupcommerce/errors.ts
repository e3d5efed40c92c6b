/**
 * Group Commerce's error dialect: the reference's base response fields with `success: false` and
 * `errors` listing each problem as `{ "code", "message" }`. OAuth failures follow RFC 5849
 * section 3.2 (400 for a bad protocol parameter, 401 for a bad credential or signature).
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { ErrorKind } from '../../shared/errors/index.ts';

const codeOfKind: Record<ErrorKind, string> = {
  invalid_input: 'InvalidRequest',
  unprocessable: 'InvalidRequest',
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

/** The .NET JSON date form the reference shows for lastPublished: `/Date(<ms>)/`. */
export function dotNetJsonDate(date: Date): string {
  return `/Date(${date.getTime()})/`;
}

export const groupCommerceErrors: ErrorDialect = {
  render(c, error) {
    if (error.kind === 'unauthenticated') c.header('WWW-Authenticate', 'OAuth realm="publisher"');
    const code = error.reason ? toPascalCase(error.reason) : codeOfKind[error.kind];
    const errors =
      error.issues.length > 0
        ? error.issues.map((issue) => ({ code, message: `${issue.field}: ${issue.message}` }))
        : [{ code, message: error.message }];
    return c.json(
      { errors, lastPublished: dotNetJsonDate(new Date()), success: false, version: '3' },
      error.status,
    );
  },
};

function toPascalCase(reason: string): string {
  return reason.replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());
}
