/**
 * The publisher API's requests signed by an independent OAuth 1.0a client (the oauth-1.0a npm
 * package), for the tests and the benchmark.
 */
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';

/**
 * The Authorization header for `method url` with its form body (`formBody`, form-encoded, or null):
 * only a well-formed form counts in the signature (RFC 5849 3.4.1.3.1).
 */
/**
 * The protocol parameters (oauth_*, with the signature) for `method url` with its form body, for a
 * request that sends them in the form body or the query string instead of the header (RFC 5849 3.5).
 */
export function oauthParameters(
  consumer: { consumerKey: string; consumerSecret: string },
  url: string,
  method: string,
  formBody: string | null,
): Record<string, string> {
  const client = clientFor(consumer);
  // authorize() answers the request's own data too: only the protocol parameters are wanted.
  const authorized = Object.entries(client.authorize({ url, method, data: formData(formBody) }));
  return Object.fromEntries(authorized.filter(([name]) => name.startsWith('oauth_')).map(([name, value]) => [name, String(value)]));
}

function clientFor(consumer: { consumerKey: string; consumerSecret: string }): OAuth {
  return new OAuth({
    consumer: { key: consumer.consumerKey, secret: consumer.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
}

/** A form body as the client library takes it: repeated names as lists. */
function formData(formBody: string | null): Record<string, string | string[]> {
  const data: Record<string, string | string[]> = {};
  if (formBody !== null) {
    for (const [name, value] of new URLSearchParams(formBody)) {
      const seen = data[name];
      data[name] = seen === undefined ? value : [seen, value].flat();
    }
  }
  return data;
}

export function oauthHeader(
  consumer: { consumerKey: string; consumerSecret: string },
  url: string,
  method: string,
  formBody: string | null,
  timestamp?: number,
  nonce?: string,
): string {
  const client = clientFor(consumer);
  if (timestamp !== undefined) client.getTimeStamp = () => timestamp;
  if (nonce !== undefined) client.getNonce = () => nonce;
  return client.toHeader(client.authorize({ url, method, data: formData(formBody) })).Authorization;
}
