/**
 * One validation path for every API. A route names what it checks (the JSON body, the form, the
 * query, the path parameters) and the zod schema it must satisfy; @hono/zod-validator runs the
 * schema and the handler reads the typed result with `c.req.valid(target)`. A request refused for
 * what it carries (its Content-Type, a body that is not JSON, a field zod rejects) first has its
 * credential confirmed, so a wrong credential is a 401 whatever else is wrong, and then gets the
 * API's own invalid-input error, worded by its dialect.
 */
import { zValidator } from '@hono/zod-validator';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type * as z from 'zod/mini';
import { ApiError, type FieldIssue } from '../errors/index.ts';
import { toFieldIssues } from '../validation/issues.ts';
import { inDialect, type ErrorDialect, type WorkerAppEnv } from './index.ts';
import { readJsonObjectText } from './json-body.ts';
import type { WorkerEnv } from '../env/index.ts';

export type ValidationTarget = 'json' | 'form' | 'query' | 'param';

export interface ContentTypeRule {
  pattern: RegExp;
  /** Says which type to send. */
  message: string;
}

export interface ValidateOptions {
  /**
   * The Content-Type a body must carry. JSON bodies must say they are JSON by default; `labelled`:
   * a body of another type is no JSON body at all (the schema sees `{}`); `any`: the body is read
   * as JSON whatever its label says.
   */
  contentType?: ContentTypeRule | 'labelled' | 'any';
  /** The error for a refused request, when it is not the API's invalid input (a bad path id is a 404). */
  refusal?: (issues: FieldIssue[]) => ApiError;
}

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;
const jsonContentType: ContentTypeRule = { pattern: jsonMediaType, message: 'The Content-Type header must be application/json.' };

function mediaTypeOf(c: Context): string {
  return (c.req.header('Content-Type') ?? '').split(';')[0]!.trim();
}

/** Confirms the request's credential (its 401 wins), then throws `error`. */
export async function refuse<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, error: ApiError): Promise<never> {
  await c.get('confirmCredential')?.();
  throw error;
}

type ValidatedInput<Target extends ValidationTarget, Schema extends z.core.$ZodType> = {
  in: { [K in Target]: z.input<Schema> };
  out: { [K in Target]: z.output<Schema> };
};

/** Middleware that validates `target` against `schema`, refusing in `dialect`'s words. */
export function validate<Target extends ValidationTarget, Schema extends z.core.$ZodType, E extends Env = WorkerAppEnv, P extends string = string>(
  target: Target,
  schema: Schema,
  dialect: ErrorDialect,
  options: ValidateOptions = {},
): MiddlewareHandler<E, P, ValidatedInput<Target, Schema>> {
  const contentType = options.contentType ?? (target === 'json' ? jsonContentType : undefined);
  const rule = typeof contentType === 'object' ? contentType : undefined;
  const check = zValidator(target, schema, async (result, c) => {
    if (result.success) return;
    const issues = toFieldIssues(result.error, result.data);
    await refuse(c as Context<WorkerAppEnv>, options.refusal?.(issues) ?? inDialect(new ApiError('invalid_input', 'The request is not valid.', { issues }), dialect));
  });

  return async function validation(c, next) {
    const context = c as unknown as Context<WorkerAppEnv>;
    if (rule && !rule.pattern.test(mediaTypeOf(c))) {
      await refuse(context, new ApiError('unsupported_media_type', rule.message));
    }
    if (target === 'json' && contentType === 'any' && !jsonMediaType.test(mediaTypeOf(c)) && c.req.raw.body) {
      // Labelled as JSON for the validator's reader, which reads only what says it is JSON.
      const body = await c.req.arrayBuffer();
      const headers = new Headers(c.req.raw.headers);
      headers.set('Content-Type', 'application/json');
      c.req.raw = new Request(c.req.raw, { headers, body });
    }
    if (target === 'json' && jsonMediaType.test(mediaTypeOf(c))) {
      // Read strictly here (valid UTF-8, an object), and hand the text to what the validator reads
      // (c.req.json()): without it, Hono copies the body into a new Response to decode it again
      // (about 15 µs of workerd CPU). Hono keeps a promise there, whatever the field's type says.
      const text = await readJsonObjectText(c).catch((error: ApiError) => refuse(context, error));
      c.req.bodyCache.text = Promise.resolve(text) as unknown as string;
    }
    let validated = false;
    try {
      return await check(c as never, async () => {
        validated = true;
        await next();
      });
    } catch (error) {
      // Hono's own form reader throws HTTPException 400 for a body that is not the form it claims.
      if (!validated && error instanceof HTTPException) {
        await refuse(context, new ApiError('invalid_input', target === 'form' ? 'The request body is not a valid form.' : error.message));
      }
      throw error;
    }
  };
}
