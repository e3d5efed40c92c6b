/**
 * The operations function's error dialect: `{ "error": "<message>" }` with the status of the
 * reference's table. Field problems become the message itself, each naming its field, in the
 * reference's wording for a missing one ("lead_id required").
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { FieldIssue } from '../../shared/errors/index.ts';

/** The reference's words for a wrong key (the API document reads them too). */
export const operationsMessages = {
  invalidKey: 'Invalid API key',
} as const;

function describeIssue(issue: FieldIssue): string {
  // An issue of the whole request (field '') is its own sentence.
  if (!issue.field) return issue.message;
  return issue.code === 'required' ? `${issue.field} required` : `${issue.field} ${issue.message}`;
}

export const operationsErrors: ErrorDialect = {
  render(c, error) {
    const message = error.issues.length > 0 ? error.issues.map(describeIssue).join('; ') : error.message;
    return c.json({ error: message }, error.status);
  },
};
