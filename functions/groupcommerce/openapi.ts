/**
 * The publisher API's OpenAPI document. The order form is described from the zod schema that checks
 * it (order-request.ts), flattened into the dotted and indexed names the form uses
 * (`ConsumerInfo.Email`, `OrderDetails[0].OfferId`); answers are the base response in JSON, or in
 * XML when asked.
 */
import { crossSiteRefusal } from '../../shared/app/cross-site.ts';
import * as z from 'zod/mini';
import { jsonSchemaOf, openApiDocument, queryParameters, retryAfterHeader, routeOperations, type JsonSchema } from '../../shared/openapi/index.ts';
import { groupCommerceRoutes } from './route-table.ts';
import { creditCardsQuerySchema, orderFormSchema } from './order-request.ts';

const errorItem = z.object({ code: z.string(), message: z.string() });
const base = {
  errors: z.array(errorItem),
  lastPublished: z.string().check(z.regex(/^\/Date\(\d+\)\/$/)),
  success: z.boolean(),
  version: z.literal('3'),
};
const orderFields = {
  chargeAmount: z.number(),
  creditValueUsed: z.number(),
  currencySymbol: z.string(),
  duplicateOrderId: z.nullable(z.number()),
  isoCurrencyCode: z.string(),
};
export const purchaseResponse = z.object({ ...base, ...orderFields, orderId: z.nullable(z.number()), pendingCreditValueAwarded: z.number() });
export const validateOrderResponse = z.object({ ...base, ...orderFields, pendingCreditValueAwarded: z.number() });
export const creditCardsResponse = z.object({
  ...base,
  creditCards: z.array(
    z.object({ storedCreditCardId: z.string(), paymentType: z.string(), lastFourDigits: z.string(), expirationMonth: z.number(), expirationYear: z.number() }),
  ),
});
export const errorResponse = z.object(base);

/**
 * The form's JSON Schema with nested objects spelled as the form names them: `A.B` for a field of
 * an object, `A[n].B` (as a pattern) for a field of the n-th item of a list.
 */
