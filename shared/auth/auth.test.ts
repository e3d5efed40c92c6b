import OAuth from 'oauth-1.0a';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  basicCredentials,
  bearerToken,
  credentialClaims,
  headerKey,
  hmacSha1Signature,
  parseOAuthHeader,
  signatureBaseString,
  timingSafeEqual,
} from './index.ts';

const headers = (init: Record<string, string>) => new Headers(init);

describe('headerKey', () => {
  it('trims, and treats empty or oversized values as absent', () => {
    expect(headerKey(headers({ 'X-Api-Key': '  abc ' }), 'X-Api-Key')).toBe('abc');
    expect(headerKey(headers({ 'X-Api-Key': '   ' }), 'X-Api-Key')).toBeNull();
    expect(headerKey(headers({ 'X-Api-Key': 'a'.repeat(513) }), 'X-Api-Key')).toBeNull();
    expect(headerKey(headers({}), 'X-Api-Key')).toBeNull();
  });
});

describe('bearerToken', () => {
  it('reads the token whatever the scheme case', () => {
    expect(bearerToken(headers({ Authorization: 'Bearer tok_1' }))).toBe('tok_1');
    expect(bearerToken(headers({ Authorization: 'bearer tok_1' }))).toBe('tok_1');
    expect(bearerToken(headers({ Authorization: 'Basic dTpw' }))).toBeNull();
    expect(bearerToken(headers({ Authorization: 'Bearer' }))).toBeNull();
  });
});

describe('basicCredentials', () => {
  it('decodes UTF-8 user and password, the password may hold colons', () => {
    const encoded = btoa(String.fromCharCode(...new TextEncoder().encode('zoë:pa:ss')));
    expect(basicCredentials(headers({ Authorization: `Basic ${encoded}` }))).toEqual({ username: 'zoë', password: 'pa:ss' });
  });

  it('rejects malformed values', () => {
    expect(basicCredentials(headers({ Authorization: 'Basic !!!' }))).toBeNull();
    expect(basicCredentials(headers({ Authorization: `Basic ${btoa('nocolon')}` }))).toBeNull();
    expect(basicCredentials(headers({ Authorization: `Basic ${btoa(':password')}` }))).toBeNull();
    expect(basicCredentials(headers({ Authorization: `Basic ${btoa('\xff\xfe:x')}` }))).toBeNull();
  });
});

describe('parseOAuthHeader', () => {
  it('decodes parameters and keeps realm apart', () => {
    const parsed = parseOAuthHeader('OAuth realm="Example", oauth_consumer_key="a%20b", oauth_nonce="n"');
    expect(parsed).toEqual({ ok: true, realm: 'Example', params: new Map([['oauth_consumer_key', 'a b'], ['oauth_nonce', 'n']]) });
  });

  it('is null for another scheme and a problem for duplicates or garbage', () => {
    expect(parseOAuthHeader('Bearer x')).toBeNull();
    expect(parseOAuthHeader(undefined)).toBeNull();
    expect(parseOAuthHeader('OAuth oauth_nonce="a", oauth_nonce="b"')).toEqual({
      ok: false,
      problem: 'the OAuth parameter oauth_nonce is given more than once',
    });
    expect(parseOAuthHeader('OAuth oauth_nonce=a')).toMatchObject({ ok: false });
  });
});

describe('OAuth 1.0a signatures', () => {
  it('builds the base string of RFC 5849 section 3.4.1.1', () => {
    const url = new URL('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b');
    const params: Array<[string, string]> = [
      ...url.searchParams.entries(),
      ...new URLSearchParams('c2&a3=2+q').entries(),
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['oauth_signature', 'ignored'],
    ];
    expect(signatureBaseString('post', url, params)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('agrees with an independent OAuth 1.0a client (oauth-1.0a on Node crypto)', async () => {
    const client = new OAuth({
      consumer: { key: 'ck-1', secret: 's3cr3t&+ /' },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
    });
    const form = { 'ConsumerInfo.Email': 'a+b@example.com', 'OrderDetails[0].OfferId': '9033', Note: 'café & more' };
    const request = { url: 'http://127.0.0.1:8791/api/v3/publisher/order?x=1', method: 'POST', data: { ...form } };
    const signed = client.authorize(request);
    const params: Array<[string, string]> = [
      ['x', '1'],
      ...Object.entries(form),
      ...Object.entries(signed).filter(([name]) => name.startsWith('oauth_')).map(([n, v]): [string, string] => [n, String(v)]),
    ];
    const base = signatureBaseString('POST', new URL(request.url), params);
    expect(await hmacSha1Signature(base, 's3cr3t&+ /')).toBe(signed.oauth_signature);
  });

  it('compares in constant shape', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('credentialClaims', () => {
  it('names a bearer secret by its digest and a keyed one by its id', async () => {
    const bearer = await credentialClaims({ kind: 'kit_token', secret: 'abc' });
    expect(bearer).toEqual({
      cred_kind: 'kit_token',
      cred_id: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      cred_digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    const keyed = await credentialClaims({ kind: 'dpd_basic', keyId: 'acme', secret: 'abc' });
    expect(keyed.cred_id).toBe('acme');
  });
});
