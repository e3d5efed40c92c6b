/** The publisher API's consumer credit cards method through the full stack, OAuth-signed, in JSON and XML. */
import { describe, expect, it } from 'vitest';
import { demo, sampleOrderForm, signedGet, signedOrder, stack } from './helpers.ts';
import { oauthHeader } from './oauth-client.ts';

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
    // Signed for one consumer's cards, sent for another's: only the query differs, so only a
    // signature that covers the query can tell.
    const base = stack().apis.groupcommerce;
    const authorization = oauthHeader(demo('acme').groupcommerce, `${base}${path('someone-else')}`, 'GET', null);
    const swapped = await fetch(`${base}${path('consumertest@example.com')}`, { headers: { Authorization: authorization } });
    expect(swapped.status).toBe(401);
    expect(await swapped.json()).toMatchObject({ errors: [{ code: 'SignatureInvalid' }] });
    // The same header with the query it was signed for is good (404: no such consumer).
    const asSigned = await fetch(`${base}${path('someone-else')}`, { headers: { Authorization: authorization } });
    expect(asSigned.status).toBe(404);
  });
});

describe('POST /api/v3/publisher/order: the form', () => {
  it('answers an invalid order with 400 listing every problem, in JSON or XML', async () => {
    const form = { ...sampleOrderForm(), 'BillingInfo.CardNumber': '4111111111111112', 'OrderDetails[0].Quantity': '0', Coupon: 'X' };
    delete (form as Record<string, string>)['ConsumerInfo.LastName'];
    const res = await signedOrder(demo('acme').groupcommerce, form);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { success: boolean; errors: Array<{ code: string; message: string }> };
    expect(body.success).toBe(false);
    expect(body.errors.map((e) => e.message)).toEqual(expect.arrayContaining([
      'OrderDetails[0].Quantity: must be a whole number from 1 to 32767 (int16)',
      'Coupon: is not a known field',
    ]));
    const xml = await signedOrder(demo('acme').groupcommerce, { ...sampleOrderForm(), 'BillingInfo.CVV': '1' }, (init) => {
      init.headers.Accept = 'application/xml';
    });
    expect(xml.status).toBe(400);
    expect(await xml.text()).toContain('<message>BillingInfo.CVV: must be 3 or 4 digits</message>');
  });

  it('takes the sample form with its bracket names percent-encoded, and refuses another content type', async () => {
    const encoded = await signedOrder(demo('acme').groupcommerce, sampleOrderForm(), (init) => {
      init.body = init.body.replace(/%5B/g, '%5b').replace(/%5D/g, '%5d');
    });
    expect(encoded.status).toBe(200);
    // Signed with no form parameters, as a client sending JSON would sign it (RFC 5849 3.4.1.3.1).
    const json = await signedOrder(demo('acme').groupcommerce, {}, (init) => {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(sampleOrderForm());
    });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ success: false, errors: [{ code: 'UnsupportedMediaType', message: expect.stringMatching(/x-www-form-urlencoded/) }] });
  });
});

describe('POST /api/v3/publisher/order: what the publisher\'s data decides', () => {
  const messages = async (res: Response) => ((await res.json()) as { errors: Array<{ message: string }> }).errors.map((e) => e.message);

  it('names an unknown offer, an option of another offer, and a segment the offer is not sold in', async () => {
    const form = {
      ...sampleOrderForm(),
      'OrderDetails[0].OfferId': '424242',
      'OrderDetails[1].OfferId': '9035', 'OrderDetails[1].OfferOptionId': '9173', 'OrderDetails[1].Quantity': '1', 'OrderDetails[1].SegmentKey': 'boston',
    };
    const res = await signedOrder(demo('acme').groupcommerce, form);
    expect(res.status).toBe(400);
    expect(await messages(res)).toEqual([
      'OrderDetails[0].OfferId: there is no offer 424242',
      'OrderDetails[1].OfferOptionId: 9173 is not an option of offer 9035',
      'OrderDetails[1].SegmentKey: offer 9035 is not sold in boston',
    ]);
  });

  it('needs the shipping fields of an offer that ships', async () => {
    const form = { ...sampleOrderForm(), 'OrderDetails[0].OfferId': '9033', 'OrderDetails[0].OfferOptionId': '9173', 'OrderDetails[0].City': 'Cleveland' };
    const res = await signedOrder(demo('acme').groupcommerce, form);
    expect(res.status).toBe(400);
    expect(await messages(res)).toEqual(['Address', 'State', 'Country', 'PostalCode', 'ShippingName'].map((f) => `OrderDetails[0].${f}: is required because offer 9033 ships`));
  });

  it('names each invalid promo code, and knows another publisher\'s offers not at all', async () => {
    const res = await signedOrder(demo('acme').groupcommerce, { ...sampleOrderForm(), PromoCodes: 'SAVE10' }, (init) => {
      init.body += '&PromoCodes=NOPE';
    });
    // The extra code was added after signing: the signature no longer matches.
    expect(res.status).toBe(401);
    const signed = await signedOrder(demo('acme').groupcommerce, { ...sampleOrderForm(), 'PromoCodes[0]': 'save10', 'PromoCodes[1]': 'NOPE' });
    expect(signed.status).toBe(400);
    expect(await messages(signed)).toEqual(['PromoCodes: NOPE is not a valid promo code']);
    const globex = await signedOrder(demo('globex').groupcommerce, sampleOrderForm());
    expect(await messages(globex)).toEqual(['OrderDetails[0].OfferId: there is no offer 9035']);
  });

  it('refuses a stored card that is not the consumer\'s', async () => {
    const stored = {
      'ConsumerInfo.UserKey': 'someone-else', 'BillingInfo.StoredCreditCardId': '8b2e4c6d-0f1a-4b3c-9d5e-7f8a9b0c1d01',
      'OrderDetails[0].OfferId': '9035', 'OrderDetails[0].OfferOptionId': '9123', 'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': 'new-york',
    };
    const res = await signedOrder(demo('acme').groupcommerce, stored);
    expect(await messages(res)).toContain('BillingInfo.StoredCreditCardId: is not a stored card of this consumer');
    const own = await signedOrder(demo('acme').groupcommerce, { ...stored, 'ConsumerInfo.UserKey': 'consumertest@example.com', AllowDuplicatePurchase: 'True' });
    expect(own.status).toBe(200);
  });
});
