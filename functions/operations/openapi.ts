/**
 * The operations function's OpenAPI document: one endpoint whose body names an action; the body
 * schema is each action's own (the one that validates it), the responses are the wire schemas.
 */
import { crossSiteRefusal } from '../../shared/app/cross-site.ts';
import * as z from 'zod/mini';
import { jsonContent, jsonSchemaOf, openApiDocument, retryAfterHeader, routeOperations, type JsonSchema } from '../../shared/openapi/index.ts';
import { operationsRoutes } from './route-table.ts';
import { actions } from './actions/index.ts';
import { operationsWording } from './errors.ts';
import { operationsPurchaseOut, operationsRewardEventOut } from './wire.ts';

export const operationsErrorResponse = z.object({ error: z.string() });
export const purchaseResponse = z.object({ purchase: operationsPurchaseOut });
export const purchaseListResponse = z.object({ purchases: z.array(operationsPurchaseOut), has_more: z.boolean() });
export const rewardEventListResponse = z.object({ reward_events: z.array(operationsRewardEventOut), has_more: z.boolean() });

/** The reference's example (its lead and product are the reference's; use your own). */
export const operationsExampleRequest = {
  action: 'create_purchase',
  lead_id: '99887766-5544-3322-1100-aabbccddeeff',
  product_id: '44332211-aabb-ccdd-eeff-001122334455',
  purchase_amount: 12500,
  date: '2025-04-01T00:00:00.000Z',
  description: 'Annual subscription',
};

const error = (description: string, example: string) => ({ description, content: jsonContent(operationsErrorResponse, { error: example }) });

let document: JsonSchema | null = null;

export function operationsOpenApi(): JsonSchema {
  const bodies = [...actions.values()].map((action) => action.schema);
  document ??= openApiDocument(
    {
      title: 'Operations function',
      version: '1',
      description: 'One endpoint, an action per request: create_purchase (with its purchase event and rewards), get_purchase, list_purchases, list_reward_events.',
    },
    { apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The company\'s operations API key.' } },
    routeOperations(operationsRoutes, {
      operations: {
        security: ['apiKey'],
        description:
          'The body names the action. create_purchase records a purchase against a lead of a channel the company may use; its Idempotency-Key header ' +
          '(1 to 255 characters) makes a retry answer the first result (Idempotent-Replayed: true). Fixed rewards use the trigger\'s amount; ' +
          'percentage rewards are round(purchase_amount × percent / 100, 2), halves away from zero.',
        parameters: [{ name: 'Idempotency-Key', in: 'header', description: 'Makes create_purchase safe to retry.', schema: { type: 'string', minLength: 1, maxLength: 255 } }],
        requestBody: { content: { 'application/json': { schema: { oneOf: bodies.map((body) => jsonSchemaOf(body, 'input')) }, example: operationsExampleRequest } } },
        responses: {
          201: { description: 'create_purchase: the purchase was recorded.', content: jsonContent(purchaseResponse) },
          200: { description: 'get_purchase: the purchase; list_purchases: a page of purchases; list_reward_events: a page of reward events.', content: jsonContent({ oneOf: [purchaseResponse, purchaseListResponse, rewardEventListResponse].map((r) => jsonSchemaOf(r, 'output')) }) },
          400: error('A missing or unknown action, a missing lead_id, or a field that is not valid (named in the message).', 'lead_id required'),
          401: error('No or an unknown X-Api-Key.', operationsWording.invalid_credential),
          403: error(`The lead\'s channel is not the company\'s, or the product is not the company\'s; or: ${crossSiteRefusal.description}`, 'Lead not accessible'),
          404: error('get_purchase: no such purchase of the company.', 'Purchase not found'),
          409: error('The Idempotency-Key was used with another body.', 'Idempotency-Key retry-1 was already used with a different request'),
          413: error('The body is over 64 KB.', 'The request body is larger than 64 KB.'),
          429: {
            description: "Past the key's request limit (the company's, 600 a minute unless set otherwise), or too many failed authentications from the client's address.",
            headers: retryAfterHeader,
            content: jsonContent(operationsErrorResponse, { error: 'Too many requests: this credential may make 600 requests every 60 seconds. Retry in 12 seconds.' }),
          },
          503: { description: 'The database could not be reached in time.', headers: retryAfterHeader, content: jsonContent(operationsErrorResponse, { error: 'The service is temporarily unavailable; please retry shortly.' }) },
        },
      },
    }),
  );
  return document;
}

