/** The request body of POST /partners/v1/purchases, field by field as the reference's table gives it. */
import * as z from 'zod/mini';
import type { FieldIssue } from '../../shared/errors/index.ts';
import { countryCode, email, phoneDigits, plainText, withRules } from '../../shared/validation/index.ts';

const text = (max: number) => plainText(max).check(z.minLength(1, { error: 'must not be empty' }));
const wholeQuantity = 'must be a whole number of at least 1';

/** spec: starred fields, required when fulfillment is true. */
export const starredAddressFields = ['address1', 'city', 'state', 'zip', 'countryCode', 'phone'] as const;

/** How deep a property's value may nest (an object in an array in an object is 3), and how large all properties may be. */
export const maxPropertyDepth = 5;
export const maxPropertiesBytes = 16 * 1024;

/**
 * True for a JSON value (string, finite number, boolean, null, array, object) nesting at most
 * `maxDepth` levels. Walked with a stack, not recursion, so a hostile depth cannot exhaust it.
 */
export function isBoundedJson(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return false;
      continue;
    }
    if (typeof item !== 'object' || depth >= maxDepth) return false;
    for (const inner of Array.isArray(item) ? item : Object.values(item)) pending.push([inner, depth + 1]);
  }
  return true;
}

/** spec: "arbitrary key-value pairs": any JSON value, within the bounds above. */
const propertyValue = z.custom<unknown>((value) => isBoundedJson(value, maxPropertyDepth), {
  error: `must be a JSON value nesting at most ${maxPropertyDepth} levels`,
});

export const lumenPurchaseSchema = z.strictObject({
  partnerPurchaseId: text(255),
  fulfillment: z.boolean({ error: 'must be true or false' }),
  customer: z.strictObject({ email, firstName: text(200), lastName: text(200) }),
  items: z
    .array(
      z.strictObject({
        productId: text(100),
        quantity: z.number({ error: wholeQuantity }).check(
          z.int({ error: wholeQuantity }),
          z.minimum(1, { error: wholeQuantity }),
          z.maximum(100_000, { error: 'must be at most 100000' }),
        ),
      }),
    )
    .check(z.minLength(1, { error: 'must list at least one item' }), z.maxLength(100, { error: 'must list at most 100 items' })),
  shippingAddress: z.optional(
    z.strictObject({
      address1: z.optional(text(200)),
      address2: z.optional(z.nullable(plainText(200))),
      city: z.optional(text(100)),
      state: z.optional(text(100)),
      zip: z.optional(text(20)),
      countryCode: z.optional(countryCode),
      phone: z.optional(phoneDigits),
    }),
  ),
  additionalInfo: z.optional(z.strictObject({ audienceSegment: z.optional(text(100)) })),
  // spec: arbitrary key-value pairs; bounded here to 50 keys of at most 100 characters, values of
  // any JSON type nesting at most 5 levels, 16 KB in all; echoed back as sent.
  properties: z.optional(
    z.record(plainText(100).check(z.minLength(1, { error: 'keys must not be empty' })), propertyValue).check(
      z.refine((value) => Object.keys(value).length <= 50, { error: 'must have at most 50 keys' }),
      z.refine((value) => new TextEncoder().encode(JSON.stringify(value)).byteLength <= maxPropertiesBytes, {
        error: `must be at most ${maxPropertiesBytes / 1024} KB as JSON`,
      }),
    ),
  ),
});

export type LumenPurchase = z.output<typeof lumenPurchaseSchema>;

/**
 * spec: "shippingAddress ... Required when fulfillment is true", and each starred subfield.
 * Checked on the raw body, beside the schema, so every problem is reported at once.
 */
export function fulfillmentIssues(body: unknown): FieldIssue[] {
  if (body === null || typeof body !== 'object' || (body as Record<string, unknown>).fulfillment !== true) return [];
  const address = (body as Record<string, unknown>).shippingAddress;
  if (address === undefined || address === null) {
    return [{ field: 'shippingAddress', message: 'is required when fulfillment is true', code: 'required' }];
  }
  if (typeof address !== 'object' || Array.isArray(address)) return [];
  return starredAddressFields
    .filter((name) => (address as Record<string, unknown>)[name] === undefined || (address as Record<string, unknown>)[name] === null)
    .map((name) => ({ field: `shippingAddress.${name}`, message: 'is required when fulfillment is true', code: 'required' as const }));
}

/** What the route validates: the schema with the fulfillment rule, every problem reported at once. */
export const lumenPurchaseRequest = withRules(lumenPurchaseSchema, fulfillmentIssues);
