/** The publisher API's consumer credit cards method through the full stack, OAuth-signed, in JSON and XML. */
import { describe, expect, it } from 'vitest';
import { demo, signedGet } from './helpers.ts';

const path = (userKey: string) => `/api/v3/publisher/consumer/creditcards?UserKey=${encodeURIComponent(userKey)}`;

describe('GET /api/v3/publisher/consumer/creditcards', () => {
  it('lists the consumer\'s stored cards without their numbers', async () => {
    const res = await signedGet(demo('acme').groupcommerce, path('consumertest@example.com'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      errors: [],
      lastPublished: expect.stringMatching(/^\/Date\(\d+\)\/$/),
      success: true,
      version: '3',
      creditCards: [
        { storedCreditCardId: '8b2e4c6d-0f1a-4b3c-9d5e-7f8a9b0c1d01', paymentType: 'Visa', lastFourDigits: '1111', expirationMonth: 7, expirationYear: 2030 },
      ],
    });
  });

  it('answers in XML when asked', async () => {
    const res = await signedGet(demo('acme').groupcommerce, path('consumertest@example.com'), { Accept: 'text/xml' });
    const xml = await res.text();
    expect(xml).toMatch(/^<creditCardsResponse xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"><errors\/>/);
    expect(xml).toContain('<creditCards><creditCard><storedCreditCardId>8b2e4c6d-0f1a-4b3c-9d5e-7f8a9b0c1d01</storedCreditCardId><paymentType>Visa</paymentType><lastFourDigits>1111</lastFourDigits><expirationMonth>7</expirationMonth><expirationYear>2030</expirationYear></creditCard></creditCards>');
  });

  it('knows only the calling publisher\'s consumers, and needs a UserKey', async () => {
    for (const [consumer, userKey] of [[demo('globex').groupcommerce, 'consumertest@example.com'], [demo('acme').groupcommerce, 'nobody']] as const) {
      const res = await signedGet(consumer, path(userKey));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ success: false, errors: [{ code: 'ConsumerNotFound' }] });
    }
    const missing = await signedGet(demo('acme').groupcommerce, '/api/v3/publisher/consumer/creditcards');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ errors: [{ code: 'InvalidRequest', message: expect.stringMatching(/UserKey is required/) }] });
  });

  it('checks the signature over the query too', async () => {
    const signed = demo('acme').groupcommerce;
    const res = await signedGet({ ...signed, consumerSecret: 'wrong' }, path('consumertest@example.com'));
    expect(res.status).toBe(401);
  });
});
