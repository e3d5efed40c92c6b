/** What a request's context carries in every worker: its bindings and the frame's variables (below what uses them). */
import type { Context } from 'hono';
import type { PresentedCredential } from '../auth/credentials.ts';
import type { WorkerEnv } from '../env/index.ts';
import type { Logger } from '../logging/index.ts';

export interface WorkerVariables {
  requestId: string;
  log: Logger;
  /**
   * Set by an API's credential step: checks the presented credential against the database and
   * throws its 401 when it is wrong. Every refusal of what a request carries calls it first
   * (shared/app/validate.ts), so a wrong credential is a 401 whatever the body says.
   */
  confirmCredential?: () => Promise<unknown>;
  /** The credential the request presented, once the API's credential step has read it. */
  credential?: PresentedCredential;
}

export interface WorkerAppEnv<Bindings extends WorkerEnv = WorkerEnv> {
  Bindings: Bindings;
  Variables: WorkerVariables;
}

/**
 * Runs `work` after the answer (waitUntil) where the runtime gives the request an execution
 * context; on its own otherwise (a test calling an app directly). `work` handles its own failure.
 */
export function afterAnswer(c: Context, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context: the promise runs on its own.
  }
}
