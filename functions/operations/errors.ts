/**
 * The operations function's error dialect: `{ "error": "<message>" }` with the status of the
 * reference's table. Field problems become the message itself, each naming its field, in the
 * reference's wording for a missing one ("lead_id required").
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { FieldIssue, Wording } from '../../shared/errors/index.ts';

/** The reference's words for every reason an error carries (the API document reads them too). */
export const operationsWording = {
  // spec: 401 "Invalid API key" for a missing or an invalid X-Api-Key alike.
  missing_credential: 'Invalid API key',
  invalid_credential: 'Invalid API key',
  lead_not_accessible: 'Lead not accessible',
  product_not_owned: 'Product not found or not owned by your company',
  purchase_not_found: 'Purchase not found',
  cursor_not_a_lead_purchase: 'starting_after is not a purchase of this lead',
  cursor_not_a_reward_event: 'starting_after is not one of your reward events',
  idempotency_key_reused: ({ key }) => `Idempotency-Key ${key} was already used with a different request`,
} satisfies Wording;

function describeIssue(issue: FieldIssue): string {
  // An issue of the whole request (field '') is its own sentence.
  if (!issue.field) return issue.message;
  return issue.code === 'required' ? `${issue.field} required` : `${issue.field} ${issue.message}`;
}

export const operationsErrors: ErrorDialect = {
  wording: operationsWording,
  render(c, error) {
    const message = error.issues.length > 0 ? error.issues.map(describeIssue).join('; ') : error.message;
    return c.json({ error: message }, error.status);
  },
};
