/** An operations request: the JSON body names its action, and the action's schema checks the rest. */
import * as z from 'zod/mini';
import { reportIssues, toFieldIssues } from '../../shared/validation/index.ts';
import type { OperationsAction } from './action.ts';
import { actions } from './actions/index.ts';

const validActions = `valid actions: ${[...actions.keys()].join(', ')}`;

/** What the route validates: the body, dispatched on `action` to that action's own schema. */
export const operationsRequestSchema = z.pipe(
  z.record(z.string(), z.unknown()),
  z.transform((body, ctx): { action: OperationsAction; input: unknown } => {
    if (body.action === undefined || body.action === null || body.action === '') {
      reportIssues(ctx, body, [{ field: 'action', message: `required (${validActions})`, code: 'invalid' }]);
      return z.NEVER;
    }
    const action = typeof body.action === 'string' ? actions.get(body.action) : undefined;
    if (!action) {
      // Said of the whole request, in the reference's words.
      reportIssues(ctx, body, [{ field: '', message: `Unknown action ${JSON.stringify(body.action)} (${validActions})`, code: 'invalid' }]);
      return z.NEVER;
    }
    const parsed = action.schema.safeParse(body);
    if (!parsed.success) {
      reportIssues(ctx, body, toFieldIssues(parsed.error, body));
      return z.NEVER;
    }
    return { action, input: parsed.data };
  }),
);
