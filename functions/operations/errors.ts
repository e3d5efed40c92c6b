/**
 * The operations function's error dialect: `{ "error": "<message>" }` with the status of the
 * reference's table. Field problems are folded into the one message, since the shape has no list.
 */
import type { ErrorDialect } from '../../shared/app/index.ts';

export const operationsErrors: ErrorDialect = {
  render(c, error) {
    const detail = error.issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
    return c.json({ error: detail && error.issues.length > 1 ? `${error.message} (${detail})` : error.message }, error.status);
  },
};
