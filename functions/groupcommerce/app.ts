/**
 * Group Commerce publisher API: Purchase, ValidateOrder and Consumer - Credit Cards
 * (route-table.ts), form-encoded and signed with OAuth 1.0a, answered in JSON or XML.
 */
import { createWorkerApp } from '../../shared/app/index.ts';
import { mountRoutes } from '../../shared/app/routes.ts';
import { docsPage } from '../../shared/docs/index.ts';
import { groupCommerceErrors } from './errors.ts';
import type { GroupCommerceEnv } from './oauth.ts';
import { groupCommerceRoutes } from './route-table.ts';
// Generated from the request schemas by npm run openapi (platform/openapi-documents.ts).
import openApiDocument from './openapi.generated.json' with { type: 'json' };
import { creditCardsRoute } from './routes/credit-cards.ts';
import { placeOrderRoute } from './routes/place-order.ts';
import { validateOrderRoute } from './routes/validate-order.ts';

export const app = createWorkerApp<GroupCommerceEnv>({ service: 'groupcommerce', dialect: groupCommerceErrors });

// The OpenAPI 3.1 document of this API, from the schemas that check its forms.
app.get('/openapi.json', (c) => c.json(openApiDocument));
// The human reference: Swagger UI over /openapi.json, from this worker's own static assets.
app.get('/docs', (c) => docsPage(c, 'Group Commerce publisher API'));

mountRoutes(app, groupCommerceRoutes, { purchase: placeOrderRoute, validateOrder: validateOrderRoute, consumerCreditCards: creditCardsRoute });
