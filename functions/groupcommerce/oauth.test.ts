/** The URI publishers sign, with and without a proxy in front, and the timestamp window setting. */
import { describe, expect, it } from 'vitest';
import { signedUrl, timestampWindowSeconds } from './oauth.ts';

describe('signedUrl', () => {
  it('is the request URL when nothing is in front', () => {
    expect(signedUrl('http://127.0.0.1:8791/api/v3/publisher/order?x=1', undefined).href).toBe('http://127.0.0.1:8791/api/v3/publisher/order?x=1');
  });

  it('takes the public origin and prefix when PUBLIC_BASE_URL is set', () => {
    expect(signedUrl('http://10.0.0.5:8080/api/v3/publisher/order', 'https://api.example.com/').href).toBe('https://api.example.com/api/v3/publisher/order');
    expect(signedUrl('http://internal/api/v3/publisher/order', 'https://example.com:8443/gc').href).toBe('https://example.com:8443/gc/api/v3/publisher/order');
  });
});

describe('timestampWindowSeconds', () => {
  it('defaults to 300 and takes a positive whole number', () => {
    expect(timestampWindowSeconds({})).toBe(300);
    expect(timestampWindowSeconds({ OAUTH_TIMESTAMP_WINDOW_SECONDS: '60' })).toBe(60);
    expect(timestampWindowSeconds({ OAUTH_TIMESTAMP_WINDOW_SECONDS: '-1' })).toBe(300);
  });
});
