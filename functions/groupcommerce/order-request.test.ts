/** The publisher order form read as the reference's sample sends it, and each scenario rule. */
import { describe, expect, it } from 'vitest';
import { parseDottedForm } from '../../shared/form/index.ts';
import { billingScenario, readOrderForm } from './order-request.ts';

// The reference's sample request, with a card that has not expired.
const sample =
  'ConsumerInfo.Email=consumertest%40groupcommerce.com&ConsumerInfo.UserKey=consumertest%40groupcommerce.com&ConsumerInfo.FirstName=consumer&ConsumerInfo.LastName=test&ConsumerInfo.ReferredByUserKey=rbuk%40groupcommerce.com&BillingInfo.NameOnCard=cardname&BillingInfo.CardNumber=4111111111111111&BillingInfo.PaymentType=Unknown&BillingInfo.CVV=111&BillingInfo.ExpirationMonth=7&BillingInfo.ExpirationYear=2030&BillingInfo.BillingPhone=2165615908&BillingInfo.BillingAddress=628+Broadway&BillingInfo.BillingCity=New+York&BillingInfo.BillingState=NY&BillingInfo.BillingZip=10010&BillingInfo.BillingCountry=US&BillingInfo.StoreCreditCard=False&OrderDetails%5b0%5d.FirstName=Jon&OrderDetails%5b0%5d.LastName=Lastn&OrderDetails%5b0%5d.EmailAddress=giftrecipient%40groupcommerce.com&OrderDetails%5b0%5d.FromName=Someone&OrderDetails%5b0%5d.Quantity=2&OrderDetails%5b0%5d.Message=Message+content&OrderDetails%5b0%5d.OfferId=9033&OrderDetails%5b0%5d.OfferOptionId=9173&OrderDetails%5b0%5d.SegmentKey=new-york&OrderDetails%5b0%5d.IsGift=True&OrderDetails%5b0%5d.Address=123+Road&OrderDetails%5b0%5d.Address2=Apt.+6K&OrderDetails%5b0%5d.City=Cleveland&OrderDetails%5b0%5d.Country=US&OrderDetails%5b0%5d.PostalCode=44122&OrderDetails%5b0%5d.ShippingName=ShipToMe&OrderDetails%5b0%5d.State=OH&OrderDetails%5b1%5d.EmailAddress=apisupport%40groupcommerce.com&OrderDetails%5b1%5d.Quantity=1&OrderDetails%5b1%5d.OfferId=9035&OrderDetails%5b1%5d.OfferOptionId=9123&OrderDetails%5b1%5d.SegmentKey=new-york&OrderDetails%5b1%5d.IsGift=False&UsePromotionalPrice=False';
const now = new Date('2026-11-22T12:00:00Z');

function read(body: string) {
  const form = parseDottedForm(body);
  if (!form.ok) throw new Error(form.problem);
  return readOrderForm(form.value, now);
}
const fieldsOf = (result: ReturnType<typeof read>) => (result.ok ? [] : result.issues.map((i) => `${i.field} ${i.message}`));

