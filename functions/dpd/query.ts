/**
 * The query of GET /purchases: every documented filter as one zod schema, which checks it, turns it
 * into the list RPC's arguments and writes the API document's parameters.
 */
import * as z from 'zod/mini';
import { email } from '../../shared/validation/index.ts';
import { parseDpdTime } from './dates.ts';
import { statusOfCode } from './status.ts';

const totalOps = ['eq', 'ne', 'gt', 'lt'] as const;

/** LIKE's wildcards taken literally, and lower case: the RPC matches `prefix%` case-insensitively. */
function likePrefix(value: string): string {
  return value.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** An optional query parameter: `read` turns its text into a value, or returns an error message. */
function parameter<T>(description: string, read: (text: string) => { value: T | undefined } | { problem: string }) {
  return z.optional(
    z.pipe(
      z.string().check(z.meta({ description })),
      z.transform((text, ctx) => {
        const result = read(text);
        if ('problem' in result) {
          ctx.issues.push({ code: 'custom', input: text, message: result.problem });
          return z.NEVER;
        }
        return result.value;
      }),
    ),
  );
}

const positiveId = (description: string) =>
  parameter(description, (text) =>
    text === '' ? { value: undefined } : /^[1-9]\d{0,15}$/.test(text) ? { value: Number(text) } : { problem: 'must be a positive whole number' },
  );
const prefix = (description: string) => parameter(description, (text) => ({ value: text ? likePrefix(text) : undefined }));

/** The schema; `nowSeconds` fixes "now" for relative dates (tests). */
export function dpdListQuerySchema(nowSeconds?: number) {
  const time = (description: string) =>
    parameter(description, (text) => {
      if (text.trim() === '') return { value: undefined };
      const seconds = parseDpdTime(text, nowSeconds);
      return seconds === null ? { problem: `cannot be read as a date or time: ${JSON.stringify(text)}` } : { value: seconds };
    });
  return z
    .object({
      page: parameter('Page number, from 1 (100 purchases a page).', (text) =>
        /^[1-9]\d{0,6}$/.test(text) ? { value: Number(text) } : { problem: 'must be a whole number of at least 1' },
      ),
      status: parameter(`Purchase status: ${Object.keys(statusOfCode).join(', ')}.`, (text) => {
        if (text === '') return { value: undefined };
        const status = statusOfCode[text.toUpperCase()];
        return status ? { value: status } : { problem: `must be one of ${Object.keys(statusOfCode).join(', ')}` };
      }),
      product_id: positiveId('Purchases with this product.'),
      storefront_id: positiveId('Purchases of this storefront.'),
      customer_id: positiveId('Purchases of this customer.'),
      subscriber_id: positiveId('The same as customer_id (the subscriber is the customer who bought).'),
      customer_email: prefix('Buyer email starting with this (any case).'),
      customer_first_name: prefix('Buyer first name starting with this (any case).'),
      customer_last_name: prefix('Buyer last name starting with this (any case).'),
      date_min: time('Created at or after: anything PHP\'s strtotime reads (2024-01-05, @1700000000, yesterday, 2 days ago).'),
      date_max: time('Created at or before, read the same way.'),
      total: parameter('An amount such as 19.99, compared with total_op.', (text) =>
        text === '' ? { value: undefined } : /^\d{1,12}(\.\d{1,2})?$/.test(text) ? { value: text } : { problem: 'must be an amount such as 19.99' },
      ),
      total_op: parameter(`How total compares: ${totalOps.join(', ')} (default eq).`, (text) => {
        const op = text.toLowerCase();
        return (totalOps as readonly string[]).includes(op) ? { value: op } : { problem: `must be one of ${totalOps.join(', ')}` };
      }),
      ship: parameter('Only purchases with tangible goods not yet shipped (any value but 0, false, no, off).', (text) => ({
        value: !['', '0', 'false', 'no', 'off'].includes(text.toLowerCase()),
      })),
    })
    .check(
      z.refine((query) => query.customer_id === undefined || query.subscriber_id === undefined || query.customer_id === query.subscriber_id, {
        error: 'names the customer, so it cannot differ from customer_id',
        path: ['subscriber_id'],
      }),
    );
}

/** The list RPC's arguments from the validated query. */
export function listArguments(q: z.output<ReturnType<typeof dpdListQuerySchema>>) {
  return {
    page_number: q.page ?? 1,
    status: q.status,
    product_number: q.product_id,
    storefront_number: q.storefront_id,
    // The ledger's subscriber is the customer who bought: both ids name the same record.
    customer_number: q.customer_id ?? q.subscriber_id,
    email_prefix: q.customer_email,
    first_name_prefix: q.customer_first_name,
    last_name_prefix: q.customer_last_name,
    created_from: q.date_min,
    created_to: q.date_max,
    total: q.total,
    total_comparison: q.total_op ?? 'eq',
    unshipped: q.ship ?? false,
  };
}

/** POST /purchases/:id/reactivate's parameters, from the query, a form or a JSON body. */
export const dpdReactivateSchema = z.object({
  customer_email: parameter('Where to send the delivery email (default: the buyer).', (text) => {
    const trimmed = text.trim();
    if (trimmed === '') return { value: undefined };
    return email.safeParse(trimmed).success ? { value: trimmed } : { problem: 'must be an email address' };
  }),
  // Any value but these (true, or a string among them) leaves the keys as they are.
  refulfill: z.optional(
    z.pipe(
      z.unknown().check(z.meta({ description: 'Issue new product keys: true, or 1, true, yes or on.' })),
      z.transform((value) => value === true || (typeof value === 'string' && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()))),
    ),
  ),
});
