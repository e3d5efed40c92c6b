/**
 * DPD's OpenAPI document: the list's query parameters as query.ts reads them, the purchase in DPD's
 * wire form (the zod schema below is what toDpdPurchase returns, its type checked against it), and
 * DPD's status-word errors. Every route answers at the root and under /v2.
 */
import { crossSiteRefusal } from '../../shared/app/cross-site.ts';
import * as z from 'zod/mini';
import { jsonContent, openApiDocument, queryParameters, retryAfterHeader, routeOperations, type JsonSchema } from '../../shared/openapi/index.ts';
import { dpdRoutes } from './route-table.ts';
import { dpdWording } from './errors.ts';
import { dpdListQuerySchema, dpdReactivateSchema } from './query.ts';
import { statusOfCode } from './status.ts';

const money = z.string().check(z.regex(/^-?\d+\.\d{2}$/));
const statusCodes = Object.keys(statusOfCode) as [string, ...string[]];

export const dpdLineItemOut = z.object({
  id: z.number(),
  purchase_id: z.number(),
  product_id: z.nullable(z.number()),
  price: money,
  quantity: z.number(),
  subtotal: money,
  tax: money,
  discount: money,
  total: money,
  product_name: z.string(),
  download_limit: z.nullable(z.number()),
  download_count: z.nullable(z.number()),
  expires_at: z.nullable(z.number()),
  product_keys: z.array(z.string()),
  has_all_keys: z.boolean(),
});

export const dpdPurchaseOut = z.object({
  id: z.number(),
  created_at: z.number(),
  updated_at: z.number(),
  storefront_id: z.nullable(z.number()),
  salt: z.string(),
  status: z.enum(statusCodes),
  currency: z.string(),
  subtotal: money,
  discount: money,
  tax: money,
  shipping: money,
  total: money,
  processor_fee: money,
  buyer_email: z.string(),
  buyer_firstname: z.string(),
  buyer_lastname: z.string(),
  customer: z.nullable(
    z.object({
      id: z.number(),
      firstname: z.string(),
      lastname: z.string(),
      email: z.string(),
      receives_email: z.boolean(),
      created_at: z.number(),
      updated_at: z.number(),
    }),
  ),
  customer_notes: z.string(),
  custom_fields: z.array(z.object({ label: z.string(), response: z.string() })),
  shipping_firstname: z.string(),
  shipping_lastname: z.string(),
  shipping_street: z.string(),
  shipping_street2: z.string(),
  shipping_city: z.string(),
  shipping_state: z.string(),
  shipping_zip_code: z.string(),
  shipping_country_code: z.string(),
  shipping_country: z.string(),
  shipping_phone: z.string(),
  shipping_vatin: z.string(),
  shipping_business_name: z.string(),
  shipping_carrier: z.string(),
  shipping_tracking_number: z.string(),
  requires_shipping: z.boolean(),
  tangibles_to_ship: z.nullable(z.number()),
  billing_firstname: z.string(),
  billing_lastname: z.string(),
  billing_street: z.string(),
  billing_street2: z.string(),
  billing_city: z.string(),
  billing_state: z.string(),
  billing_zip_code: z.string(),
  billing_country_code: z.string(),
  billing_card_type: z.string(),
  billing_card_number: z.string(),
  line_items: z.array(dpdLineItemOut),
  coupons: z.array(z.object({ name: z.string(), code: z.string(), discount_amount: money, discount_type: z.string() })),
  ip_address: z.string(),
  marketing_optin: z.boolean(),
});

export const dpdErrorResponse = z.object({
  status: z.string(),
  message: z.optional(z.string()),
  /** Each bad parameter, when there are any. */
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string(), code: z.optional(z.string()) }))),
});

const error = (description: string, status: string, message?: string) => ({ description, content: jsonContent(dpdErrorResponse, { status, ...(message ? { message } : {}) }) });
const unauthorized = error('No, malformed or wrong credentials (with a WWW-Authenticate: Basic challenge).', 'UNAUTHORIZED', dpdWording.invalid_credential);
const unavailable = {
  description: 'The database could not be reached in time.',
  headers: retryAfterHeader,
  content: jsonContent(dpdErrorResponse, { status: 'UNAVAILABLE', message: 'The service is temporarily unavailable; please retry shortly.' }),
};
const rateLimited = {
  description: "Past the account's request limit (600 a minute unless set otherwise), or too many failed authentications from the client's address.",
  headers: retryAfterHeader,
  content: jsonContent(dpdErrorResponse, { status: 'RATELIMITED', message: 'Too many requests: this credential may make 600 requests every 60 seconds. Retry in 12 seconds.' }),
};
const idParameter = { name: 'id', in: 'path' as const, description: 'The purchase id.', schema: { type: 'integer', minimum: 1 } as JsonSchema };

let document: JsonSchema | null = null;

export function dpdOpenApi(): JsonSchema {
  document ??= openApiDocument(
    {
      title: 'DPD purchases',
      version: '2',
      description: 'A DPD account\'s purchases: list with filters, get one, reactivate. Every route also answers under /v2.',
    },
    { basic: { type: 'http', scheme: 'basic', description: 'The account username and API password.' } },
    routeOperations(dpdRoutes, {
      ping: {
        security: ['basic'],
        responses: { 200: { description: 'The credentials are valid.', content: jsonContent(z.object({ status: z.literal('SUCCESS') }), { status: 'SUCCESS' }) }, 401: unauthorized, 429: rateLimited, 503: unavailable },
      },
      listPurchases: {
        security: ['basic'],
        description: 'Newest first, 100 a page. Dpd-Collection-Count carries the number of purchases matching the filters; a page past the end is 404 NOTFOUND. Filters combine.',
        parameters: queryParameters(dpdListQuerySchema()),
        responses: {
          200: {
            description: 'A page of purchases.',
            headers: { 'Dpd-Collection-Count': { description: 'Purchases matching the filters.', schema: { type: 'integer' } } },
            content: jsonContent(z.array(dpdPurchaseOut)),
          },
          400: error('A parameter cannot be read (named in the message).', 'BADREQUEST', 'date_min cannot be read as a date or time: "someday"'),
          401: unauthorized,
          404: error('A page past the end.', 'NOTFOUND'),
          429: rateLimited,
          503: unavailable,
        },
      },
      getPurchase: {
        security: ['basic'],
        parameters: [idParameter],
        responses: { 200: { description: 'The purchase.', content: jsonContent(dpdPurchaseOut) }, 401: unauthorized, 404: error('No such purchase in the account.', 'NOTFOUND'), 429: rateLimited, 503: unavailable },
      },
      reactivatePurchase: {
        security: ['basic'],
        description: 'The purchase is active again and its downloads renewed; with refulfill, new product keys are issued. The delivery email goes to customer_email, or the buyer. Parameters in the query, a form or a JSON body.',
        parameters: [idParameter, ...queryParameters(dpdReactivateSchema)],
        responses: {
          200: { description: 'Reactivated.', content: jsonContent(z.object({ status: z.literal('OK') }), { status: 'OK' }) },
          400: error('customer_email is not an email address, or the body is not valid.', 'BADREQUEST', 'customer_email must be an email address'),
          401: unauthorized,
          403: error(crossSiteRefusal.description, 'FORBIDDEN', crossSiteRefusal.example),
          404: error('No such purchase in the account.', 'NOTFOUND'),
          429: rateLimited,
          503: unavailable,
        },
      },
    }),
  );
  return document;
}
