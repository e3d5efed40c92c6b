/** Reading an operations request: the JSON body, which action it names, its validated input, its Idempotency-Key. */
import type { Context } from 'hono';
import { readJsonObject } from '../../shared/app/json-body.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { parseInput } from '../../shared/validation/index.ts';
import type { OperationsAction } from './action.ts';
import { actions } from './actions/index.ts';

export interface OperationsRequest {
  action: OperationsAction;
  input: unknown;
  idempotencyKey: string | null;
}

const validActions = `valid actions: ${[...actions.keys()].join(', ')}`;

/** Parses the request or throws ApiError `invalid_input` (or `payload_too_large`) saying what is wrong. */
export async function readOperationsRequest(c: Context): Promise<OperationsRequest> {
  const body = await readJsonObject(c);
  if (body.action === undefined || body.action === null || body.action === '') {
    throw new ApiError('invalid_input', `action required (${validActions})`);
  }
  const action = typeof body.action === 'string' ? actions.get(body.action) : undefined;
  if (!action) {
    throw new ApiError('invalid_input', `Unknown action ${JSON.stringify(body.action)} (${validActions})`);
  }
  const idempotencyKey = c.req.header('Idempotency-Key') ?? null;
  if (idempotencyKey !== null && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
    throw new ApiError('invalid_input', 'Idempotency-Key must be 1 to 255 characters');
  }
  return { action, input: parseInput(action.schema, body), idempotencyKey };
}
