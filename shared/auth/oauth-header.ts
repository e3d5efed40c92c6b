/** Parsing `Authorization: OAuth ...` (RFC 5849 section 3.5.1) into its protocol parameters. */

export type OAuthHeaderResult =
  | { ok: true; params: Map<string, string>; realm: string | undefined }
  | { ok: false; problem: string };

const paramPattern = /\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(,|$)/y;

/**
 * Splits the header into percent-decoded name/value pairs. `realm` is kept apart (it is not a
 * protocol parameter and is excluded from the signature); a parameter given twice is a problem,
 * as RFC 5849 section 3.2 answers it with 400.
 */
export function parseOAuthHeader(header: string | null | undefined): OAuthHeaderResult | null {
  if (!header) return null;
  const scheme = /^OAuth(?:\s+|$)/i.exec(header);
  if (!scheme) return null;
  const params = new Map<string, string>();
  let realm: string | undefined;
  let rest = header.slice(scheme[0].length);
  paramPattern.lastIndex = 0;
  while (rest.trim().length > 0) {
    paramPattern.lastIndex = 0;
    const match = paramPattern.exec(rest);
    if (!match) return { ok: false, problem: 'the OAuth Authorization header is malformed' };
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(match[1]!);
      value = decodeURIComponent(match[2]!);
    } catch {
      return { ok: false, problem: `the OAuth parameter ${match[1]} is not valid percent-encoding` };
    }
    rest = rest.slice(match[0].length);
    if (name === 'realm') {
      realm = value;
      continue;
    }
    if (params.has(name)) return { ok: false, problem: `the OAuth parameter ${name} is given more than once` };
    params.set(name, value);
  }
  return { ok: true, params, realm };
}
