/** Reading a JSON request body strictly, as an ApiError a dialect can render on failure. */
import type { Context } from 'hono';
import { ApiError } from '../errors/index.ts';
import { unstorableText } from '../validation/stored-text.ts';

/**
 * The body's text, once it is checked to be a JSON object in valid UTF-8 whose every string can be
 * stored (the frame has bounded its size).
 * Answers 400 for anything else: a lenient decoder would turn bad bytes into U+FFFD and store them.
 */
export async function readJsonObjectText(c: Context): Promise<string> {
  const bytes = await c.req.arrayBuffer();
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_input', 'The request body must be a JSON object (it is not valid JSON).', { reason: 'malformed_json' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError('invalid_input', 'The request body must be a JSON object.', { reason: 'malformed_json' });
  }
  // Names and text anywhere in the body, free-form properties included, must be storable.
  const issues = unstorableText(parsed);
  if (issues.length > 0) throw new ApiError('invalid_input', 'The request body holds text that cannot be stored.', { issues });
  return text;
}
