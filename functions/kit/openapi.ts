/**
 * Kit's OpenAPI document: the request schema the worker validates with (schema.ts), the answers'
 * schemas (wire.ts), Kit's error shape and the reference's example.
 */
import { crossSiteRefusal } from '../../shared/app/cross-site.ts';
import * as z from 'zod/mini';
import { jsonContent, openApiDocument, queryParameters, retryAfterHeader, routeOperations, type JsonSchema } from '../../shared/openapi/index.ts';
import { kitRoutes } from './route-table.ts';
import { kitWording } from './errors.ts';
import { kitPageQuerySchema, kitPurchaseSchema } from './schema.ts';
import { kitListResponse, kitPurchaseResponse, kitPurchaseWithSubscriberResponse } from './wire.ts';

export const kitErrorResponse = z.object({ errors: z.array(z.string()) });

/** The reference's example request. */
export const kitExampleRequest = {
  purchase: {
    email_address: 'pru.magoo@example.com',
    transaction_id: '796-92-4892',
    status: 'paid',
    subtotal: 78.66,
    tax: 7.87,
    shipping: 0,
    discount: 5,
    total: 81.53,
    currency: 'USD',
    transaction_time: '2023-02-17T11:43:55Z',
    products: [
      { name: 'Phantom Hourglass', pid: '804-02-4430', lid: '811-75-7900', quantity: 1, unit_price: 23.22, sku: 'SM21-SH-M02-RD-S-001' },
      { name: 'Twilight Princess', pid: '833-51-1151', lid: '766-49-1241', quantity: 1, unit_price: 32.22, sku: 'WT21-JK-M03-BK-L-012' },
      { name: 'Four Swords', pid: '217-99-4325', lid: '563-95-8878', quantity: 1, unit_price: 23.22, sku: 'FL21-TS-M01-BL-M-020' },
    ],
  },
};

const error = (description: string, example: string) => ({ description, content: jsonContent(kitErrorResponse, { errors: [example] }) });
const rateLimited = {
  description: 'Past 600 requests in 60 seconds for the token.',
  headers: retryAfterHeader,
  content: jsonContent(kitErrorResponse, { errors: ['Rate limit hit: 600 requests per 60 seconds. Retry in 12 seconds.'] }),
};
const unavailable = {
  description: 'The database could not be reached in time; retry after the given seconds.',
  headers: retryAfterHeader,
  content: jsonContent(kitErrorResponse, { errors: ['The service is temporarily unavailable; please retry shortly.'] }),
};
const unauthorized = error('No, an unknown or a revoked access token.', kitWording.invalid_credential);

let document: JsonSchema | null = null;

/** Kit's document, built once per isolate. */
export function kitOpenApi(): JsonSchema {
  document ??= openApiDocument(
    {
      title: 'Kit v4 purchases',
      version: '4',
      description: 'Purchases of a Kit account: create (or update by transaction_id), list newest first with cursors, get one.',
    },
    { oauth: { type: 'http', scheme: 'bearer', description: 'A Kit OAuth access token.' } },
    routeOperations(kitRoutes, {
      createPurchase: {
        security: ['oauth'],
        description: 'Creates the purchase, the subscriber for its email address and any product (by pid) the account lacks. A known transaction_id updates that purchase instead (200).',
        requestBody: { content: jsonContent(kitPurchaseSchema, kitExampleRequest) },
        responses: {
          201: { description: 'The purchase was created.', content: jsonContent(kitPurchaseResponse) },
          200: { description: 'A purchase with this transaction_id existed and was updated.', content: jsonContent(kitPurchaseResponse) },
          401: unauthorized,
          403: error(crossSiteRefusal.description, crossSiteRefusal.example),
          413: error('The body is over 64 KB.', 'The request body is larger than 64 KB.'),
          422: error('A field is missing or not valid; each problem is one sentence naming the field.', 'purchase.email_address must be an email address'),
          429: rateLimited,
          503: unavailable,
        },
      },
      listPurchases: {
        security: ['oauth'],
        description: 'Newest first. `after` pages to older purchases, `before` to newer ones; cursors are opaque.',
        parameters: queryParameters(kitPageQuerySchema),
        responses: { 200: { description: 'A page of purchases.', content: jsonContent(kitListResponse) }, 401: unauthorized, 422: error('A paging parameter is not valid.', 'per_page must be a whole number from 1 to 1000'), 429: rateLimited, 503: unavailable },
      },
      getPurchase: {
        security: ['oauth'],
        parameters: [{ name: 'id', in: 'path', description: 'The purchase id.', schema: { type: 'integer', minimum: 1 } }],
        responses: {
          200: { description: 'The purchase with its subscriber.', content: jsonContent(kitPurchaseWithSubscriberResponse) },
          401: unauthorized,
          404: error('No purchase with this id in the account.', 'Not Found'),
          429: rateLimited,
          503: unavailable,
        },
      },
    }),
  );
  return document;
}
