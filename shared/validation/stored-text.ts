/**
 * Text the database can store: JSON may carry NUL characters and lone UTF-16 surrogates (`"\ud800"`),
 * which no text or jsonb value holds. Every string of a request body, names included, is checked
 * once where the body is read, so each API refuses them with a 400 naming the field instead of
 * finding out from the database.
 */
import type { FieldIssue } from '../errors/index.ts';
import { fieldPath } from './issues.ts';

/** Whether Postgres can store `text` (no NUL, no unpaired surrogate). */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes('\u0000');
}

const problem = 'must be text without NUL characters or unpaired surrogates';

/**
 * Every field of `value` (a parsed JSON body) whose name or text cannot be stored, up to `limit`.
 * Walks with its own stack, since a body may nest thousands deep.
 */
export function unstorableText(value: unknown, limit = 20): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const pending: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [] }];
  while (pending.length > 0 && issues.length < limit) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) issues.push({ field: fieldPath(path) || '(body)', message: problem, code: 'invalid' });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], path: [...path, i] });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, inner] = entries[i]!;
        // A name that cannot be stored is named as well as it can be written.
        if (!isStorableText(name)) issues.push({ field: fieldPath([...path, name.toWellFormed()]), message: problem, code: 'invalid' });
        else pending.push({ value: inner, path: [...path, name] });
      }
    }
  }
  return issues;
}
