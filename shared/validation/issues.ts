/** Turning zod's findings into the platform's field issues, and parsing with them. */
import type { z } from 'zod/mini';
import { ApiError, type FieldIssue } from '../errors/index.ts';

/** Dotted field path as clients write it: `items[0].quantity`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** The value at `path` in `input`, or undefined where the path leads nowhere. */
function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * One FieldIssue per zod issue, with zod's generic wording replaced where we know better. A field
 * is "required" when the input has nothing at its path (zod's issues do not carry the input).
 */
export function toFieldIssues(error: z.core.$ZodError, input: unknown): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const field = fieldPath(issue.path) || '(body)';
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
      return [{ field, message: 'is required', code: 'required' }];
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: 'is not a known field', code: 'unknown_field' }));
    }
    // zod's own wording is generic; the schemas here give their messages through `error`.
    const message = issue.message === 'Invalid input' && issue.code === 'invalid_type' ? `must be ${article(issue.expected)}` : issue.message;
    return [{ field, message, code: 'invalid' }];
  });
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Parses `input` or throws ApiError `invalid_input` listing every problem. */
export function parseInput<T extends z.core.$ZodType>(schema: T, input: unknown, message = 'The request is not valid.'): z.output<T> {
  const result = (schema as unknown as z.ZodMiniType).safeParse(input);
  if (result.success) return result.data as z.output<T>;
  throw new ApiError('invalid_input', message, { issues: toFieldIssues(result.error, input) });
}
