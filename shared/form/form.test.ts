import { describe, expect, it } from 'vitest';
import { parseDotNetBoolean, parseDottedForm, parseFieldName } from './index.ts';

describe('parseDottedForm', () => {
  it('builds the nested object of the reference\'s sample names, brackets encoded or not', () => {
    const body =
      'ConsumerInfo.Email=consumertest%40groupcommerce.com&ConsumerInfo.UserKey=k&BillingInfo.BillingAddress=628+Broadway' +
      '&OrderDetails%5b0%5d.OfferId=9033&OrderDetails%5b0%5d.IsGift=True&OrderDetails[1].OfferId=9035' +
      '&PurchaseTrackingInfo.AdditionalFields[0].Key=a&PurchaseTrackingInfo.AdditionalFields[0].Value=1' +
      '&PurchaseTrackingInfo.AdditionalFields[1].Key=b&PurchaseTrackingInfo.AdditionalFields[1].Value=2';
    expect(parseDottedForm(body)).toEqual({
      ok: true,
      value: {
        ConsumerInfo: { Email: 'consumertest@groupcommerce.com', UserKey: 'k' },
        BillingInfo: { BillingAddress: '628 Broadway' },
        OrderDetails: [{ OfferId: '9033', IsGift: 'True' }, { OfferId: '9035' }],
        PurchaseTrackingInfo: { AdditionalFields: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] },
      },
    });
  });

  it('reads a repeated plain name, or an indexed one, as a list', () => {
    expect(parseDottedForm('PromoCodes=A&PromoCodes=B')).toEqual({ ok: true, value: { PromoCodes: ['A', 'B'] } });
    expect(parseDottedForm('PromoCodes[0]=A&PromoCodes[1]=B')).toEqual({ ok: true, value: { PromoCodes: ['A', 'B'] } });
  });

  it('keeps __proto__ and constructor as plain data', () => {
    const result = parseDottedForm('__proto__.polluted=yes&constructor.prototype.x=1');
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (result.ok) expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
  });

  it('refuses what it cannot read faithfully, saying why', () => {
    const problem = (body: string, limits?: Parameters<typeof parseDottedForm>[1]) => {
      const result = parseDottedForm(body, limits);
      return result.ok ? null : result.problem;
    };
    expect(problem('OrderDetails[0].OfferId=1&OrderDetails[2].OfferId=2')).toMatch(/OrderDetails\[1\] is missing/);
    expect(problem('OrderDetails[100].OfferId=1')).toMatch(/larger than 99/);
    expect(problem('A.B.C.D.E.F.G=1')).toMatch(/nested more than 6/);
    expect(problem('ConsumerInfo=x&ConsumerInfo.Email=y')).toMatch(/conflicts/);
    expect(problem('OrderDetails[0]=x&OrderDetails[0]=y')).toMatch(/more than once/);
    expect(problem('Bad Name=1')).toMatch(/not of the form/);
    expect(problem(Array.from({ length: 501 }, (_, i) => `F${i}=1`).join('&'))).toMatch(/more than 500 fields/);
    expect(problem(`${'A'.repeat(201)}=1`)).toMatch(/longer than 200/);
  });
});

describe('parseFieldName', () => {
  it('splits names and indexes', () => {
    expect(parseFieldName('PurchaseTrackingInfo.AdditionalFields[1].Key')).toEqual(['PurchaseTrackingInfo', 'AdditionalFields', 1, 'Key']);
  });
});

describe('parseDotNetBoolean', () => {
  it('takes True and False in any case, nothing else', () => {
    expect(['True', 'false', ' TRUE ', 'fAlSe'].map(parseDotNetBoolean)).toEqual([true, false, true, false]);
    expect(['1', 'yes', '', 'truthy'].map(parseDotNetBoolean)).toEqual([null, null, null, null]);
  });
});
