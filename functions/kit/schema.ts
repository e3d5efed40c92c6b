/** What Kit's POST /v4/purchases takes: `{ "purchase": { ... } }` with its line items under `products`. */
import * as z from 'zod/mini';
import { centsToDecimal, toCents } from '../../shared/money/index.ts';
import { currencyCode, email, isoTimestamp, money, plainText, reportIssues } from '../../shared/validation/index.ts';
import { decodeCursor } from './cursor.ts';

const text = (max: number) => plainText(max).check(z.minLength(1, { error: 'must not be empty' }));
const wholeQuantity = 'must be a whole number of at least 1';

/** Kit's purchase statuses, on the ledger's one status vocabulary. */
export const kitStatuses = ['paid', 'pending', 'refunded', 'error', 'canceled', 'held'] as const;

export const kitProductSchema = z.strictObject({
  name: text(500),
  pid: text(255),
  lid: text(255),
  quantity: z.number({ error: wholeQuantity }).check(
    z.int({ error: wholeQuantity }),
    z.minimum(1, { error: wholeQuantity }),
    z.maximum(100_000, { error: 'must be at most 100000' }),
  ),
  unit_price: money(),
  sku: z.optional(z.nullable(plainText(255))),
});

export const kitPurchaseSchema = z.strictObject({
  purchase: z.strictObject({
    email_address: email,
    transaction_id: text(255),
    status: z.optional(z.enum(kitStatuses, { error: `must be one of ${kitStatuses.join(', ')}` })),
    currency: z.pipe(
      z.pipe(z.string({ error: 'must be a three-letter ISO 4217 currency code, e.g. USD' }), z.transform((value) => value.toUpperCase())),
      currencyCode,
    ),
    // When the purchase happened; now when left out.
    transaction_time: z.optional(isoTimestamp),
    subtotal: z.optional(money()),
    tax: z.optional(money()),
    shipping: z.optional(money()),
    discount: z.optional(money()),
    total: z.optional(money()),
    products: z
      .array(kitProductSchema)
      .check(z.minLength(1, { error: 'must list at least one product' }), z.maxLength(500, { error: 'must list at most 500 products' })),
  }),
});

/**
 * What the route validates: the purchase with its amounts made whole. A subtotal left out is the
 * products' (unit price × quantity), tax, shipping and discount left out are 0, a total left out is
 * subtotal − discount + tax + shipping. Given amounts that do not add up (to the cent) are refused,
 * naming the fields and both sums: every API that reads the ledger back shows amounts that add up.
 */
export const kitPurchaseRequest = z.pipe(
  kitPurchaseSchema,
  z.transform((body, ctx) => {
    const p = body.purchase;
    const products = p.products.reduce((sum, product) => sum + toCents(product.unit_price) * BigInt(product.quantity), 0n);
    const subtotal = p.subtotal === undefined ? products : toCents(p.subtotal);
    const [discount, tax, shipping] = [p.discount, p.tax, p.shipping].map(toCents) as [bigint, bigint, bigint];
    const sum = subtotal - discount + tax + shipping;
    const [s, d, t, sh] = [subtotal, discount, tax, shipping].map(centsToDecimal);
    const shown = `subtotal − discount + tax + shipping = ${s} − ${d} + ${t} + ${sh} = ${centsToDecimal(sum)}`;
    if (p.total !== undefined && toCents(p.total) !== sum) {
      reportIssues(ctx, body, [{ field: 'purchase.total', message: `is ${centsToDecimal(toCents(p.total))}, but ${shown}`, code: 'invalid' }]);
      return z.NEVER;
    }
    if (sum < 0n) {
      reportIssues(ctx, body, [{ field: 'purchase.discount', message: `is more than the rest: ${shown}`, code: 'invalid' }]);
      return z.NEVER;
    }
    const amounts = { subtotal: centsToDecimal(subtotal), discount: centsToDecimal(discount), tax: centsToDecimal(tax), shipping: centsToDecimal(shipping), total: centsToDecimal(sum) };
    return { purchase: { ...p, ...amounts } };
  }),
);
/** A purchase as the route has it after validation: every amount given, as an exact decimal string. */
export type KitPurchaseRequest = z.output<typeof kitPurchaseRequest>['purchase'];

const cursor = (name: 'after' | 'before') =>
  z.optional(
    z.pipe(
      z.string().check(z.meta({ description: `The ${name === 'after' ? 'end_cursor of the previous page (older purchases)' : 'start_cursor of the next page (newer purchases)'}.` })),
      z.transform((text, ctx) => {
        if (text === '') return null;
        const number = decodeCursor(text);
        if (number === null) {
          ctx.issues.push({ code: 'custom', input: text, message: 'is not a cursor this API returned' });
          return z.NEVER;
        }
        return number;
      }),
    ),
  );

/** GET /v4/purchases's query: what validates it and what the API document says of it. */
export const kitPageQuerySchema = z
  .object({
    per_page: z.optional(
      z.pipe(
        z.string().check(z.regex(/^(|[1-9]\d{0,3})$/, { error: 'must be a whole number from 1 to 1000' }), z.meta({ description: 'Purchases per page (default 500, at most 1000).' })),
        z.transform((text, ctx) => {
          const perPage = text === '' ? 500 : Number(text);
          if (perPage > 1000) {
            ctx.issues.push({ code: 'custom', input: text, message: 'must be a whole number from 1 to 1000' });
            return z.NEVER;
          }
          return perPage;
        }),
      ),
    ),
    after: cursor('after'),
    before: cursor('before'),
    include_total_count: z.optional(
      z.enum(['true', 'false', ''], { error: 'must be true or false' }).check(z.meta({ description: 'true adds pagination.total_count.' })),
    ),
  })
  .check(
    z.refine((query) => query.after == null || query.before == null, { error: 'cannot be used together with before', path: ['after'] }),
  );

/** The query read: page size, cursors and whether to count. */
export function readPageQuery(query: z.output<typeof kitPageQuerySchema>) {
  return { perPage: query.per_page ?? 500, after: query.after ?? null, before: query.before ?? null, withTotal: query.include_total_count === 'true' };
}
