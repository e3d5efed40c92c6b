/**
 * Exact arithmetic on amounts of two decimals, as whole cents in a bigint: no float ever touches a
 * sum. Amounts travel as decimal text (what the validation's money() gives) or as the JSON numbers
 * PostgREST gives for numeric(14,2), which print exactly with two decimals.
 */

/**
 * Whole cents of an amount: decimal text ("12.5", "-3.25") or a two-decimal JSON number; none is 0.
 * The cents are the amount's digits with the point taken out, read as one bigint: a list of a
 * hundred purchases reads a thousand amounts, and bigint multiplication costs more than the text.
 */
export function toCents(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  const text = typeof value === 'number' ? value.toFixed(2) : value;
  const sign = text[0];
  const [whole = '', fraction = ''] = (sign === '-' || sign === '+' ? text.slice(1) : text).split('.');
  const cents = BigInt(`${whole}${fraction.padEnd(2, '0').slice(0, 2)}`);
  return sign === '-' ? -cents : cents;
}

/** The amount as decimal text with two decimals ("-12.00", never "-0.00"). */
export function centsToDecimal(cents: bigint): string {
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, '0');
  return `${cents < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
