/**
 * The publisher order form: the parsed dotted form (shared/form) with its names matched
 * case-insensitively, as .NET's model binder matches them, then checked field by field (zod) and
 * by scenario (which billing scenario, gifts, affiliates). What only the database knows (whether an
 * offer ships, whether the consumer exists, whether a stored card is theirs) is checked by the
 * order's RPC.
 */
import * as z from 'zod/mini';
import { parseDottedForm, parseDotNetBoolean, type FormValue } from '../../shared/form/index.ts';
import type { FieldIssue } from '../../shared/errors/index.ts';
import { fullCardYear, maxCardYearsAhead, notExpired, passesLuhn, validCvv } from '../../shared/payments/index.ts';
import { email, plainText, reportIssues, toFieldIssues } from '../../shared/validation/index.ts';

/** Every name the reference's form uses, by lower case, for case-insensitive binding. */
const canonicalNames = new Map(
  `AllowDuplicatePurchase AllowDuplicateOrder BillingInfo ConsumerInfo AffiliateInfo PurchaseTrackingInfo PromoCodes UsePromotionalPrice
   OrderDetails SendEmail CustomTrackingInfo NameOnCard CardNumber CVV StoreCreditCard ExpirationMonth ExpirationYear
   BillingPhone BillingAddress BillingAddress2 BillingCity BillingState BillingCountry BillingZip PaymentType SpendCredits
   StoredCreditCardId PaymentCapturedOffSite ExternalTransactionInformation AmountCharged CreditValueUsed TransactionId
   UserKey Email FirstName LastName ReferredByUserKey NoEmail AffiliateId AffiliateSource CreateUnixTimestamp
   AdditionalFields Key Value IsGift OfferId OfferOptionId Quantity SegmentKey Address Address2 City Country PostalCode
   ShippingName ShippingPhone State EmailAddress FromName Message`
    .split(/\s+/)
    .map((name) => [name.toLowerCase(), name] as const),
);

/**
 * The form with each known name in its canonical case; unknown names stay as sent (and are
 * refused). Names that differ only in case are one field, as the binder sees them: their objects
 * and lists merge, repeated values become a list.
 */
export function canonicalize(value: FormValue): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(canonicalize);
  const out: Record<string, FormValue> = {};
  for (const [name, inner] of Object.entries(value)) {
    const key = canonicalNames.get(name.toLowerCase()) ?? name;
    const next = canonicalize(inner);
    out[key] = Object.hasOwn(out, key) ? merge(out[key]!, next) : next;
  }
  return out;
}

function merge(a: FormValue, b: FormValue): FormValue {
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] === undefined ? b[i]! : b[i] === undefined ? a[i]! : merge(a[i]!, b[i]!)));
  }
  if (typeof a === 'object' && !Array.isArray(a) && typeof b === 'object' && !Array.isArray(b)) {
    const out: Record<string, FormValue> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = Object.hasOwn(out, key) ? merge(out[key]!, value) : value;
    return out;
  }
  return [a, b].flat();
}

const text = (max: number) => plainText(max).check(z.minLength(1, { error: 'must not be empty' }));
const bool = z.pipe(
  z.string({ error: 'must be True or False' }),
  z.transform((value, ctx) => {
    const parsed = parseDotNetBoolean(value);
    if (parsed === null) {
      ctx.issues.push({ code: 'custom', input: value, message: 'must be True or False' });
      return z.NEVER;
    }
    return parsed;
  }),
);
const whole = (min: number, max: number, what: string) =>
  z.pipe(
    z.string({ error: `must be ${what}` }),
    z.transform((value, ctx) => {
      const number = /^-?\d{1,19}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
      if (!Number.isSafeInteger(number) || number < min || number > max) {
        ctx.issues.push({ code: 'custom', input: value, message: `must be ${what}` });
        return z.NEVER;
      }
      return number;
    }),
  );
const int32 = whole(1, 2_147_483_647, 'a positive whole number (int32)');
const decimal = z.pipe(
  z.string({ error: 'must be an amount such as 19.99' }),
  z.transform((value, ctx) => {
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(value.trim())) {
      ctx.issues.push({ code: 'custom', input: value, message: 'must be an amount such as 19.99' });
      return z.NEVER;
    }
    return value.trim();
  }),
);
const twoLetters = z.string().check(z.regex(/^[A-Za-z]{2}$/, { error: 'must be a two-letter abbreviation' }));

const orderDetail = z.strictObject({
  IsGift: z.optional(bool),
  OfferId: int32,
  OfferOptionId: int32,
  // spec: Quantity is an int16.
  Quantity: whole(1, 32_767, 'a whole number from 1 to 32767 (int16)'),
  SegmentKey: text(100),
  Address: z.optional(text(200)),
  Address2: z.optional(plainText(200)),
  City: z.optional(text(100)),
  Country: z.optional(twoLetters),
  PostalCode: z.optional(text(20)),
  ShippingName: z.optional(text(200)),
  ShippingPhone: z.optional(plainText(30)),
  State: z.optional(twoLetters),
  EmailAddress: z.optional(email),
  FromName: z.optional(plainText(200)),
  FirstName: z.optional(text(100)),
  LastName: z.optional(plainText(100)),
  Message: z.optional(plainText(2000)),
});

