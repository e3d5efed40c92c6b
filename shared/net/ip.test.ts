import { describe, expect, it } from 'vitest';
import { clientKey, parseIPv4, parseIPv6 } from './ip.ts';

const hex = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes).toString('hex') : null);

describe('IP literals', () => {
  it('parse IPv6 in every written form to the same bytes', () => {
    expect(hex(parseIPv6('::1'))).toBe('00000000000000000000000000000001');
    expect(hex(parseIPv6('::127.0.0.1'))).toBe(hex(parseIPv6('::7f00:1')));
    expect(hex(parseIPv6('::ffff:0:7f00:1'))).toBe('0000000000000000ffff00007f000001');
    expect(hex(parseIPv6('2001:db8:0:0:0:0:0:1'))).toBe(hex(parseIPv6('2001:db8::1')));
    expect(hex(parseIPv6('::ffff:10.0.0.1'))).toBe('00000000000000000000ffff0a000001');
    expect(hex(parseIPv6('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008');
    expect(hex(parseIPv6('::'))).toBe('0'.repeat(32));
  });

  it('refuse what is no address', () => {
    for (const text of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', '::256.0.0.1', '1:2:3:4:5:6:7', '', 'fe80::1%eth0', '1.2.3.4', ']::1[']) expect(parseIPv6(text)).toBeNull();
    for (const text of ['1.2.3', '1.2.3.256', '01.2.3.4.5', 'a.b.c.d']) expect(parseIPv4(text)).toBeNull();
  });

  it('count IPv6 clients by their /64 and mapped IPv4 as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('unknown')).toBe('unknown');
    expect(clientKey('2001:DB8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('not:an:address')).toBe('not:an:address');
  });
});
