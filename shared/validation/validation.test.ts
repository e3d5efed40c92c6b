import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { isoTimestamp, uuid, compareDecimals, countryCode, countryCodes, currencyCode, email, fieldPath, money, phoneDigits, toFieldIssues, unstorableText, withRules } from './index.ts';

describe('code lists', () => {
  it('hold the 249 assigned ISO 3166-1 alpha-2 codes', () => {
    expect(countryCodes.size).toBe(249);
    for (const code of ['US', 'GB', 'DE', 'AX', 'SS', 'ZW']) expect(countryCodes.has(code)).toBe(true);
    for (const code of ['UK', 'EU', 'XK', 'us', 'USA']) expect(countryCode.safeParse(code).success).toBe(false);
  });

  it('hold currencies in circulation only', () => {
    for (const code of ['USD', 'EUR', 'JPY', 'XCG']) expect(currencyCode.safeParse(code).success).toBe(true);
    for (const code of ['usd', 'DEM', 'XXX', 'XTS', 'US']) expect(currencyCode.safeParse(code).success).toBe(false);
  });
});

describe('email and phone', () => {
  it('accept the ordinary and refuse the rest with a readable message', () => {
    expect(email.safeParse('customer@example.com').success).toBe(true);
    expect(email.safeParse('nope').error?.issues[0]?.message).toBe('must be an email address');
    expect(phoneDigits.safeParse('5551234567').success).toBe(true);
    expect(phoneDigits.safeParse('555-123-4567').error?.issues[0]?.message).toMatch(/digits/);
  });
});

describe('money', () => {
  const usd = money();
  it('turns what the client wrote into an exact decimal string', () => {
    expect(usd.parse(78.66)).toBe('78.66');
    expect(usd.parse(0.3)).toBe('0.3');
    expect(usd.parse(12500)).toBe('12500');
    expect(usd.parse(-0)).toBe('0');
    expect(money({ maxDecimals: 4 }).parse(0.0001)).toBe('0.0001');
  });

  it('refuses what is not an amount', () => {
    const message = (value: unknown) => usd.safeParse(value).error?.issues[0]?.message;
    expect(message(NaN)).toBeDefined();
    expect(message(Infinity)).toBeDefined();
    expect(message(1e21)).toMatch(/at most/);
    expect(message(1.005)).toBe('must have at most 2 decimal places');
    expect(message(1e-7)).toBeDefined();
    expect(message(-5)).toBe('must not be negative');
    expect(message('5')).toBe('must be a number');
    expect(message(1_000_000_000_000)).toMatch(/at most/);
    expect(money({ allowNegative: true }).parse(-5.5)).toBe('-5.5');
  });

  it('compares decimals exactly', () => {
    expect(compareDecimals('999999999999.99', '999999999999.99')).toBe(0);
    expect(compareDecimals('1000000000000', '999999999999.99')).toBe(1);
    expect(compareDecimals('0.1', '0.10')).toBe(0);
    expect(compareDecimals('007.5', '7.49')).toBe(1);
  });
});

describe('toFieldIssues', () => {
  const schema = z.strictObject({
    customer: z.object({ email }),
    items: z.array(z.object({ quantity: z.number().check(z.int(), z.minimum(1, { error: 'must be at least 1' })) })),
    tag: z.optional(z.string()),
  });

  it('lists every problem with a dotted field path', () => {
    const input = { customer: { email: 'x' }, items: [{ quantity: 0 }, {}], extra: 1, tag: ['a', 'b'] };
    const result = schema.safeParse(input);
    expect(toFieldIssues(result.error!, input)).toEqual(
      expect.arrayContaining([
        { field: 'customer.email', message: 'must be an email address', code: 'invalid' },
        { field: 'items[0].quantity', message: 'must be at least 1', code: 'invalid' },
        { field: 'items[1].quantity', message: 'is required', code: 'required' },
        { field: 'extra', message: 'is not a known field', code: 'unknown_field' },
        // A query or form parameter given twice.
        { field: 'tag', message: 'is given more than once', code: 'invalid' },
      ]),
    );
  });

  it('writes paths as clients do', () => {
    expect(fieldPath(['shippingAddress', 'zip'])).toBe('shippingAddress.zip');
    expect(fieldPath(['items', 2, 'productId'])).toBe('items[2].productId');
  });
});

describe('withRules', () => {
  const schema = withRules(z.strictObject({ ships: z.boolean(), address: z.optional(z.nullable(z.string())) }), (input) =>
    (input as { ships?: unknown; address?: unknown }).ships === true && !(input as { address?: unknown }).address
      ? [{ field: 'address', message: 'is required when ships is true', code: 'required' }]
      : [],
  );

  it("reports the schema's problems and the rules' at once, a rule's replacing the schema's for its field", () => {
    const input = { ships: true, address: null, extra: 1 };
    const result = schema.safeParse(input);
    expect(toFieldIssues(result.error!, input)).toEqual([
      { field: 'extra', message: 'is not a known field', code: 'unknown_field' },
      { field: 'address', message: 'is required when ships is true', code: 'required' },
    ]);
  });

  it('passes what satisfies both', () => {
    expect(schema.parse({ ships: true, address: 'Main St 1' })).toEqual({ ships: true, address: 'Main St 1' });
    expect(schema.parse({ ships: false })).toEqual({ ships: false });
  });
});

describe('uuid and isoTimestamp', () => {
  it('take any UUID form Postgres takes', () => {
    expect(uuid.safeParse('99887766-5544-3322-1100-aabbccddeeff').success).toBe(true);
    expect(uuid.safeParse('not-a-uuid').error?.issues[0]?.message).toBe('must be a UUID');
    expect(uuid.safeParse(42).error?.issues[0]?.message).toBe('must be a UUID');
  });

  it('take zoned timestamps and dates, and refuse impossible days', () => {
    expect(isoTimestamp.parse('2025-04-01T00:00:00.000Z')).toBe('2025-04-01T00:00:00.000Z');
    expect(isoTimestamp.parse('2025-04-01T02:00:00+02:00')).toBe('2025-04-01T02:00:00+02:00');
    expect(isoTimestamp.parse('2024-02-29')).toBe('2024-02-29T00:00:00Z');
    for (const bad of ['2025-02-29', '2025-13-01T00:00:00Z', '2025-04-01T00:00:00', 'yesterday', '']) {
      expect(isoTimestamp.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('unstorableText', () => {
  it('names every field whose name or text Postgres cannot store, however deep', () => {
    const body = JSON.parse('{"a":"ok","properties":{"note":"\\ud800","list":["x","\\u0000"]},"\\udfffkey":1,"deep":' + '['.repeat(3000) + '"\\ud800"' + ']'.repeat(3000) + '}');
    const fields = unstorableText(body).map((issue) => issue.field);
    expect(fields).toHaveLength(4);
    expect(fields).toEqual(expect.arrayContaining(['properties.note', 'properties.list[1]', '\ufffdkey']));
    expect(fields.find((field) => field.startsWith('deep'))).toMatch(/^deep(\[0\])+$/);
    expect(unstorableText({ a: 'Zoë 🧨', b: ['A\u0301'] })).toEqual([]);
  });

  it('stops at its limit', () => {
    expect(unstorableText(Array.from({ length: 100 }, () => '\ud800'), 20)).toHaveLength(20);
  });
});
