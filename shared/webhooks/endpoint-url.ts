/**
 * Which webhook URLs the platform will call: https to a public address; plain http to this machine
 * only in local development. Checked when an endpoint is registered (the admin CLI, which also
 * resolves the name) and again before every delivery (the relay), so an address that became
 * unsafe is never called. A pure module: resolving names is the caller's part.
 */

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

function v4Number(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function v4Problem(address: string): { what: string; loopback: boolean } | null {
  const n = v4Number(address);
  if (n === null) return null;
  for (const [base, bits, what] of privateV4) {
    const size = 2 ** (32 - bits);
    const start = v4Number(base)!;
    if (n >= start && n < start + size) return { what, loopback: base === '127.0.0.0' };
  }
  return null;
}

/** The problem with an IPv6 literal (without brackets), or null for a public one. */
function v6Problem(address: string): { what: string; loopback: boolean } | null {
  const a = address.toLowerCase();
  if (a === '::1') return { what: 'a loopback address', loopback: true };
  if (a === '::') return { what: 'the unspecified address', loopback: false };
  // An IPv4 address inside IPv6 (mapped ::ffff:, or NAT64's 64:ff9b::), dotted or as URL parsing
  // writes it (::ffff:a00:1): judged as the IPv4 address it reaches.
  const embedded = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(a);
  if (embedded) {
    const v4 = embedded[1] ?? [embedded[2]!, embedded[3]!].flatMap((group) => {
      const n = parseInt(group, 16);
      return [n >> 8, n & 255];
    }).join('.');
    return v4Problem(v4);
  }
  if (/^f[cd][0-9a-f]{0,2}:/.test(a)) return { what: 'a unique-local (private) address', loopback: false };
  if (/^fe[89ab][0-9a-f]?:/.test(a)) return { what: 'a link-local address', loopback: false };
  if (/^ff[0-9a-f]{0,2}:/.test(a)) return { what: 'a multicast address', loopback: false };
  if (a.startsWith('fd00:ec2::')) return { what: 'a cloud metadata address', loopback: false };
  return null;
}

/** An IPv4 address, or an IPv6 one in brackets, as URL hostnames write them. */
function isAddressLiteral(host: string): boolean {
  return /^\[.*\]$/.test(host) || v4Number(host) !== null;
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
  const problem = bare.includes(':') ? v6Problem(bare) : v4Problem(bare);
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