describe('readOrderForm', () => {
  it('reads the reference\'s sample as a new-card order with a gift and a plain detail', () => {
    const result = read(sample);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(billingScenario(result.order)).toBe('new_card');
    expect(result.order.OrderDetails).toMatchObject([
      { OfferId: 9033, OfferOptionId: 9173, Quantity: 2, IsGift: true, State: 'OH', Country: 'US' },
      { OfferId: 9035, OfferOptionId: 9123, Quantity: 1, IsGift: false },
    ]);
    expect(result.order.BillingInfo).toMatchObject({ ExpirationMonth: 7, ExpirationYear: 2030, StoreCreditCard: false });
  });

  it('matches names in any case, as .NET binds them, and .NET booleans', () => {
    const result = read(sample.replace('ConsumerInfo.Email=', 'consumerinfo.EMAIL=').replace('UsePromotionalPrice=False', 'usepromotionalprice=TRUE'));
    expect(result.ok && result.order.UsePromotionalPrice).toBe(true);
  });

  it('checks the card of a new-card order: Luhn, CVV, expiry, billing address', () => {
    const bad = sample
      .replace('CardNumber=4111111111111111', 'CardNumber=4111111111111112')
      .replace('CVV=111', 'CVV=11')
      .replace('ExpirationYear=2030', 'ExpirationYear=2020')
      .replace('&BillingInfo.BillingZip=10010', '')
      .replace('&ConsumerInfo.FirstName=consumer', '');
    expect(fieldsOf(read(bad))).toEqual([
      'BillingInfo.BillingZip is required when paying with a new card',
      'BillingInfo.CardNumber is not a valid card number',
      'BillingInfo.CVV must be 3 or 4 digits',
      'BillingInfo.ExpirationYear the card has expired',
    ]);
  });

  it('refuses an expiry no card has before anything is charged', () => {
    expect(fieldsOf(read(sample.replace('ExpirationYear=2030', 'ExpirationYear=2300').replace('StoreCreditCard=False', 'StoreCreditCard=True')))).toEqual([
      'BillingInfo.ExpirationYear is more than 50 years away; no card expires so late',
    ]);
  });

  it('lets NoEmail lift the email, and stored-card and off-platform orders skip the card', () => {
    const noEmail = sample.replace('ConsumerInfo.Email=consumertest%40groupcommerce.com&', 'ConsumerInfo.NoEmail=True&');
    expect(read(noEmail).ok).toBe(true);
    const stored = 'ConsumerInfo.UserKey=u&BillingInfo.StoredCreditCardId=card-1&OrderDetails[0].OfferId=9035&OrderDetails[0].OfferOptionId=9123&OrderDetails[0].Quantity=1&OrderDetails[0].SegmentKey=new-york';
    const storedResult = read(stored);
    expect(storedResult.ok && billingScenario(storedResult.order)).toBe('stored_card');
    const offSite = stored.replace('BillingInfo.StoredCreditCardId=card-1', 'BillingInfo.PaymentCapturedOffSite=true&BillingInfo.ExternalTransactionInformation.AmountCharged=74.92&BillingInfo.ExternalTransactionInformation.TransactionId=ext-1');
    const offSiteResult = read(offSite);
    expect(offSiteResult.ok && billingScenario(offSiteResult.order)).toBe('off_platform');
  });

  it('refuses bad values and unknown fields, naming each', () => {
    const bad = sample
      .replace('OrderDetails%5b0%5d.Quantity=2', 'OrderDetails%5b0%5d.Quantity=40000')
      .replace('OrderDetails%5b0%5d.State=OH', 'OrderDetails%5b0%5d.State=Ohio')
      .replace('UsePromotionalPrice=False', 'UsePromotionalPrice=maybe&Coupon=X');
    expect(fieldsOf(read(bad))).toEqual(expect.arrayContaining([
      'OrderDetails[0].Quantity must be a whole number from 1 to 32767 (int16)',
      'OrderDetails[0].State must be a two-letter abbreviation',
      'UsePromotionalPrice must be True or False',
      'Coupon is not a known field',
    ]));
  });

  it('reads promo codes repeated, indexed or comma-separated, in order', () => {
    const codes = (body: string) => {
      const result = read(`${sample}&${body}`);
      return result.ok ? result.order.PromoCodes : fieldsOf(result);
    };
    expect(codes('PromoCodes=SPRING,FIVEOFF')).toEqual(['SPRING', 'FIVEOFF']);
    expect(codes('PromoCodes=SPRING&PromoCodes=FIVEOFF')).toEqual(['SPRING', 'FIVEOFF']);
    expect(codes('PromoCodes[0]=SPRING&PromoCodes[1]=FIVEOFF')).toEqual(['SPRING', 'FIVEOFF']);
    expect(codes('PromoCodes= , ')).toEqual([]);
    expect(codes(`PromoCodes=${'X'.repeat(51)}`)).toEqual(['PromoCodes[0] must be at most 50 characters']);
  });

  it('takes AllowDuplicateOrder as AllowDuplicatePurchase', () => {
    const allowed = read(`${sample}&AllowDuplicateOrder=True`);
    expect(allowed.ok && allowed.order.AllowDuplicatePurchase).toBe(true);
    expect(allowed.ok && 'AllowDuplicateOrder' in allowed.order).toBe(false);
    expect(fieldsOf(read(`${sample}&AllowDuplicateOrder=True&AllowDuplicatePurchase=False`))).toEqual([
      'AllowDuplicateOrder names the same flag as AllowDuplicatePurchase and cannot differ from it',
    ]);
  });

  it('needs the gift recipient, and CreateUnixTimestamp with an AffiliateId', () => {
    const gift = sample.replace('OrderDetails%5b0%5d.EmailAddress=giftrecipient%40groupcommerce.com&', '') + '&AffiliateInfo.AffiliateId=7';
    expect(fieldsOf(read(gift))).toEqual([
      'OrderDetails[0].EmailAddress is required for a gift',
      'AffiliateInfo.CreateUnixTimestamp is required when AffiliateId is given',
    ]);
  });
});
