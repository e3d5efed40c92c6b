/** What an operations action is: its name, the zod schema of its request body, and its handler. */
import type { Context } from 'hono';
import type { z } from 'zod/mini';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import type { Db } from '../../shared/db/index.ts';

export interface ActionContext<Input> {
  c: Context<WorkerAppEnv<OperationsWorkerEnv>>;
  /** A client acting for the caller's credential; the action's RPC authenticates it. */
  db: Db;
  /** The validated body (with `action`). */
  input: Input;
  /** The Idempotency-Key header, validated, or null. */
  idempotencyKey: string | null;
}

export interface OperationsAction<Schema extends z.ZodMiniType = z.ZodMiniType> {
  name: string;
  /** The whole request body, `action` included; unknown fields are refused. */
  schema: Schema;
  run(ctx: ActionContext<z.output<Schema>>): Promise<Response>;
}

/** Declares an action with its input type inferred from its schema. */
export function defineAction<Schema extends z.ZodMiniType>(action: OperationsAction<Schema>): OperationsAction<Schema> {
  return action;
}
