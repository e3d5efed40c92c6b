/** Card checks that need no processor: Luhn, expiry, CVV length, and the brand from the number. */

/** True when the digits pass the Luhn check (ISO/IEC 7812-1). */
export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The card brand by its number's prefix, in Group Commerce's PaymentType names. */
export function cardBrand(digits: string): 'Visa' | 'MasterCard' | 'Amex' | 'Discover' | 'DinersClub' | 'JCB' | 'Unknown' {
  if (/^4/.test(digits)) return 'Visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'MasterCard';
  if (/^3[47]/.test(digits)) return 'Amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'Discover';
  if (/^3(0[0-5]|[68])/.test(digits)) return 'DinersClub';
  if (/^35(2[89]|[3-8]\d)/.test(digits)) return 'JCB';
  return 'Unknown';
}

/** Whether a card expiring at the end of month/year can still be charged at `now`. */
/** A card's expiry year as four digits (cards print two). */
export function fullCardYear(year: number): number {
  return year < 100 ? 2000 + year : year;
}

/** How far ahead a card's expiry may be: issuers print a few years; the ledger keeps years up to 2200. */
export const maxCardYearsAhead = 50;

export function notExpired(month: number, year: number, now = new Date()): boolean {
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year)) return false;
  const fullYear = fullCardYear(year);
  return fullYear > now.getUTCFullYear() || (fullYear === now.getUTCFullYear() && month >= now.getUTCMonth() + 1);
}

/** CVVs are 3 digits, or 4 on American Express cards (which is what the reference allows: 3 or 4). */
export function validCvv(cvv: string): boolean {
  return /^\d{3,4}$/.test(cvv);
}

/** The last four digits, the only part of a number that may be kept (PCI DSS). */
export function lastFour(digits: string): string {
  return digits.slice(-4);
}
