/**
 * Signing per the Standard Webhooks specification (https://www.standardwebhooks.com/, "Signature
 * scheme"): the signed content is `${webhook-id}.${webhook-timestamp}.${body}`, the signature
 * HMAC-SHA256 under the secret's bytes (the base64 after `whsec_`), sent base64-encoded as
 * `v1,<signature>` in `webhook-signature`. WebCrypto only, so it runs in Workers and Node alike.
 */
import { decodeBase64, encodeBase64 } from 'hono/utils/encode';

export const secretPrefix = 'whsec_';

/** A new signing secret: 32 random bytes, as the specification's `whsec_<base64>`. */
export function newWebhookSecret(): string {
  return `${secretPrefix}${encodeBase64(crypto.getRandomValues(new Uint8Array(32)).buffer)}`;
}

/** The key bytes of a `whsec_` secret (a secret without the prefix is taken as bare base64). */
function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  return decodeBase64(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret) as Uint8Array<ArrayBuffer>;
}

/** The three headers of one signed request; the timestamp is the attempt's, in seconds. */
export async function signWebhook(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): Promise<{ 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string }> {
  const key = await crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signed = new TextEncoder().encode(`${messageId}.${timestampSeconds}.${body}`);
  const signature = await crypto.subtle.sign('HMAC', key, signed);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${encodeBase64(signature)}`,
  };
}
