/** Reading a JSON request body with a size limit, as an ApiError a dialect can render on failure. */
import type { Context } from 'hono';
import { ApiError } from '../errors/index.ts';

/** Largest JSON body accepted by default: far above any real purchase, far below a memory risk. */
export const defaultMaxJsonBytes = 64 * 1024;

/**
 * The parsed body, which must be a JSON object. Answers 413 past `maxBytes` (declared or actual)
 * and 400 for anything that is not a JSON object.
 */
export async function readJsonObject(c: Context, maxBytes = defaultMaxJsonBytes): Promise<Record<string, unknown>> {
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readAtMost(c.req.raw, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new ApiError('invalid_input', 'The request body must be a JSON object (it is not valid JSON).', { reason: 'malformed_json' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError('invalid_input', 'The request body must be a JSON object.', { reason: 'malformed_json' });
  }
  return parsed as Record<string, unknown>;
}

/** The body's bytes, reading no further than `maxBytes` (a chunked body may declare no length). */
async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('payload_too_large', `The request body is larger than ${Math.floor(maxBytes / 1024)} KB.`);
}
