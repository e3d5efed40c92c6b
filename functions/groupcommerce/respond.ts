/**
 * Group Commerce's base response, in JSON by default or in XML when the client asks for it
 * (`Accept: application/xml` or `text/xml`), with the sample's element names, nil attributes and
 * namespace. Successes and errors share it: `errors`, `lastPublished`, `success`, `version`.
 */
import type { Context } from 'hono';
import { XMLBuilder } from 'fast-xml-parser';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface GroupCommerceError {
  code: string;
  message: string;
}

/**
 * An exact amount from the database (e.g. "12.10"): a number in JSON, and in XML the digits as
 * they are, as .NET writes a decimal. Converting a numeric(14,2) string to a JS number and back is
 * exact (at most 15 significant digits), so no amount is ever computed on in floating point.
 */
export interface Decimal {
  decimal: string;
}

type Scalar = string | number | boolean | null | Decimal;

/** A list in the answer: an array in JSON, and in XML one `itemElement` element per item. */
export interface ListField {
  items: Array<Record<string, Scalar>>;
  itemElement: string;
}

/** The fields an answer adds to the base response, in the order the reference lists them. */
export type ResponseFields = Record<string, Scalar | ListField>;

function isList(value: Scalar | ListField): value is ListField {
  return typeof value === 'object' && value !== null && 'items' in value;
}

function isDecimal(value: Scalar): value is Decimal {
  return typeof value === 'object' && value !== null;
}

/** `amount` (an exact decimal string) as a response field. */
export const decimal = (amount: string): Decimal => ({ decimal: amount });

const xmlSchemaInstance = 'http://www.w3.org/2001/XMLSchema-instance';
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  // i:nil="true" is written out, as .NET writes it.
  suppressBooleanAttributes: false,
  format: false,
});

/** Whether the client asked for XML rather than JSON. */
export function wantsXml(c: Context): boolean {
  const accept = c.req.header('Accept') ?? '';
  return /\b(application|text)\/xml\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept.split(',')[0] ?? '');
}

/** The base response with `fields`, as JSON or XML, under the XML root element `root`. */
export function respond(
  c: Context,
  status: ContentfulStatusCode,
  root: string,
  errors: GroupCommerceError[],
  fields: ResponseFields = {},
  now = new Date(),
): Response {
  const success = errors.length === 0;
  if (!wantsXml(c)) {
    const json = (value: Scalar) => (isDecimal(value) ? Number(value.decimal) : value);
    const plain = Object.fromEntries(
      Object.entries(fields).map(([name, value]) => [
        name,
        isList(value) ? value.items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, json(v)]))) : json(value),
      ]),
    );
    return c.json({ errors, lastPublished: `/Date(${now.getTime()})/`, success, version: '3', ...plain }, status);
  }
  const scalar = (value: Scalar) =>
    value === null ? { '@i:nil': 'true' } : isDecimal(value) ? value.decimal : typeof value === 'boolean' ? String(value) : value;
  const element = (value: Scalar | ListField) =>
    isList(value)
      ? value.items.length > 0
        ? { [value.itemElement]: value.items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, scalar(v)]))) }
        : ''
      : scalar(value);
  const body = builder.build({
    [root]: {
      '@xmlns:i': xmlSchemaInstance,
      errors: errors.length > 0 ? { error: errors.map(({ code, message }) => ({ code, message })) } : '',
      // The XML form writes the time itself, with microseconds as .NET's DataContract does.
      lastPublished: now.toISOString().replace(/Z$/, '000Z'),
      success: String(success),
      version: 3,
      ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, element(value)])),
    },
  });
  return c.body(body, status, { 'Content-Type': 'application/xml; charset=utf-8' });
}
