/**
 * IP address literals, so ranges are judged and clients counted on what an address is, not on how
 * it happens to be written (`::127.0.0.1`, `::ffff:0:7f00:1` and `0:0::7f00:1` name one host).
 * IPv6 text is read by the URL parser (WHATWG), which takes every textual form (`::`, leading
 * zeros, a dotted IPv4 tail) and writes one canonical form; only that form is split here.
 */

/** A dotted-quad IPv4 address as 4 bytes, or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

/** The eight 16-bit groups of an IPv6 address (without brackets), or null for anything else. */
export function ipv6Groups(address: string): number[] | null {
  let host: string;
  try {
    host = new URL(`http://[${address}]/`).hostname;
  } catch {
    return null;
  }
  const [head, tail] = host.slice(1, -1).split('::');
  const groups = (text: string | undefined) => (text ? text.split(':').map((group) => parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** An IPv6 address (without brackets) as 16 bytes, or null. */
export function parseIPv6(address: string): Uint8Array | null {
  const groups = ipv6Groups(address);
  return groups && Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 255]));
}

/** Whether `bytes` starts with the first `bits` bits of `prefix`. */
export function inPrefix(bytes: Uint8Array, prefix: ArrayLike<number>, bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((bytes[bit >> 3]! ^ (prefix[bit >> 3] ?? 0)) & mask) !== 0) return false;
  }
  return true;
}

/**
 * Who a client is for counting: an IPv4 address as itself; an IPv6 address by its /64, the block
 * one subscriber or server is given (so walking through a /64 counts as one client); an IPv4
 * address written as IPv6 (mapped, ::ffff:a.b.c.d) as the IPv4 address. Anything else as written,
 * cut short.
 */
export function clientKey(address: string): string {
  const text = address.trim();
  const groups = text.includes(':') ? ipv6Groups(text) : null;
  if (!groups) return text.slice(0, 64);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}
