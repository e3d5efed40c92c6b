/**
 * The frame every worker is built in: request ids, a request log line, a bound on every body, a
 * health route, and one error path that renders every failure (thrown, unknown route, unexpected)
 * in the API's dialect.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { WorkerEnv } from '../env/index.ts';
import { ApiError, worded, type ErrorKind, type FieldIssue, type FieldNames, type Wording } from '../errors/index.ts';
import { createLogger } from '../logging/index.ts';
import { requestId, requestIdHeader } from '../request-id/index.ts';
import { countFailedAuthentication, giveBackReplayedPermit } from './admission.ts';
import { crossSiteProblem } from './cross-site.ts';
import { checkDatabaseReused } from './authenticate.ts';
import type { WorkerAppEnv } from './context.ts';

export type { WorkerAppEnv, WorkerVariables } from './context.ts';

/** How an API writes its errors: status, headers and body in its own documented shape. */
export interface ErrorDialect {
  render(c: Context, error: ApiError): Response;
  /** The message of an invalid-input answer listing these problems (default: a generic sentence). */
  invalidMessage?(issues: FieldIssue[]): string;
  /** The API's words for the reasons the database and the shared core raise (invalid_credential, ...). */
  wording?: Wording;
  /** The ledger's field paths in the issues the database raises, in the API's own names. */
  fieldNames?: FieldNames;
}

export interface WorkerAppOptions {
  /** Short name used in logs and the health answer, e.g. `lumen`. */
  service: string;
  dialect: ErrorDialect;
}

/** Largest request body of any kind: far above any real purchase or order, far below a memory risk. */
export const maxBodyBytes = 64 * 1024;

const kindOfHttpStatus: Record<number, ErrorKind> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
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

/**
 * The error in the API's words: the reasons it and its issues carry worded by the dialect, and a
 * list of problems (from validation or from the database) under the dialect's own message.
 */
export function inDialect(error: ApiError, dialect: ErrorDialect): ApiError {
  const apiError = worded(error, dialect.wording, dialect.fieldNames);
  if (apiError.kind !== 'invalid_input' || apiError.issues.length === 0 || apiError.reason || !dialect.invalidMessage) return apiError;
  return new ApiError('invalid_input', dialect.invalidMessage(apiError.issues), { issues: apiError.issues, cause: apiError.cause });
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
export function createWorkerApp<Bindings extends WorkerEnv = WorkerEnv>(options: WorkerAppOptions): Hono<WorkerAppEnv<Bindings>> {
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

  // Before anything else is looked at: a change sent by another site's page is refused.
  app.use(async function refuseCrossSite(c, next) {
    const problem = crossSiteProblem(c.req.method, c.req.url, c.req.raw.headers, c.env?.PUBLIC_ORIGINS);
    if (problem) throw new ApiError('forbidden', problem, { reason: 'cross_site_request' });
    await next();
  });

  // Before any credential is looked at: a declared length over the bound is refused unread, and a
  // body of undeclared length is read no further than the bound.
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError() {
        throw new ApiError('payload_too_large', `The request body is larger than ${Math.floor(maxBodyBytes / 1024)} KB.`);
      },
    }),
  );

  // `?deep=1` also asks the database (a 503 in the API's shape when it does not answer), at most
  // once every few seconds per isolate: anyone may ask, and a probe must not become a load.
  app.get('/health', async (c) => {
    if (!c.req.query('deep')) return c.json({ status: 'ok', service: options.service });
    await checkDatabaseReused(c);
    return c.json({ status: 'ok', service: options.service, database: 'ok' });
  });

  app.notFound((c) =>
    options.dialect.render(c, new ApiError('not_found', `There is no ${c.req.method} ${c.req.path} on this API.`)),
  );

  app.onError(async function renderError(error, c) {
    let thrown = asApiError(error);
    // A replay refused gives back the permit it took; every failed authentication, on any route of
    // any API, counts against the client.
    giveBackReplayedPermit(c, thrown);
    if (thrown.kind === 'unauthenticated') thrown = await countFailedAuthentication(c, thrown);
    const apiError = inDialect(thrown, options.dialect);
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
