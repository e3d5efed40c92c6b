/** Kit's error dialect: `{ "errors": ["<sentence>", ...] }`, one readable sentence per problem. */
import type { ErrorDialect } from '../../shared/app/index.ts';

/** Kit's own words for its credential failures (the API document reads them too). */
export const kitMessages = {
  invalidToken: 'The access token is invalid',
  missingToken: 'The access token is missing.',
  apiKeyRefused: 'Purchase endpoints require an OAuth access token (Authorization: Bearer); API keys are not accepted.',
} as const;

export const kitErrors: ErrorDialect = {
  render(c, error) {
    if (error.kind === 'unauthenticated') c.header('WWW-Authenticate', 'Bearer realm="Kit API"');
    const errors = error.issues.length > 0 ? error.issues.map((issue) => `${issue.field} ${issue.message}`) : [error.message];
    // Kit answers invalid input, malformed JSON and a body that is not JSON included, with 422.
    const status = error.kind === 'invalid_input' || error.kind === 'unsupported_media_type' ? 422 : error.status;
    return c.json({ errors }, status);
  },
};
