/** Turning zod's findings into the platform's field issues, and parsing with them. */
import * as z from 'zod/mini';
import type { FieldIssue } from '../errors/index.ts';

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
    // An issue a rule made whole (withRules, reportIssues) keeps its field and wording.
    const made = issue.code === 'custom' ? (issue.params as { fieldIssue?: FieldIssue } | undefined)?.fieldIssue : undefined;
    if (made) return [made];
    const field = fieldPath(issue.path) || '(body)';
    const value = valueAt(input, issue.path);
    if (issue.code === 'invalid_type' && value === undefined) {
      return [{ field, message: 'is required', code: 'required' }];
    }
    // A query or form parameter given twice arrives as a list.
    if (issue.code === 'invalid_type' && issue.expected === 'string' && Array.isArray(value)) {
      return [{ field, message: 'is given more than once', code: 'invalid' }];
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

/** Adds finished field issues to a zod transform's context, so a schema can report what only code can check. */
export function reportIssues(ctx: z.core.ParsePayload, input: unknown, issues: FieldIssue[]): void {
  for (const fieldIssue of issues) ctx.issues.push({ code: 'custom', message: fieldIssue.message, input, params: { fieldIssue } });
}

/**
 * `schema` plus rules across its fields that zod's checks cannot express in the reference's words
 * (a field required when another has some value). Every problem is reported at once; a rule's
 * issue replaces the schema's for the same field.
 */
export function withRules<S extends z.ZodMiniType>(schema: S, rules: (input: unknown) => FieldIssue[]) {
  return z.pipe(
    z.unknown(),
    z.transform((input, ctx): z.output<S> => {
      const parsed = schema.safeParse(input);
      const ruled = rules(input);
      const replaced = new Set(ruled.map((issue) => issue.field));
      const issues = [...(parsed.success ? [] : toFieldIssues(parsed.error, input).filter((issue) => !replaced.has(issue.field))), ...ruled];
      if (issues.length === 0 && parsed.success) return parsed.data as z.output<S>;
      reportIssues(ctx, input, issues);
      return z.NEVER;
    }),
  );
}
