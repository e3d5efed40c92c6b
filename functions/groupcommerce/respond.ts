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

/** The fields an answer adds to the base response, in the order the reference lists them. */
export type ResponseFields = Record<string, string | number | boolean | null>;

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
    return c.json({ errors, lastPublished: `/Date(${now.getTime()})/`, success, version: '3', ...fields }, status);
  }
  const element = (value: ResponseFields[string]) =>
    value === null ? { '@i:nil': 'true' } : typeof value === 'boolean' ? String(value) : value;
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
