/**
 * Lumen's OpenAPI document: the request schema that validates purchases (schema.ts), the 201 answer
 * (the purchase echoed with its id and time), Lumen's error shape and the reference's examples.
 */
import { crossSiteRefusal } from '../../shared/app/cross-site.ts';
import * as z from 'zod/mini';
import { openApiDocument, retryAfterHeader, routeOperations, type DocResponse, type JsonSchema } from '../../shared/openapi/index.ts';
import { lumenRoutes } from './route-table.ts';
import { lumenPurchaseSchema } from './schema.ts';
import { lumenWording } from './errors.ts';

/** What POST answers under `data`: the purchase as sent, with its id and creation time. */
export const lumenPurchaseOut = z.extend(lumenPurchaseSchema, { id: z.string(), createdAt: z.string() });
export const lumenCreatedResponse = z.object({ success: z.literal(true), data: lumenPurchaseOut });
export const lumenErrorResponse = z.object({
  success: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string(), message: z.string() })) }),
});

export const lumenFulfilledExample = {
  partnerPurchaseId: 'PARTNER_PUR_123',
  fulfillment: true,
  customer: { email: 'customer@example.com', firstName: 'John', lastName: 'Doe' },
  items: [{ productId: 'LMN_123456', quantity: 1 }],
  shippingAddress: { address1: '123 Main St', address2: 'Apt 4B', city: 'New York', state: 'NY', zip: '10001', countryCode: 'US', phone: '5551234567' },
  additionalInfo: { audienceSegment: 'segment_of_audience' },
  properties: { key1: 'value1', key2: 'value2' },
};

export const partnerFulfilledExample = {
  partnerPurchaseId: 'PARTNER_PUR_456',
  fulfillment: false,
  customer: { email: 'customer@example.com', firstName: 'Jane', lastName: 'Smith' },
  items: [{ productId: 'LMN_123456', quantity: 1 }],
  additionalInfo: { audienceSegment: 'type_of_audience' },
};

const json = (schema: z.core.$ZodType, examples?: Record<string, unknown>) => ({
  'application/json': { schema, ...(examples ? { examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])) } : {}) },
});
const error = (description: string, code: string, message: string, headers?: DocResponse['headers']) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(lumenErrorResponse, { example: { success: false, error: { code, message, details: [] } } }),
});

let document: JsonSchema | null = null;

export function lumenOpenApi(): JsonSchema {
  document ??= openApiDocument(
    { title: 'Lumen partner purchases', version: '1', description: 'Partners report purchases of Lumen products, fulfilled by Lumen or by the partner.' },
    { partnerApiKey: { type: 'apiKey', in: 'header', name: 'X-Partner-Api-Key', description: 'The partner\'s API key.' } },
    routeOperations(lumenRoutes, {
      reportPurchase: {
        security: ['partnerApiKey'],
        description:
          'shippingAddress and its starred fields (address1, city, state, zip, countryCode, phone) are required when fulfillment is true. ' +
          'Each partnerPurchaseId is accepted once per partner; the partnership\'s rate limit answers 429 with a truthful Retry-After.',
        requestBody: { content: json(lumenPurchaseSchema, { lumenFulfilled: lumenFulfilledExample, partnerFulfilled: partnerFulfilledExample }) },
        responses: {
          201: { description: 'The purchase was recorded.', content: json(lumenCreatedResponse) },
          400: { description: 'Invalid or missing fields (each named in details), or a body that is not JSON.', content: json(lumenErrorResponse) },
          401: error('Missing or invalid API key.', 'UNAUTHORIZED', lumenWording.invalid_credential),
          403: error(crossSiteRefusal.description, 'FORBIDDEN', crossSiteRefusal.example),
          409: error('A purchase with this partnerPurchaseId already exists.', 'DUPLICATE_PURCHASE', 'A purchase with partnerPurchaseId PARTNER_PUR_123 has already been reported.'),
          413: error('The body is over 64 KB.', 'PAYLOAD_TOO_LARGE', 'The request body is larger than 64 KB.'),
          429: error('Too many requests for the partnership\'s limit.', 'RATE_LIMIT', 'Too many requests: this partnership allows 120 every 60 seconds. Retry in 12 seconds.', retryAfterHeader),
          503: error('The database could not be reached in time.', 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; please retry shortly.', retryAfterHeader),
        },
      },
    }),
  );
  return document;
}
