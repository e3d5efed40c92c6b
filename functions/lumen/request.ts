/** Reading a partner's purchase: JSON only, every field checked, every problem reported at once. */
import type { Context } from 'hono';
import { readJsonObject } from '../../shared/app/json-body.ts';
import { ApiError } from '../../shared/errors/index.ts';
import { toFieldIssues } from '../../shared/validation/index.ts';
import { fulfillmentIssues, lumenPurchaseSchema, type LumenPurchase } from './schema.ts';

/** The validated purchase, or ApiError `invalid_input` listing each offending field and why. */
export async function readLumenPurchase(c: Context): Promise<LumenPurchase> {
  // spec: Content-Type: application/json is a required header.
  if (!/^application\/json\s*(;|$)/i.test(c.req.header('Content-Type') ?? '')) {
    throw new ApiError('unsupported_media_type', 'The Content-Type header must be application/json.');
  }
  const body = await readJsonObject(c);
  const required = fulfillmentIssues(body);
  const parsed = lumenPurchaseSchema.safeParse(body);
  const requiredFields = new Set(required.map((issue) => issue.field));
  const issues = [
    ...(parsed.success ? [] : toFieldIssues(parsed.error, body).filter((issue) => !requiredFields.has(issue.field))),
    ...required,
  ];
  if (issues.length > 0 || !parsed.success) {
    throw new ApiError('invalid_input', 'The purchase is not valid; see details.', { issues });
  }
  return parsed.data;
}
