/**
 * OAuth 1.0a request signatures (RFC 5849 section 3.4) with HMAC-SHA1: the signature base string
 * and a constant-time check. Pure functions over WebCrypto; the worker supplies the parameters.
 */

/** RFC 5849 section 3.6: RFC 3986 unreserved characters stay, everything else is %XX in upper case. */
export function oauthPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * RFC 5849 section 3.4.1.2: scheme and host in lower case, the port only when it is not the
 * scheme's default, the path, and no query or fragment.
 */
export function baseStringUri(url: URL): string {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const defaultPort = (scheme === 'http' && url.port === '80') || (scheme === 'https' && url.port === '443');
  const port = url.port && !defaultPort ? `:${url.port}` : '';
  return `${scheme}://${url.hostname.toLowerCase()}${port}${url.pathname}`;
}

/** RFC 5849 section 3.4.1.3.2: encode each name and value, sort by name then value, join. */
export function normalizeParameters(params: Array<[string, string]>): string {
  return params
    .filter(([name]) => name !== 'oauth_signature' && name !== 'realm')
    .map(([name, value]): [string, string] => [oauthPercentEncode(name), oauthPercentEncode(value)])
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** RFC 5849 section 3.4.1.1: METHOD&encoded-base-URI&encoded-normalized-parameters. */
export function signatureBaseString(method: string, url: URL, params: Array<[string, string]>): string {
  return [method.toUpperCase(), baseStringUri(url), normalizeParameters(params)].map(oauthPercentEncode).join('&');
}

/** RFC 5849 section 3.4.2: base64 HMAC-SHA1 keyed by encoded consumer secret `&` encoded token secret. */
export async function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret = ''): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(`${oauthPercentEncode(consumerSecret)}&${oauthPercentEncode(tokenSecret)}`),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(baseString)));
  let binary = '';
  for (const byte of signature) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}