/**
 * spec: the request table names a list, the third scenario a string: both are read, a string as
 * comma-separated codes in order (`PromoCodes=SPRING,FIVEOFF`), as repeated names are.
 */
const promoCodes = z.pipe(
  z.union([z.string(), z.array(z.string())], { error: 'must be a list of promo codes' }),
  z.transform((given) => (Array.isArray(given) ? given : given.split(',')).map((code) => code.trim()).filter((code) => code !== '')),
).check(z.meta({ description: 'Promo codes, applied in order: repeated, indexed (PromoCodes[0]) or comma-separated.' }));

export const orderFormSchema = z.strictObject({
  AllowDuplicatePurchase: z.optional(bool),
  // spec: the answer's duplicateOrderId calls the same flag AllowDuplicateOrder; one meaning.
  AllowDuplicateOrder: z.optional(bool),
  BillingInfo: z.strictObject({
    NameOnCard: z.optional(text(200)),
    CardNumber: z.optional(plainText(40)),
    CVV: z.optional(plainText(10)),
    StoreCreditCard: z.optional(bool),
    ExpirationMonth: z.optional(whole(1, 12, 'a month from 1 to 12')),
    ExpirationYear: z.optional(whole(0, 9999, 'a year')),
    BillingPhone: z.optional(plainText(30)),
    BillingAddress: z.optional(text(200)),
    BillingAddress2: z.optional(plainText(200)),
    BillingCity: z.optional(text(100)),
    BillingState: z.optional(text(100)),
    BillingCountry: z.optional(plainText(100)),
    BillingZip: z.optional(text(20)),
    PaymentType: z.optional(z.enum(['Unknown', 'HouseAccount', 'MasterCard', 'Visa', 'Amex', 'Discover', 'DinersClub', 'JCB', 'enRoute'], {
      error: 'must be one of Unknown, HouseAccount, MasterCard, Visa, Amex, Discover, DinersClub, JCB, enRoute',
    })),
    SpendCredits: z.optional(bool),
    StoredCreditCardId: z.optional(text(100)),
    PaymentCapturedOffSite: z.optional(bool),
    ExternalTransactionInformation: z.optional(
      z.strictObject({
        AmountCharged: z.optional(decimal),
        CreditValueUsed: z.optional(decimal),
        PaymentType: z.optional(whole(-2_147_483_648, 2_147_483_647, 'a whole number (int)')),
        TransactionId: z.optional(plainText(200)),
      }),
    ),
  }),
  ConsumerInfo: z.strictObject({
    UserKey: text(255),
    Email: z.optional(email),
    FirstName: z.optional(text(100)),
    LastName: z.optional(text(100)),
    ReferredByUserKey: z.optional(text(255)),
    NoEmail: z.optional(bool),
  }),
  AffiliateInfo: z.optional(
    z.strictObject({
      AffiliateId: z.optional(int32),
      AffiliateSource: z.optional(plainText(200)),
      CreateUnixTimestamp: z.optional(whole(0, 253_402_300_799, 'a UNIX time in seconds (int64)')),
    }),
  ),
  PurchaseTrackingInfo: z.optional(
    z.strictObject({ AdditionalFields: z.optional(z.array(z.strictObject({ Key: text(200), Value: plainText(2000) }))) }),
  ),
  PromoCodes: z.optional(z.pipe(promoCodes, z.array(text(50)).check(z.maxLength(20, { error: 'must list at most 20 promo codes' })))),
  UsePromotionalPrice: z.optional(bool),
  OrderDetails: z.array(orderDetail).check(z.minLength(1, { error: 'must list at least one order detail' }), z.maxLength(50, { error: 'must list at most 50 order details' })),
  SendEmail: z.optional(bool),
  CustomTrackingInfo: z.optional(plainText(2000)),
});

export type OrderForm = z.output<typeof orderFormSchema>;
export type BillingScenario = 'new_card' | 'stored_card' | 'off_platform';

/** Which of the reference's three billing scenarios the form is. */
export function billingScenario(form: OrderForm): BillingScenario {
  if (form.BillingInfo.PaymentCapturedOffSite) return 'off_platform';
  if (form.BillingInfo.StoredCreditCardId !== undefined) return 'stored_card';
  return 'new_card';
}

const required = (field: string, why: string): FieldIssue => ({ field, message: `is required ${why}`, code: 'required' });

/**
 * The rules that depend on the scenario, on gifts and on affiliates. Whether the consumer's names
 * and email are required depends on whether the consumer exists, which the database decides.
 */
