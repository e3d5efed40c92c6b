import { describe, expect, it } from 'vitest';
import { centsToDecimal, toCents } from './index.ts';

describe('cents', () => {
  it('reads decimal text and two-decimal numbers exactly', () => {
    expect(toCents('78.66')).toBe(7866n);
    expect(toCents('5')).toBe(500n);
    expect(toCents('0.1')).toBe(10n);
    expect(toCents('-3.25')).toBe(-325n);
    expect(toCents(81.53)).toBe(8153n);
    expect(toCents(999999999999.99)).toBe(99999999999999n);
    expect(toCents(null)).toBe(0n);
    expect(toCents('.5')).toBe(50n);
    expect(toCents('+7.01')).toBe(701n);
    expect(toCents('12.345')).toBe(1234n);
    expect(toCents('-0.07')).toBe(-7n);
    expect(toCents(-0.5)).toBe(-50n);
    expect(() => toCents('1.2x')).toThrow(SyntaxError);
  });

  it('writes two decimals, never a negative zero', () => {
    expect(centsToDecimal(8153n)).toBe('81.53');
    expect(centsToDecimal(-1200n)).toBe('-12.00');
    expect(centsToDecimal(-0n)).toBe('0.00');
    expect(centsToDecimal(5n)).toBe('0.05');
    expect(centsToDecimal(-5n)).toBe('-0.05');
    expect(centsToDecimal(99999999999999n)).toBe('999999999999.99');
  });

  it('adds without float error', () => {
    expect(centsToDecimal(toCents('0.1') + toCents('0.2'))).toBe('0.30');
  });
});
