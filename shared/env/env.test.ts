import { describe, expect, it } from 'vitest';
import { publicSecretsIn, readDatabaseSettings } from './index.ts';
import { publicLocalSecrets } from './local-defaults.ts';

const own = { SUPABASE_URL: 'https://project.supabase.co', SUPABASE_ANON_KEY: 'anon', SUPABASE_JWT_SECRET: 'a-secret-of-this-deployment-only-0123456789' };

describe('publicSecretsIn', () => {
  it('names the secrets that hold a public local default, outside local development only', () => {
    const leaked = { ...own, SUPABASE_JWT_SECRET: publicLocalSecrets.jwtSecret, OAUTH_CONSUMER_SECRET_KEY: publicLocalSecrets.oauthConsumerSecretKey };
    expect(publicSecretsIn(leaked)).toEqual(['SUPABASE_JWT_SECRET', 'OAUTH_CONSUMER_SECRET_KEY']);
    expect(publicSecretsIn({ ...leaked, LOCAL_DEVELOPMENT: 'true' })).toEqual([]);
    expect(publicSecretsIn(own)).toEqual([]);
    expect(readDatabaseSettings(leaked)).toEqual({ publicSecrets: ['SUPABASE_JWT_SECRET', 'OAUTH_CONSUMER_SECRET_KEY'] });
  });

  it('reads the signing key id when there is one', () => {
    expect(readDatabaseSettings(own)).toEqual({ url: own.SUPABASE_URL, anonKey: 'anon', jwtSecret: own.SUPABASE_JWT_SECRET, timeoutMs: 5000 });
    expect(readDatabaseSettings({ ...own, SUPABASE_JWT_KEY_ID: 'k1' })).toMatchObject({ jwtKeyId: 'k1' });
  });
});
