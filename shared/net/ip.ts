/**
 * IP address literals parsed to bytes, so ranges are judged on what an address is, not on how it
 * happens to be written (`::127.0.0.1`, `::ffff:0:7f00:1` and `127.0.0.1` reach one host).
 */

/** A dotted-quad IPv4 address as 4 bytes, or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

/** An IPv6 address (without brackets or zone) as 16 bytes, or null; a dotted IPv4 tail is allowed. */
export function parseIPv6(text: string): Uint8Array | null {
  if (!/^[0-9a-f:.]+$/i.test(text) || text.length > 45) return null;
  let head = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIPv4(dotted[2]!);
    if (!v4) return null;
    head = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...left, ...right].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  const given = left.length + right.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const words = [...left.map((g) => parseInt(g, 16)), ...Array<number>(8 - given).fill(0), ...right.map((g) => parseInt(g, 16)), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 255;
  });
  return bytes;
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
 * address written as IPv6 (mapped) as the IPv4 address. Anything else as written, cut short.
 */
export function clientKey(address: string): string {
  const text = address.trim();
  if (parseIPv4(text)) return text;
  const bytes = parseIPv6(text.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (!bytes) return text.slice(0, 64);
  if (inPrefix(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return bytes.slice(12).join('.');
  const words = Array.from({ length: 4 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return `${words.join(':')}::/64`;
}
