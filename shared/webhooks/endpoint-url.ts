/**
 * Which webhook URLs the platform will call: https to a public address; plain http to this machine
 * only in local development. Checked when an endpoint is registered (the admin CLI, which also
 * resolves the name) and again before every delivery (the relay), so an address that became
 * unsafe is never called. A pure module: resolving names is the caller's part.
 */

import { inPrefix, parseIPv4, parseIPv6 } from '../net/ip.ts';

/** Names that are never public, whatever they resolve to. */
const internalNames = [/^localhost$/, /\.localhost$/, /\.local$/, /\.internal$/, /^metadata$/, /\.home\.arpa$/];

/** IPv4 ranges that are not the public internet (RFC 6890's special-purpose registry, in short). */
const privateV4: Array<[base: string, bits: number, what: string]> = [
  ['0.0.0.0', 8, 'a "this network" address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata services live here)'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'a protocol-assignment address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

type Problem = { what: string; loopback: boolean };

function v4Problem(bytes: Uint8Array): Problem | null {
  for (const [base, bits, what] of privateV4) {
    if (inPrefix(bytes, parseIPv4(base)!, bits)) return { what, loopback: base === '127.0.0.0' };
  }
  return null;
}

/** IPv6 ranges that carry an IPv4 address in their last 4 bytes: judged as the IPv4 address they reach. */
const embeddingV4: Array<[prefix: string, bits: number]> = [
  ['::ffff:0:0', 96], // IPv4-mapped
  ['::ffff:0:0:0', 96], // IPv4-translated (RFC 2765)
  ['64:ff9b::', 96], // NAT64 (RFC 6052)
  ['::', 96], // IPv4-compatible (deprecated): ::127.0.0.1
];

/** IPv6 ranges that are not the public internet (RFC 6890's registry and the deprecated ones). */
const privateV6: Array<[prefix: string, bits: number, what: string]> = [
  ['64:ff9b:1::', 48, 'a local-use NAT64 address'],
  ['100::', 64, 'a discard-only address'],
  ['2001::', 32, 'a Teredo tunnel address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['2002::', 16, 'a 6to4 address (it reaches an IPv4 address through a relay)'],
  ['fc00::', 7, 'a unique-local (private) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local (private) address'],
  ['ff00::', 8, 'a multicast address'],
];

/** The problem with an IPv6 address, or null for a public one. */
function v6Problem(bytes: Uint8Array): Problem | null {
  if (bytes.every((b, i) => b === (i === 15 ? 1 : 0))) return { what: 'a loopback address', loopback: true };
  if (bytes.every((b) => b === 0)) return { what: 'the unspecified address', loopback: false };
  if (embeddingV4.some(([prefix, bits]) => inPrefix(bytes, parseIPv6(prefix)!, bits))) return v4Problem(bytes.slice(12));
  for (const [prefix, bits, what] of privateV6) {
    if (inPrefix(bytes, parseIPv6(prefix)!, bits)) return { what, loopback: false };
  }
  return null;
}

/** The problem with an address literal; an unreadable one is never called. */
function literalProblem(address: string): Problem | null {
  const v4 = parseIPv4(address);
  if (v4) return v4Problem(v4);
  const v6 = parseIPv6(address);
  return v6 ? v6Problem(v6) : { what: 'not an address the platform can read', loopback: false };
}

/** An IPv4 address, or an IPv6 one in brackets, as URL hostnames write them. */
function isAddressLiteral(host: string): boolean {
  return /^\[.*\]$/.test(host) || parseIPv4(host) !== null;
}

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * The host name whose addresses must be checked after resolving it (with {@link addressProblem}),
 * or null when the URL names an address or this machine, which {@link endpointUrlProblem} judged.
 */
export function hostToResolve(raw: string): string | null {
  const host = new URL(raw).hostname.toLowerCase();
  return isAddressLiteral(host) || isLoopbackName(host) ? null : host;
}

export interface UrlCheckOptions {
  /** Local development: http and loopback addresses are allowed (a receiver on this machine). */
  local: boolean;
}

/** Why the platform will not call this address (an IP literal), or null. */
export function addressProblem(address: string, options: UrlCheckOptions): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const problem = literalProblem(bare);
  if (!problem || (problem.loopback && options.local)) return null;
  return `${bare} is ${problem.what}`;
}

/**
 * Why the platform will not call this URL, or null when it may. Names are checked for what they
 * say here; what they resolve to is checked with {@link addressProblem} by whoever resolves them.
 */
export function endpointUrlProblem(raw: string, options: UrlCheckOptions): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'it is not an absolute URL';
  }
  if (raw.length > 2000) return 'it is longer than 2000 characters';
  if (url.username || url.password) return 'it carries a user name or password (put credentials in the URL path or query, or verify the signature instead)';
  const host = url.hostname.toLowerCase();
  const loopbackName = isLoopbackName(host);
  const literal = isAddressLiteral(host);
  const loopback = loopbackName || (literal && addressProblem(host, { local: true }) === null && addressProblem(host, { local: false }) !== null);
  if (url.protocol === 'http:') {
    if (!(options.local && loopback)) return 'it is not https (plain http is accepted only for this machine in local development)';
  } else if (url.protocol !== 'https:') {
    return `its scheme is ${url.protocol.replace(/:$/, '')}, not https`;
  }
  if (literal) return addressProblem(host, options);
  if (loopbackName) return options.local ? null : `${host} is this machine, not a public host`;
  if (!host.includes('.')) return `${host} is not a public host name`;
  if (internalNames.some((pattern) => pattern.test(host))) return `${host} is an internal name, not a public host`;
  return null;
}
