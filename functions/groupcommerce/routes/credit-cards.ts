/** Consumer - Credit Cards: the consumer's stored cards. */
import { validate } from '../../../shared/app/validate.ts';
import { callTypedRpc } from '../../../shared/db/index.ts';
import { groupCommerceErrors } from '../errors.ts';
import { creditCardsRequestSchema } from '../order-request.ts';
import { respond } from '../respond.ts';
import { groupCommerceRoutes } from '../route-table.ts';
import { consumerCardsRpc } from '../rpcs.ts';
import { publisher, revokedConsumer, signedRequest } from '../signed-request.ts';

export const creditCardsRoute = publisher.createHandlers(signedRequest, validate('query', creditCardsRequestSchema, groupCommerceErrors), async (c) => {
  const { db, spend } = c.get('publisher');
  const cards = await callTypedRpc(db, consumerCardsRpc, { ...spend, user_key: c.req.valid('query').UserKey }).catch(revokedConsumer);
  const items = cards.map((card) => ({
    storedCreditCardId: card.id,
    paymentType: card.brand,
    lastFourDigits: card.last4,
    expirationMonth: card.expiry_month,
    expirationYear: card.expiry_year,
  }));
  return respond(c, 200, groupCommerceRoutes.consumerCreditCards.root, [], { creditCards: { items, itemElement: 'creditCard' } });
});
