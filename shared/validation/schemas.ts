/**
 * Field schemas the five APIs share (zod/mini, which keeps worker bundles small). Each carries
 * a message that reads after the field's name: "customer.email must be an email address".
 */
import * as z from 'zod/mini';
import { countryCodes, currencyCodes } from './iso-codes.ts';
import { isStorableText } from './stored-text.ts';

/** An email address (RFC 5321 length limit), compared case-insensitively downstream. */
export const email = z.string().check(
  z.maxLength(254, { error: 'must be at most 254 characters' }),
  z.email({ error: 'must be an email address' }),
);

/** Any UUID in its 8-4-4-4-12 hex form (of any version, as Postgres accepts). */
export const uuid = z.string({ error: 'must be a UUID' }).check(z.guid({ error: 'must be a UUID' }));

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** True when year, month and day name a real calendar day. */
function isCalendarDay(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

/**
 * An ISO 8601 timestamp with a zone (`2025-04-01T00:00:00Z`, `2025-04-01T02:00:00+02:00`), or a
 * date alone, read as midnight UTC. Passed on as text for Postgres to parse exactly.
 */
export const isoTimestamp = z.pipe(
  z.string({ error: 'must be an ISO 8601 timestamp, e.g. 2025-04-01T00:00:00Z' }),
  z.transform((value, ctx) => {
    const match = isoDate.exec(value) ?? isoDateTime.exec(value);
    if (!match || !isCalendarDay(match[1]!, match[2]!, match[3]!) || Number.isNaN(Date.parse(value))) {
      ctx.issues.push({ code: 'custom', input: value, message: 'must be an ISO 8601 timestamp, e.g. 2025-04-01T00:00:00Z' });
      return z.NEVER;
    }
    return isoDate.test(value) ? `${value}T00:00:00Z` : value;
  }),
);

/**
 * Free text of at most `maxLength` characters that Postgres can store: no NUL characters and no
 * lone UTF-16 surrogates (JSON allows both; a text column refuses them).
 */
export function plainText(maxLength: number) {
  return z.string({ error: 'must be a string' }).check(
    z.maxLength(maxLength, { error: `must be at most ${maxLength} characters` }),
    z.refine(isStorableText, {
      error: 'must be text without NUL characters or unpaired surrogates',
    }),
  );
}

/** ISO 3166-1 alpha-2 country code, upper case, e.g. `US`. */
export const countryCode = z.string().check(
  z.refine((value) => countryCodes.has(value), { error: 'must be a two-letter ISO 3166-1 country code, e.g. US' }),
);

/** ISO 4217 currency code, upper case, e.g. `USD`. */
export const currencyCode = z.string().check(
  z.refine((value) => currencyCodes.has(value), { error: 'must be a three-letter ISO 4217 currency code, e.g. USD' }),
);

/** A phone number as digits only, no spaces or punctuation (4 to 20 digits). */
export const phoneDigits = z.string().check(
  z.regex(/^\d{4,20}$/, { error: 'must be 4 to 20 digits, with no spaces or punctuation' }),
);

export interface MoneyOptions {
  /** Most digits after the decimal point (default 2). */
  maxDecimals?: number;
  /** Largest accepted value (default 999,999,999,999.99). */
  max?: string;
  /** Whether negative amounts are allowed (default false). */
  allowNegative?: boolean;
}

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * An amount of money sent as a JSON number, turned into an exact decimal string for SQL
 * `numeric` with no float arithmetic: the number's shortest round-trip form (what the client
 * wrote) is checked digit by digit. `78.66` becomes `"78.66"`; `1e21`, `NaN` and amounts with more
 * decimals than allowed are refused.
 */
export function money(options: MoneyOptions = {}) {
  const maxDecimals = options.maxDecimals ?? 2;
  const max = options.max ?? '999999999999.99';
  return z.pipe(
    z.number({ error: 'must be a number' }),
    z.transform((value, ctx) => {
      const text = Object.is(value, -0) ? '0' : String(value);
      const match = decimalPattern.exec(text);
      if (!match) {
        ctx.issues.push({ code: 'custom', input: value, message: `must be an amount of at most ${max}` });
        return z.NEVER;
      }
      const [, sign, whole, fraction = ''] = match;
      if (sign && !options.allowNegative) {
        ctx.issues.push({ code: 'custom', input: value, message: 'must not be negative' });
        return z.NEVER;
      }
      if (fraction.length > maxDecimals) {
        ctx.issues.push({ code: 'custom', input: value, message: `must have at most ${maxDecimals} decimal places` });
        return z.NEVER;
      }
      if (compareDecimals(`${whole}.${fraction}`, max) > 0) {
        ctx.issues.push({ code: 'custom', input: value, message: `must be at most ${max}` });
        return z.NEVER;
      }
      return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
    }),
  );
}

/** Compares two non-negative decimal strings exactly. */
export function compareDecimals(a: string, b: string): number {
  const [aWhole = '0', aFraction = ''] = a.replace(/^0+(?=\d)/, '').split('.');
  const [bWhole = '0', bFraction = ''] = b.replace(/^0+(?=\d)/, '').split('.');
  if (aWhole.length !== bWhole.length) return aWhole.length < bWhole.length ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const left = aWhole + aFraction.padEnd(width, '0');
  const right = bWhole + bFraction.padEnd(width, '0');
  return left === right ? 0 : left < right ? -1 : 1;
}

/**
 * A path's `:id` naming a purchase by its number, the id the read APIs show. Anything else names
 * no purchase, so the routes answer it as not found.
 */
export const purchaseIdParam = z.object({
  id: z.pipe(z.string().check(z.regex(/^[1-9]\d{0,15}$/, { error: 'is not a purchase id' })), z.transform(Number)),
});
