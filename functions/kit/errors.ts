/** Kit's error dialect: `{ "errors": ["<sentence>", ...] }`, one readable sentence per problem. */
import type { ErrorDialect } from '../../shared/app/index.ts';

export const kitErrors: ErrorDialect = {
  render(c, error) {
    if (error.kind === 'unauthenticated') c.header('WWW-Authenticate', 'Bearer realm="Kit API"');
    const errors = error.issues.length > 0 ? error.issues.map((issue) => `${issue.field} ${issue.message}`) : [error.message];
    // Kit answers invalid input, malformed JSON included, with 422.
    const status = error.kind === 'invalid_input' || error.kind === 'unsupported_media_type' ? 422 : error.status;
    return c.json({ errors }, status);
  },
};
