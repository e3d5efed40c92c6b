import { describe, expect, it } from 'vitest';
import { publicSecretsIn, readDatabaseSettings } from './index.ts';
import { publicLocalSecrets, publicLocalSigningKey } from './local-defaults.ts';

const own = { SUPABASE_URL: 'https://project.supabase.co', SUPABASE_ANON_KEY: 'anon', SUPABASE_JWT_SECRET: 'a-secret-of-this-deployment-only-0123456789' };

describe('publicSecretsIn', () => {
  it('names the secrets that hold a public local default, outside local development only', () => {
    const leaked = { ...own, SUPABASE_JWT_SECRET: publicLocalSecrets.jwtSecret, OAUTH_CONSUMER_SECRET_KEY: publicLocalSecrets.oauthConsumerSecretKey };
    expect(publicSecretsIn(leaked)).toEqual(['SUPABASE_JWT_SECRET', 'OAUTH_CONSUMER_SECRET_KEY']);
    expect(publicSecretsIn({ ...leaked, LOCAL_DEVELOPMENT: 'true' })).toEqual([]);
    expect(publicSecretsIn(own)).toEqual([]);
    expect(readDatabaseSettings(leaked)).toEqual({ publicSecrets: ['SUPABASE_JWT_SECRET', 'OAUTH_CONSUMER_SECRET_KEY'] });
  });

  it('refuses the public local signing key outside local development', () => {
    const leaked = { ...own, SUPABASE_JWT_SIGNING_KEY: JSON.stringify(publicLocalSigningKey) };
    expect(publicSecretsIn(leaked)).toEqual(['SUPABASE_JWT_SIGNING_KEY']);
  });

  it('prefers the signing key (ES256), falls back to the legacy secret, and names a key it cannot use', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x1', y: 'y1', d: 'd1', kid: 'purchases-1' };
    expect(readDatabaseSettings(own)).toEqual({ url: own.SUPABASE_URL, anonKey: 'anon', signingKey: own.SUPABASE_JWT_SECRET, timeoutMs: 5000 });
    expect(readDatabaseSettings({ ...own, SUPABASE_JWT_SIGNING_KEY: JSON.stringify(jwk) })).toMatchObject({ signingKey: { ...jwk, alg: 'ES256' } });
    const { SUPABASE_JWT_SECRET: _legacy, ...withoutSecret } = own;
    expect(readDatabaseSettings(withoutSecret)).toEqual({ missing: ['SUPABASE_JWT_SIGNING_KEY'] });
    for (const wrong of ['not json', JSON.stringify({ ...jwk, kid: undefined }), JSON.stringify({ ...jwk, crv: 'P-384' }), JSON.stringify({ ...jwk, d: undefined })]) {
      expect(readDatabaseSettings({ ...own, SUPABASE_JWT_SIGNING_KEY: wrong })).toEqual({ missing: ['SUPABASE_JWT_SIGNING_KEY'] });
    }
  });
});
