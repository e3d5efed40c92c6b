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
export function oauthHeader(
  consumer: { consumerKey: string; consumerSecret: string },
  url: string,
  method: string,
  formBody: string | null,
  timestamp?: number,
): string {
  const client = new OAuth({
    consumer: { key: consumer.consumerKey, secret: consumer.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  if (timestamp !== undefined) client.getTimeStamp = () => timestamp;
  const data: Record<string, string | string[]> = {};
  if (formBody !== null) {
    for (const [name, value] of new URLSearchParams(formBody)) {
      const seen = data[name];
      data[name] = seen === undefined ? value : [seen, value].flat();
    }
  }
  return client.toHeader(client.authorize({ url, method, data })).Authorization;
}
