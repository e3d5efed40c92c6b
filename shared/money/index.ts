/**
 * Exact arithmetic on amounts of two decimals, as whole cents in a bigint: no float ever touches a
 * sum. Amounts travel as decimal text (what the validation's money() gives) or as the JSON numbers
 * PostgREST gives for numeric(14,2), which print exactly with two decimals.
 */

/** Whole cents of an amount: decimal text ("12.5", "-3.25") or a two-decimal JSON number; none is 0. */
export function toCents(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  const text = typeof value === 'number' ? value.toFixed(2) : value;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const cents = BigInt(whole || '0') * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return negative ? -cents : cents;
}

/** The amount as decimal text with two decimals ("-12.00", never "-0.00"). */
export function centsToDecimal(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
