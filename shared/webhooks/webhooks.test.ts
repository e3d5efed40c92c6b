import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { addressProblem, endpointUrlProblem, hostToResolve } from './endpoint-url.ts';
import { newWebhookSecret, signWebhook } from './signature.ts';

describe('signWebhook', () => {
  it("matches the Standard Webhooks specification's example signature", async () => {
    const headers = await signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('is verified by the standardwebhooks library, and a changed body is not', async () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'purchase.created', timestamp: new Date().toISOString(), data: { total: '10.00' } });
    const headers = await signWebhook(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('10.00', '99.00'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe('endpointUrlProblem', () => {
  const deployed = { local: false };
  const local = { local: true };
  it.each([
    ['https://hooks.example.com/purchases', deployed],
    ['https://93.184.215.14/hooks', deployed],
    ['https://[2606:4700::1111]/hooks', deployed],
    ['http://127.0.0.1:9000/hooks', local],
    ['http://localhost:9000/hooks', local],
    ['http://[::1]:9000/hooks', local],
  ])('accepts %s', (url, options) => {
    expect(endpointUrlProblem(url, options)).toBeNull();
  });

  it.each([
    ['not a url', deployed, /absolute URL/],
    ['http://hooks.example.com/', deployed, /not https/],
    ['http://hooks.example.com/', local, /not https/],
    ['http://127.0.0.1:9000/', deployed, /not https/],
    ['https://127.0.0.1/', deployed, /loopback/],
    ['https://localhost/', deployed, /this machine/],
    ['https://10.0.0.8/', local, /private/],
    ['https://172.20.1.1/', deployed, /private/],
    ['https://192.168.1.1/', deployed, /private/],
    ['https://100.64.0.1/', deployed, /shared/],
    ['https://169.254.169.254/', deployed, /link-local/],
    ['https://0.0.0.0/', deployed, /this network/],
    ['https://[::ffff:10.0.0.1]/', deployed, /private/],
    ['https://[::ffff:169.254.169.254]/', deployed, /link-local/],
    ['https://[64:ff9b::192.168.0.1]/', deployed, /private/],
    ['https://[fe80::1]/', deployed, /link-local/],
    ['https://[fd12::1]/', deployed, /unique-local/],
    // Written so that a pattern on the text misses them: judged on their bytes.
    ['https://[::127.0.0.1]/', deployed, /loopback/],
    ['https://[::ffff:0:7f00:1]/', deployed, /loopback/],
    ['https://[0:0:0:0:0:ffff:7f00:1]/', deployed, /loopback/],
    ['https://[64:ff9b:1::a00:1]/', deployed, /local-use NAT64/],
    ['https://[2002:7f00:1::]/', deployed, /6to4/],
    ['https://[fec0::1]/', deployed, /site-local/],
    ['https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', deployed, /Teredo/],
    ['https://[0:0:0:0:0:0:0:1]/', deployed, /loopback/],
    ['https://[FE80::1]/', deployed, /link-local/],
    // Decimal, octal and hex IPv4 are normalised by URL parsing before any check.
    ['https://2130706433/', deployed, /loopback/],
    ['https://0177.0.0.1/', deployed, /loopback/],
    ['https://0x7f.1/', deployed, /loopback/],
    ['https://metadata.google.internal/', deployed, /internal name/],
    ['https://printer.local/', deployed, /internal name/],
    ['https://intranet/', deployed, /not a public host name/],
    ['ftp://hooks.example.com/', deployed, /scheme is ftp/],
    ['https://me:secret@hooks.example.com/', deployed, /user name or password/],
  ])('refuses %s', (url, options, reason) => {
    expect(endpointUrlProblem(url, options)).toMatch(reason);
  });

  it('names the hosts whose addresses are to be resolved and checked: names, not addresses or this machine', () => {
    expect(hostToResolve('https://Hooks.Example.com/x')).toBe('hooks.example.com');
    expect(hostToResolve('https://93.184.215.14/x')).toBeNull();
    expect(hostToResolve('https://[2606:4700::1111]/x')).toBeNull();
    expect(hostToResolve('http://localhost:9000/x')).toBeNull();
    expect(hostToResolve('http://api.localhost:9000/x')).toBeNull();
  });

  it('checks resolved addresses the same way', () => {
    expect(addressProblem('203.0.113.9', { local: false })).toBeNull();
    expect(addressProblem('10.1.1.1', { local: false })).toMatch(/private/);
    expect(addressProblem('127.0.0.1', { local: true })).toBeNull();
    expect(addressProblem('::1', { local: false })).toMatch(/loopback/);
  });
});
