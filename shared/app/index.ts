/**
 * The frame every worker is built in: request ids, a request log line, a health route, and one
 * error path that renders every failure (thrown, unknown route, unexpected) in the API's dialect.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { WorkerEnv } from '../env/index.ts';
import { ApiError, type ErrorKind } from '../errors/index.ts';
import { createLogger, type Logger } from '../logging/index.ts';
import { requestId, requestIdHeader } from '../request-id/index.ts';

export interface WorkerVariables {
  requestId: string;
  log: Logger;
}

export interface WorkerAppEnv<Bindings extends WorkerEnv = WorkerEnv> {
  Bindings: Bindings;
  Variables: WorkerVariables;
}

/** How an API writes its errors: status, headers and body in its own documented shape. */
export interface ErrorDialect {
  render(c: Context, error: ApiError): Response;
}

export interface WorkerAppOptions {
  /** Short name used in logs and the health answer, e.g. `lumen`. */
  service: string;
  dialect: ErrorDialect;
}

const kindOfHttpStatus: Record<number, ErrorKind> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Turns anything thrown into an ApiError; unknown errors become `internal` with no detail leaked. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const kind = kindOfHttpStatus[error.status] ?? 'internal';
    return new ApiError(kind, kind === 'internal' ? 'The request could not be completed.' : error.message, { cause: error });
  }
  return new ApiError('internal', 'The request could not be completed.', { cause: error });
}

/** What to log of an error's cause: its name, message and code, never its whole object. */
function describeCause(cause: unknown): Record<string, unknown> {
  if (cause && typeof cause === 'object') {
    const { name, message, code } = cause as { name?: unknown; message?: unknown; code?: unknown };
    return { name, message, code };
  }
  return { message: String(cause) };
}

/** A Hono app with the shared frame; the worker adds its routes. */
export function createWorkerApp<Bindings extends WorkerEnv = WorkerEnv>(
  options: WorkerAppOptions,
): Hono<WorkerAppEnv<Bindings>> {
  // Not strict: `/v2` and `/v2/` are one route, as clients of these APIs expect.
  const app = new Hono<WorkerAppEnv<Bindings>>({ strict: false });
  const baseLog = createLogger({ service: options.service });

  app.use(requestId());
  app.use(async function requestLog(c, next) {
    const started = Date.now();
    const log = baseLog.child({ requestId: c.get('requestId') });
    c.set('log', log);
    await next();
    // Failed requests always; every request only with LOG_REQUESTS=true (npm start sets it): deployed,
    // Workers observability records each invocation already, and a line a request costs CPU.
    if (c.res.status < 500 && c.env?.LOG_REQUESTS !== 'true') return;
    log.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Date.now() - started,
    });
  });

  app.get('/health', (c) => c.json({ status: 'ok', service: options.service }));

  app.notFound((c) =>
    options.dialect.render(c, new ApiError('not_found', `There is no ${c.req.method} ${c.req.path} on this API.`)),
  );

  app.onError(function renderError(error, c) {
    const apiError = asApiError(error);
    if (apiError.kind === 'internal' || apiError.kind === 'unavailable') {
      (c.get('log') ?? baseLog).log('error', 'request failed', {
        kind: apiError.kind,
        error: describeCause(apiError.cause ?? apiError),
      });
    }
    c.header(requestIdHeader, c.get('requestId'));
    if (apiError.retryAfterSeconds !== undefined) c.header('Retry-After', String(apiError.retryAfterSeconds));
    return options.dialect.render(c, apiError);
  });

  return app;
}
