import { describe, expect, it } from 'vitest';
import { cardBrand, lastFour, notExpired, passesLuhn, testCards, testProcessor, validCvv } from './index.ts';
import { stripeAmount } from './stripe.ts';

describe('card checks', () => {
  it('Luhn', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4000000000000002')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesLuhn('4111 1111 1111 1111')).toBe(false);
    expect(passesLuhn('1234')).toBe(false);
  });

  it('brands', () => {
    expect(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '30569309025904', '3530111333300000'].map(cardBrand)).toEqual([
      'Visa', 'MasterCard', 'Amex', 'Discover', 'DinersClub', 'JCB',
    ]);
  });

  it('expiry by the end of the month', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    expect(notExpired(11, 2026, now)).toBe(true);
    expect(notExpired(10, 2026, now)).toBe(false);
    expect(notExpired(1, 27, now)).toBe(true);
    expect(notExpired(13, 2030, now)).toBe(false);
  });

  it('CVV and last four', () => {
    expect([validCvv('123'), validCvv('1234'), validCvv('12'), validCvv('12a')]).toEqual([true, true, false, false]);
    expect(lastFour('4111111111111111')).toBe('1111');
  });
});

describe('stripeAmount', () => {
  it('is the amount in the smallest unit, whole units for zero-decimal currencies', () => {
    expect(stripeAmount('192.92', 'USD')).toBe(19292);
    expect(stripeAmount('0.10', 'eur')).toBe(10);
    expect(stripeAmount('500.00', 'JPY')).toBe(500);
  });
});

describe('testProcessor', () => {
  const card = (number: string) => ({ number, cvv: '111', expiryMonth: 12, expiryYear: 2030, nameOnCard: 'A' });
  const options = { attempt: 'consumer\u0000nonce', storeCard: false };

  it('approves the sample card and keeps nothing but token, brand, last four and expiry', async () => {
    const result = await testProcessor.chargeCard(card(testCards.approved), '10.00', 'USD', options);
    expect(result).toMatchObject({ ok: true, card: { brand: 'Visa', last4: '1111', expiryMonth: 12, expiryYear: 2030 } });
    expect(JSON.stringify(result)).not.toContain('4111111111111111');
    expect(JSON.stringify(result)).not.toContain('"111"');
  });

  it('declines and fails on the documented numbers', async () => {
    expect(await testProcessor.chargeCard(card(testCards.declined), '1.00', 'USD', options)).toMatchObject({ ok: false, reason: 'declined' });
    expect(await testProcessor.chargeCard(card(testCards.processorError), '1.00', 'USD', options)).toMatchObject({ ok: false, reason: 'processor_error' });
  });
});