export function scenarioIssues(form: OrderForm, now = new Date()): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const billing = form.BillingInfo;
  if (billingScenario(form) === 'new_card') {
    const why = 'when paying with a new card';
    for (const name of ['NameOnCard', 'CardNumber', 'CVV', 'ExpirationMonth', 'ExpirationYear', 'BillingAddress', 'BillingCity', 'BillingState', 'BillingZip'] as const) {
      if (billing[name] === undefined) issues.push(required(`BillingInfo.${name}`, why));
    }
    if (billing.CardNumber !== undefined && !passesLuhn(billing.CardNumber.replace(/[\s-]/g, ''))) {
      issues.push({ field: 'BillingInfo.CardNumber', message: 'is not a valid card number', code: 'invalid' });
    }
    if (billing.CVV !== undefined && !validCvv(billing.CVV)) issues.push({ field: 'BillingInfo.CVV', message: 'must be 3 or 4 digits', code: 'invalid' });
    if (billing.ExpirationMonth !== undefined && billing.ExpirationYear !== undefined && !notExpired(billing.ExpirationMonth, billing.ExpirationYear, now)) {
      issues.push({ field: 'BillingInfo.ExpirationYear', message: 'the card has expired', code: 'invalid' });
    } else if (billing.ExpirationYear !== undefined && fullCardYear(billing.ExpirationYear) > now.getUTCFullYear() + maxCardYearsAhead) {
      // Checked before any charge: a stored card's expiry is kept, and the database keeps only real ones.
      issues.push({ field: 'BillingInfo.ExpirationYear', message: `is more than ${maxCardYearsAhead} years away; no card expires so late`, code: 'invalid' });
    }
  }
  if (billingScenario(form) === 'off_platform' && billing.StoreCreditCard) {
    issues.push({ field: 'BillingInfo.StoreCreditCard', message: 'cannot be True for an off-platform purchase', code: 'invalid' });
  }
  form.OrderDetails.forEach((detail, index) => {
    if (detail.IsGift) {
      if (detail.EmailAddress === undefined) issues.push(required(`OrderDetails[${index}].EmailAddress`, 'for a gift'));
      if (detail.FirstName === undefined) issues.push(required(`OrderDetails[${index}].FirstName`, 'for a gift'));
    }
  });
  if (form.AllowDuplicatePurchase !== undefined && form.AllowDuplicateOrder !== undefined && form.AllowDuplicatePurchase !== form.AllowDuplicateOrder) {
    issues.push({ field: 'AllowDuplicateOrder', message: 'names the same flag as AllowDuplicatePurchase and cannot differ from it', code: 'invalid' });
  }
  if (form.AffiliateInfo?.AffiliateId !== undefined && form.AffiliateInfo.CreateUnixTimestamp === undefined) {
    issues.push(required('AffiliateInfo.CreateUnixTimestamp', 'when AffiliateId is given'));
  }
  return issues;
}

/** The checked order, or every problem with it. */
export function readOrderForm(form: { [key: string]: FormValue }, now = new Date()): { ok: true; order: OrderForm } | { ok: false; issues: FieldIssue[] } {
  const canonical = canonicalize(form);
  const parsed = orderFormSchema.safeParse(canonical);
  if (!parsed.success) return { ok: false, issues: toFieldIssues(parsed.error, canonical) };
  const issues = scenarioIssues(parsed.data, now);
  if (issues.length > 0) return { ok: false, issues };
  // One flag, whichever name it came by.
  const { AllowDuplicateOrder, ...order } = parsed.data;
  return { ok: true, order: { ...order, AllowDuplicatePurchase: order.AllowDuplicatePurchase ?? AllowDuplicateOrder } };
}

/** The form's fields as the body listed them (a repeated name as a list), which the order route validates. */
const formFields = z.record(z.string(), z.union([z.string(), z.array(z.string())], { error: 'must be text' }));

/** What the order routes validate: the dotted form, bound and checked into an order. */
export const orderRequestSchema = z.pipe(
  formFields,
  z.transform((fields, ctx): OrderForm => {
    // OAuth's protocol parameters may come in the body (RFC 5849 3.5.2); they are not the order's.
    const pairs = Object.entries(fields)
      .filter(([name]) => !name.startsWith('oauth_'))
      .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]));
    const form = parseDottedForm(pairs);
    // A form that is not one (a name that cannot bind, a gap in a list) is said of the whole body.
    const result = form.ok ? readOrderForm(form.value) : { ok: false as const, issues: [{ field: '', message: form.problem }] };
    if (result.ok) return result.order;
    reportIssues(ctx, fields, result.issues);
    return z.NEVER;
  }),
);

/** GET /api/v3/publisher/consumer/creditcards's query, as the API document describes it. */
export const creditCardsQuerySchema = z.object({
  UserKey: text(255).check(z.meta({ description: 'The publisher\'s key of the consumer (at most 255 characters).' })),
});

/** What the route validates: the query with UserKey's name matched in any case, as .NET binds it. */
export const creditCardsRequestSchema = z.pipe(
  z.record(z.string(), z.unknown()),
  z.transform((query, ctx) => {
    const given = Object.entries(query).find(([name]) => name.toLowerCase() === 'userkey')?.[1];
    const checked = creditCardsQuerySchema.safeParse({ UserKey: typeof given === 'string' ? given.trim() : given });
    if (checked.success) return checked.data;
    reportIssues(ctx, query, [{ field: '', message: 'UserKey is required (at most 255 characters).' }]);
    return z.NEVER;
  }),
);
