/** Kit's error dialect: `{ "errors": ["<sentence>", ...] }`, one readable sentence per problem. */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { Wording } from '../../shared/errors/index.ts';

/** Kit's words for every reason an error carries (the API document reads them too). */
export const kitWording = {
  missing_credential: 'The access token is missing.',
  // Kit's purchase endpoints do not take API keys; say so rather than "missing token".
  api_key_refused: 'Purchase endpoints require an OAuth access token (Authorization: Bearer); API keys are not accepted.',
  invalid_credential: 'The access token is invalid',
  purchase_not_found: 'Not Found',
  rate_limited: ({ limit, windowSeconds, retryAfterSeconds }) => `Rate limit hit: ${limit} requests per ${windowSeconds} seconds. Retry in ${retryAfterSeconds} seconds.`,
} satisfies Wording;

export const kitErrors: ErrorDialect = {
  wording: kitWording,
  render(c, error) {
    if (error.kind === 'unauthenticated') c.header('WWW-Authenticate', 'Bearer realm="Kit API"');
    const errors = error.issues.length > 0 ? error.issues.map((issue) => `${issue.field} ${issue.message}`) : [error.message];
    // Kit answers invalid input, malformed JSON and a body that is not JSON included, with 422.
    const status = error.kind === 'invalid_input' || error.kind === 'unsupported_media_type' ? 422 : error.status;
    return c.json({ errors }, status);
  },
};
