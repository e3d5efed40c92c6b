/**
 * The one internal error model. Handlers and the database layer throw ApiError; each worker's
 * dialect renders it in its API's documented shape. Nothing else reaches the client.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited'
  | 'not_implemented'
  | 'unavailable'
  | 'internal';

/** The HTTP status each kind is answered with, unless a dialect documents another. */
export const statusOfKind: Record<ErrorKind, ContentfulStatusCode> = {
  invalid_input: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  not_implemented: 501,
  unavailable: 503,
  internal: 500,
};

/** One problem with one field of a request, in words a person can act on. */
export interface FieldIssue {
  /** Dotted path of the field as the client sent it, e.g. `shippingAddress.zip`. */
  field: string;
  message: string;
  /** What kind of problem, for dialects that word some of them their own way. */
  code?: 'required' | 'unknown_field' | 'invalid';
  /** The database's machine reason for the problem, which the API's wording turns into `message`. */
  reason?: string;
  /** Values the reason's wording names (an offer number, a promo code). */
  values?: Record<string, string>;
}

/**
 * An API's own words for each machine reason an error or a field issue can carry (the database
 * raises reasons, never API text): a sentence, or one made from the values the database named.
 */
export type Wording = Readonly<Record<string, string | ((values: Record<string, string>) => string)>>;

export interface ApiErrorOptions {
  issues?: FieldIssue[];
  /** Machine-readable reason within the kind, e.g. `missing_credential`. */
  reason?: string;
  /** Seconds for a Retry-After header (rate limits, unavailable dependencies). */
  retryAfterSeconds?: number;
  /** Values the reason's wording names. */
  values?: Record<string, string>;
  cause?: unknown;
}

/** Most problems an error answer lists: a body of thousands of bad fields gets a short answer. */
export const maxListedIssues = 20;
/** Longest field name or message an issue echoes back (a field name is the client's own text). */
const maxIssueText = 200;
const omittedReason = 'issues_omitted';
/** Longest error message (a dialect may list every listed issue in it). */
const maxMessageLength = 10_000;

function cut(text: string): string {
  return text.length > maxIssueText ? `${text.slice(0, maxIssueText - 1)}…` : text;
}

/**
 * At most `maxListedIssues` problems, each cut short, and when there were more, one last item (in
 * the API's own item shape) saying how many are not listed. Bounding a bounded list changes nothing.
 */
export function boundIssues(issues: FieldIssue[]): FieldIssue[] {
  const last = issues[issues.length - 1];
  if (issues.length === maxListedIssues + 1 && last?.reason === omittedReason) return issues;
  const listed = issues.slice(0, maxListedIssues).map((issue) =>
    issue.field.length > maxIssueText || issue.message.length > maxIssueText ? { ...issue, field: cut(issue.field), message: cut(issue.message) } : issue,
  );
  const omitted = issues.length - listed.length;
  if (omitted === 0) return listed;
  return [
    ...listed,
    { field: '(body)', message: `has ${omitted} more problem${omitted === 1 ? '' : 's'} not listed here`, code: 'invalid', reason: omittedReason, values: { count: String(omitted) } },
  ];
}

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly issues: FieldIssue[];
  readonly reason: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly values: Record<string, string>;

  constructor(kind: ErrorKind, message: string, options: ApiErrorOptions = {}) {
    // An echo of the client's text never makes an answer much larger than what was asked.
    super(message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message, { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.issues = options.issues ? boundIssues(options.issues) : [];
    this.reason = options.reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.values = options.values ?? {};
  }

  get status(): ContentfulStatusCode {
    return statusOfKind[this.kind];
  }
}

/** How long a client should wait before retrying when a dependency is down. */
export const unavailableRetryAfterSeconds = 5;

/** The answer when the database (or the way to it) fails or is too slow. */
export function unavailable(cause?: unknown): ApiError {
  return new ApiError('unavailable', 'The service is temporarily unavailable; please retry shortly.', {
    reason: 'dependency_unavailable',
    retryAfterSeconds: unavailableRetryAfterSeconds,
    cause,
  });
}

/**
 * The ledger's field paths (as the database names them in the field issues it raises) in one API's
 * own names; `[]` stands for any index: `{ 'lines[].product_code': 'items[].productId' }`.
 */
export type FieldNames = Record<string, string>;

/** `path` in the API's names, or as it is when the table does not name it. */
export function apiField(names: FieldNames, path: string): string {
  const indices: string[] = [];
  const pattern = path.replace(/\[(\d+)\]/g, (_, index: string) => (indices.push(index), '[]'));
  // Own names only: a path such as `constructor` (a hostile body's key) is no entry of the table.
  if (!Object.hasOwn(names, pattern)) return path;
  const named = names[pattern]!;
  let next = 0;
  return named.replace(/\[\]/g, () => `[${indices[next++]}]`);
}

function wordOf(wording: Wording, reason: string | undefined, values: Record<string, string> = {}): string | undefined {
  const words = reason === undefined ? undefined : wording[reason];
  return typeof words === 'function' ? words(values) : words;
}

/**
 * The error in the API's words: its message and each issue's from their reasons, where the wording
 * has them, and each issue's field in the API's names, where `fieldNames` has it.
 */
export function worded(error: ApiError, wording: Wording | undefined, fieldNames?: FieldNames): ApiError {
  if (!wording && !fieldNames) return error;
  const message = wording ? wordOf(wording, error.reason, error.values) : undefined;
  const issues = error.issues.map((issue) => {
    const words = wording ? wordOf(wording, issue.reason, issue.values) : undefined;
    const field = fieldNames ? apiField(fieldNames, issue.field) : issue.field;
    if (words === undefined && field === issue.field) return issue;
    return { ...issue, field, ...(words === undefined ? {} : { message: words }) };
  });
  if (message === undefined && issues.every((issue, i) => issue === error.issues[i])) return error;
  return new ApiError(error.kind, message ?? error.message, {
    issues,
    reason: error.reason,
    retryAfterSeconds: error.retryAfterSeconds,
    values: error.values,
    cause: error.cause,
  });
}
