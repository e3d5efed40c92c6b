/** GET /api/v3/publisher/consumer/creditcards: the consumer's stored cards (the reference's "Consumer - Credit Cards"). */
import { validate } from '../../../shared/app/validate.ts';
import { callJsonRpc } from '../../../shared/db/index.ts';
import { groupCommerceErrors } from '../errors.ts';
import { creditCardsRequestSchema } from '../order-request.ts';
import { respond } from '../respond.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';

export const creditCardsRoute = publisher.createHandlers(signedRequest, validate('query', creditCardsRequestSchema, groupCommerceErrors), async (c) => {
  const { db, spend } = c.get('publisher');
  const cards = await callJsonRpc<Array<Record<string, string | number>>>(db, 'gc_consumer_credit_cards', {
    ...spend,
    user_key: c.req.valid('query').UserKey,
  }).catch(revokedConsumer);
  return respond(c, 200, 'creditCardsResponse', [], { creditCards: { items: cards, itemElement: 'creditCard' } });
});
