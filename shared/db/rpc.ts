/** Calling an RPC and turning PostgREST's answer into data or an ApiError. */
import type { PostgrestError } from '@supabase/postgrest-js';
import * as z from 'zod/mini';
import { ApiError, unavailable, type ErrorKind, type FieldIssue } from '../errors/index.ts';
import type { Database } from './database.types.ts';
import type { Db } from './client.ts';
import { conforms } from './conforms.ts';

type Functions = Database['public']['Functions'];
export type RpcName = keyof Functions & string;

/**
 * SQLSTATEs our functions raise on purpose (PostgREST answers `PTxyz` with status xyz), and the
 * Postgres classes that mean the input was wrong. A PT error's hint is a machine reason such as
 * `invalid_credential`, its detail (JSON) the values that reason names; each API's dialect words
 * it (the message is for logs and direct callers only).
 */
const kindOfCode: Record<string, ErrorKind> = {
  PT400: 'invalid_input',
  PT401: 'unauthenticated',
  PT403: 'forbidden',
  PT404: 'not_found',
  PT409: 'conflict',
  PT422: 'unprocessable',
  PT429: 'rate_limited',
  '23505': 'conflict',
};

/** The JSON an RPC put in `detail`, or undefined. */
function detailOf(error: PostgrestError): unknown {
  if (!error.details) return undefined;
  try {
    return JSON.parse(error.details);
  } catch {
    return undefined;
  }
}

/** Values as text, as the wording shows them. */
function textValues(values: unknown): Record<string, string> | undefined {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return undefined;
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
}

/**
 * Field issues an RPC put in `detail` as JSON (path, reason, values, code), when its hint says
 * `field_issues`. The path is the ledger's (`lines[0].product_code`): each API's dialect names it
 * as its wire does (ErrorDialect.fieldNames).
 */
function fieldIssuesOf(error: PostgrestError): FieldIssue[] | undefined {
  const issues = error.hint === 'field_issues' ? detailOf(error) : undefined;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((issue: { path: string; reason: string; values?: unknown; code?: FieldIssue['code'] }) => ({
    field: issue.path,
    // Until the API's wording replaces it.
    message: issue.reason,
    code: issue.code ?? 'invalid',
    reason: issue.reason,
    values: textValues(issue.values),
  }));
}

/** Maps a PostgREST error (and the HTTP status it came with) to the internal error model. */
export function toApiError(error: PostgrestError, status: number): ApiError {
  const code = error.code ?? '';
  const kind = kindOfCode[code];
  if (kind === 'conflict' && code === '23505') {
    // A unique constraint no RPC anticipated: say what happened without naming the constraint.
    return new ApiError('conflict', 'The request conflicts with an existing record.', { cause: error });
  }
  if (kind) {
    // The hint is the error's reason, except `field_issues`, which only says where the issues are.
    const reason = error.hint && error.hint !== 'field_issues' ? error.hint : undefined;
    const values = reason ? textValues(detailOf(error)) : undefined;
    return new ApiError(kind, error.message, { reason, values, issues: fieldIssuesOf(error) });
  }
  // 0: no answer (network, timeout); 08: connection; 40: rolled back (a deadlock or serialization
  // failure: the same request may well pass when retried); 53: resources; 57: cancelled
  // (statement timeout) or shutting down. PGRST3xx: PostgREST refused the worker's own token (its
  // signing key not, or no longer, in the project's key set): the deployment's fault, not the client's.
  // No code at all: not an error PostgreSQL or PostgREST raised (both always name one), but a
  // connection to PostgreSQL lost mid-call, which PostgREST answers 400 with an empty code and
  // message (the "other" row of https://postgrest.org/en/stable/references/errors.html#http-status-codes;
  // seen when PostgreSQL is killed under load), or an answer from something in front of it (the
  // gateway). Whether such a call's transaction committed is unknown: never the client's fault.
  if (status === 0 || status >= 502 || code === '' || /^(08|40|53|57|PGRST3)/.test(code)) return unavailable(error);
  // Class 22 (data exception): a value the request carried that Postgres cannot take, such as
  // malformed Unicode. Class 23 (integrity): a value a check, not-null or foreign-key constraint
  // refuses. PostgREST's PGRST1xx with a 4xx status: a request it could not read (PGRST102, a body
  // it cannot parse). The validation in front should catch all of these first; this keeps any it
  // misses a 400 in the API's shape, never a 500, and still names no table or constraint.
  if (code.startsWith('22') || code.startsWith('23')) {
    return new ApiError('invalid_input', 'A value in the request cannot be stored.', { reason: 'data_exception', cause: error });
  }
  if (/^PGRST1\d\d$/.test(code) && status >= 400 && status < 500) {
    return new ApiError('invalid_input', 'The request could not be read.', { reason: 'request_unreadable', cause: error });
  }
  return new ApiError('internal', 'The request could not be completed.', { cause: error });
}

/** Calls `fn` with `args`; returns its answer, unchecked, or throws the mapped ApiError. */
async function callRpc<Name extends RpcName>(db: Db, fn: Name, args: Functions[Name]['Args']): Promise<unknown> {
  // The generator types each RPC's arguments (Functions[Name]['Args']); postgrest-js cannot carry a
  // name that is itself generic through to them, hence the cast on the arguments alone.
  const { data, error, status } = await db.rpc(fn, args as never);
  if (error) throw toApiError(error, status);
  return data;
}

/**
 * An RPC with the schema of its answer: for the ledger's RPCs, the ledger's vocabulary
 * (shared/ledger) picked for the call. Every call goes through one (callTypedRpc).
 */
export interface TypedRpc<Name extends RpcName, Result extends z.ZodMiniType> {
  name: Name;
  result: Result;
}

/** The answer of an RPC that returns nothing (void): nothing of it is read. */
export const answersNothing = z.unknown();

export function defineRpc<Name extends RpcName, Result extends z.ZodMiniType>(name: Name, result: Result): TypedRpc<Name, Result> {
  return { name, result };
}

/** An RPC answered with a shape its schema does not allow: the deployment's fault, logged with where. */
export class RpcResultMismatch extends Error {
  override name = 'RpcResultMismatch';
  constructor(rpc: string, error: z.core.$ZodError) {
    const [first] = error.issues;
    super(`${rpc} answered outside its schema (${error.issues.length} issues): ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : ''}`);
  }
}

/**
 * Calls the RPC and checks its answer against its schema. An answer that does not match is a 503
 * (logged with the first mismatch), never a silently wrong answer on the wire.
 */
export async function callTypedRpc<Name extends RpcName, Result extends z.ZodMiniType>(
  db: Db,
  rpc: TypedRpc<Name, Result>,
  args: Functions[Name]['Args'],
): Promise<z.output<Result>> {
  const data = await callRpc(db, rpc.name, args);
  // One pass over the answer, no copy: what the hot list paths can afford (conforms.ts).
  if (conforms(rpc.result, data)) return data;
  const checked = z.safeParse(rpc.result, data);
  if (!checked.success) throw unavailable(new RpcResultMismatch(rpc.name, checked.error));
  return checked.data;
}