export function flattenForm(schema: JsonSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const patternProperties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const escape = (name: string) => name.replace(/[.[\]]/g, (ch) => `\\${ch}`);
  const walk = (node: JsonSchema, name: string, pattern: string | null, mandatory: boolean) => {
    const children = node.properties as Record<string, JsonSchema> | undefined;
    const items = node.items as JsonSchema | undefined;
    if (node.type === 'object' && children) {
      const inner = new Set((node.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries(children)) {
        walk(child, name ? `${name}.${key}` : key, pattern === null ? null : `${pattern}\\.${escape(key)}`, mandatory && inner.has(key));
      }
    } else if (node.type === 'array' && items?.type === 'object') {
      walk(items, `${name}[n]`, `${pattern ?? `^${escape(name)}`}\\[\\d+\\]`, false);
    } else if (pattern !== null) {
      patternProperties[`${pattern}$`] = node;
    } else {
      properties[name] = node;
      if (mandatory) required.push(name);
    }
  };
  walk(schema, '', null, true);
  return { type: 'object', properties, patternProperties, required, additionalProperties: false };
}

/** The reference's sample order, with an expiry year in the future. */
export function sampleOrder(expirationYear: number): Record<string, string> {
  return {
    'ConsumerInfo.Email': 'consumertest@groupcommerce.com', 'ConsumerInfo.UserKey': 'consumertest@groupcommerce.com', 'ConsumerInfo.FirstName': 'consumer',
    'ConsumerInfo.LastName': 'test', 'ConsumerInfo.ReferredByUserKey': 'rbuk@groupcommerce.com', 'BillingInfo.NameOnCard': 'cardname',
    'BillingInfo.CardNumber': '4111111111111111', 'BillingInfo.PaymentType': 'Unknown', 'BillingInfo.CVV': '111', 'BillingInfo.ExpirationMonth': '7',
    'BillingInfo.ExpirationYear': String(expirationYear), 'BillingInfo.BillingPhone': '2165615908', 'BillingInfo.BillingAddress': '628 Broadway',
    'BillingInfo.BillingCity': 'New York', 'BillingInfo.BillingState': 'NY', 'BillingInfo.BillingZip': '10010', 'BillingInfo.BillingCountry': 'US',
    'BillingInfo.StoreCreditCard': 'False', 'OrderDetails[0].FirstName': 'Jon', 'OrderDetails[0].LastName': 'Lastn',
    'OrderDetails[0].EmailAddress': 'giftrecipient@groupcommerce.com', 'OrderDetails[0].FromName': 'Someone', 'OrderDetails[0].Quantity': '2',
    'OrderDetails[0].Message': 'Message content', 'OrderDetails[0].OfferId': '9033', 'OrderDetails[0].OfferOptionId': '9173',
    'OrderDetails[0].SegmentKey': 'new-york', 'OrderDetails[0].IsGift': 'True', 'OrderDetails[0].Address': '123 Road', 'OrderDetails[0].Address2': 'Apt. 6K',
    'OrderDetails[0].City': 'Cleveland', 'OrderDetails[0].Country': 'US', 'OrderDetails[0].PostalCode': '44122', 'OrderDetails[0].ShippingName': 'ShipToMe',
    'OrderDetails[0].State': 'OH', 'OrderDetails[1].EmailAddress': 'apisupport@groupcommerce.com', 'OrderDetails[1].Quantity': '1',
    'OrderDetails[1].OfferId': '9035', 'OrderDetails[1].OfferOptionId': '9123', 'OrderDetails[1].SegmentKey': 'new-york', 'OrderDetails[1].IsGift': 'False',
    UsePromotionalPrice: 'False',
  };
}

const xmlSample = `<purchaseResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><errors/><lastPublished>2026-11-22T18:08:43.801000Z</lastPublished><success>true</success><version>3</version><chargeAmount>192.92</chargeAmount><creditValueUsed>0.00</creditValueUsed><currencySymbol>$</currencySymbol><duplicateOrderId i:nil="true"/><isoCurrencyCode>USD</isoCurrencyCode><orderId>117343</orderId><pendingCreditValueAwarded>11.65</pendingCreditValueAwarded></purchaseResponse>`;

/** The answer in JSON, and in XML (root element `root`) for `Accept: application/xml` or `text/xml`. */
function both(schema: z.core.$ZodType, root: string, example?: unknown, xmlExample?: string) {
  const xml = { schema: { type: 'object', xml: { name: root } } as JsonSchema, ...(xmlExample ? { example: xmlExample } : {}) };
  return { 'application/json': { schema, ...(example === undefined ? {} : { example }) }, 'application/xml': xml, 'text/xml': xml };
}

/** The error answers of an endpoint (answering with root element `root`); `changes`: it changes state, so pages of other sites are refused. */
function errors(root: string, changes = false) {
  const failure = (description: string, code: string, message: string, extra: object = {}) => ({
    description,
    ...extra,
    content: both(errorResponse, root, { errors: [{ code, message }], lastPublished: '/Date(1795395389348)/', success: false, version: '3' }),
  });
  const retryAfter = { headers: retryAfterHeader };
  return {
    400: failure('A missing, repeated or unsupported OAuth protocol parameter, or an order that is not valid (each problem in errors).', 'InvalidRequest', 'OrderDetails[0].Quantity: must be a whole number from 1 to 32767 (int16)'),
    401: failure('No OAuth header, an unknown or revoked consumer, a bad signature, a reused nonce or a stale timestamp.', 'SignatureInvalid', 'The OAuth signature does not match the request.'),
    ...(changes ? { 403: failure(crossSiteRefusal.description, 'CrossSiteRequest', crossSiteRefusal.example) } : {}),
    413: failure('The body is over 64 KB.', 'RequestTooLarge', 'The request body is larger than 64 KB.'),
    415: failure('The body is not application/x-www-form-urlencoded.', 'UnsupportedMediaType', 'The order must be sent as application/x-www-form-urlencoded.'),
    429: failure("Past the consumer's request limit (the publisher's, 600 a minute unless set otherwise), or too many failed authentications from the client's address.", 'RateLimited', 'Too many requests: this credential may make 600 requests every 60 seconds. Retry in 12 seconds.', retryAfter),
    503: failure('The database or the payment processor could not be reached; nothing was charged or ordered.', 'ServiceUnavailable', 'The service is temporarily unavailable; please retry shortly.', retryAfter),
  };
}

let document: JsonSchema | null = null;

export function groupCommerceOpenApi(): JsonSchema {
  if (document) return document;
  const form = flattenForm(jsonSchemaOf(orderFormSchema, 'input'));
  const orderBody = { content: { 'application/x-www-form-urlencoded': { schema: form, example: sampleOrder(2030) } } };
  const description =
    'A form (application/x-www-form-urlencoded) whose names are the fields\' paths: ConsumerInfo.Email, OrderDetails[0].OfferId (also %5b0%5d), ' +
    'matched in any case; booleans as True/False. Required fields depend on the billing scenario (new card, StoredCreditCardId, ' +
    'PaymentCapturedOffSite=True), on IsGift and on whether the offer ships.';
  document = openApiDocument(
    { title: 'Group Commerce publisher API', version: '3', description: 'Purchase and validate orders of a publisher\'s offers, and read a consumer\'s stored cards.' },
    { oauth1: { type: 'http', scheme: 'OAuth', description: 'OAuth 1.0a (RFC 5849), HMAC-SHA1, two-legged: the consumer key and secret sign the method, URL, query and form. The oauth_* parameters may also come in the form body or the query string instead of this header (section 3.5), in one place only.' } },
    routeOperations(groupCommerceRoutes, {
      purchase: {
        security: ['oauth1'],
        description,
        requestBody: orderBody,
        responses: {
          200: { description: 'The order was placed.', content: both(purchaseResponse, 'purchaseResponse', undefined, xmlSample) },
          402: { description: 'The card was declined; nothing was charged or ordered.', content: both(errorResponse, 'purchaseResponse') },
          409: { description: 'A duplicate of an order placed in the last ten minutes (duplicateOrderId names it); nothing was charged or ordered.', content: both(purchaseResponse, 'purchaseResponse') },
          ...errors('purchaseResponse', true),
        },
      },
      validateOrder: {
        security: ['oauth1'],
        description: `${description} Runs the purchase's checks and prices the order exactly as it would, creating nothing.`,
        requestBody: orderBody,
        responses: {
          200: { description: 'The order is valid; what it would charge.', content: both(validateOrderResponse, 'validateOrderResponse') },
          409: { description: 'The order would be a duplicate.', content: both(validateOrderResponse, 'validateOrderResponse') },
          ...errors('validateOrderResponse', true),
        },
      },
      consumerCreditCards: {
        security: ['oauth1'],
        parameters: queryParameters(creditCardsQuerySchema),
        responses: {
          200: { description: 'The consumer\'s stored cards.', content: both(creditCardsResponse, 'creditCardsResponse') },
          404: { description: 'No consumer with this UserKey.', content: both(errorResponse, 'creditCardsResponse') },
          ...errors('creditCardsResponse'),
        },
      },
    }),
  );
  return document;
}
