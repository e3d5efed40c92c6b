/** What Kit's POST /v4/purchases takes: `{ "purchase": { ... } }` with its line items under `products`. */
import * as z from 'zod/mini';
import { currencyCode, email, isoTimestamp, money, plainText } from '../../shared/validation/index.ts';

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

export type KitPurchaseInput = z.output<typeof kitPurchaseSchema>['purchase'];
