/** Reading credentials from requests: a header key, HTTP Basic (RFC 7617) and Bearer (RFC 6750). */

/** Longest credential value accepted; anything longer is not one of ours and is not digested. */
export const maxCredentialLength = 512;

/** The trimmed value of an API-key header, or null when absent, empty or oversized. */
export function headerKey(headers: Headers, name: string): string | null {
  const value = headers.get(name)?.trim();
  return value && value.length <= maxCredentialLength ? value : null;
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or null. */
export function bearerToken(headers: Headers): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headers.get('Authorization') ?? '');
  const token = match?.[1];
  return token && token.length <= maxCredentialLength ? token : null;
}

/** The user and password of `Authorization: Basic <base64>` (UTF-8), or null when absent or malformed. */
export function basicCredentials(headers: Headers): { username: string; password: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(headers.get('Authorization') ?? '');
  if (!match?.[1] || match[1].length > maxCredentialLength * 2) return null;
  let decoded: string;
  try {
    const binary = atob(match[1]);
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
