import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSigningKey } from '../../shared/env/index.ts';
import { publicLocalSigningKey } from '../../shared/env/local-defaults.ts';
import { newSecretsFile } from './keys.ts';
import { readSecrets, secretsToRemove } from './secrets.ts';

/** What `npm run keys` writes, untouched: the generated keys, the providers' values still empty. */
async function freshSecretsFile(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'secrets-')), '.secrets.env');
  await writeFile(path, newSecretsFile());
  return path;
}

describe('readSecrets', () => {
  it("lets a dry run go without the providers' values, warning for each", async () => {
    const path = await freshSecretsFile();
    const warnings: string[] = [];
    const secrets = await readSecrets(path, { dryRun: true, warn: (w) => warnings.push(w) });
    expect(Object.keys(secrets)).toEqual(expect.arrayContaining(['SUPABASE_JWT_SIGNING_KEY', 'OAUTH_CONSUMER_SECRET_KEY', 'CREDENTIAL_TAG_KEY', 'WEBHOOK_SECRET_KEY']));
    expect(Object.keys(secrets)).not.toContain('SUPABASE_JWT_SECRET');
    expect(parseSigningKey(secrets.SUPABASE_JWT_SIGNING_KEY!)).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.stringMatching(/^purchases-\d{4}-\d\d-\d\d-[0-9a-f]{8}$/) });
    expect(warnings.map((w) => w.split(':')[0])).toEqual(['SUPABASE_URL is empty', 'SUPABASE_ANON_KEY is empty', 'RESEND_API_KEY is empty']);
  });

  it('refuses a signing key that is not one, or none at all, and takes the legacy secret instead of one', async () => {
    const path = await freshSecretsFile();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/^SUPABASE_JWT_SIGNING_KEY=.*$/m, `SUPABASE_JWT_SIGNING_KEY='{"kty":"oct","k":"x"}'`));
    await expect(readSecrets(path, { dryRun: true })).rejects.toThrow(/SUPABASE_JWT_SIGNING_KEY is not a private EC P-256 JWK with its kid/);
    await writeFile(path, text.replace(/^SUPABASE_JWT_SIGNING_KEY=.*$/m, 'SUPABASE_JWT_SIGNING_KEY='));
    await expect(readSecrets(path, { dryRun: true })).rejects.toThrow(/SUPABASE_JWT_SIGNING_KEY is empty/);
    await writeFile(path, text.replace(/^SUPABASE_JWT_SIGNING_KEY=.*$/m, 'SUPABASE_JWT_SIGNING_KEY=').replace(/^SUPABASE_JWT_SECRET=$/m, `SUPABASE_JWT_SECRET=${'s'.repeat(40)}`));
    expect(await readSecrets(path, { dryRun: true })).toMatchObject({ SUPABASE_JWT_SECRET: 's'.repeat(40) });
    await writeFile(path, text.replace(/^SUPABASE_JWT_SIGNING_KEY=.*$/m, `SUPABASE_JWT_SIGNING_KEY='${JSON.stringify(publicLocalSigningKey)}'`));
    await expect(readSecrets(path, { dryRun: true })).rejects.toThrow(/public local default/);
  });

  it('refuses a secret key where the publishable key belongs', async () => {
    const path = await freshSecretsFile();
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^SUPABASE_ANON_KEY=$/m, 'SUPABASE_ANON_KEY=sb_secret_abc'));
    await expect(readSecrets(path, { dryRun: true })).rejects.toThrow(/SUPABASE_ANON_KEY holds a secret key/);
  });

  it('refuses the same file for a deployment, naming every value to fill in', async () => {
    await expect(readSecrets(await freshSecretsFile())).rejects.toThrow(/SUPABASE_URL is empty; SUPABASE_ANON_KEY is empty; RESEND_API_KEY is empty/);
  });
});

describe('secretsToRemove', () => {
  it('deletes from a worker what it does not read, an optional secret left empty, and retired ones; keeps what it is given', () => {
    const given = { SUPABASE_URL: 'u', SUPABASE_ANON_KEY: 'a', SUPABASE_JWT_SIGNING_KEY: 'k', CREDENTIAL_TAG_KEY: 't', OAUTH_CONSUMER_SECRET_KEY: 'o', WEBHOOK_SECRET_KEY: 'w', RESEND_API_KEY: 'r' };
    expect(secretsToRemove('groupcommerce', given)).toEqual(['SUPABASE_JWT_SECRET', 'WEBHOOK_SECRET_KEY', 'RESEND_API_KEY', 'STRIPE_SECRET_KEY', 'SUPABASE_JWT_KEY_ID']);
    expect(secretsToRemove('groupcommerce', { ...given, STRIPE_SECRET_KEY: 'sk_test_x' })).not.toContain('STRIPE_SECRET_KEY');
    expect(secretsToRemove('delivery', given)).toEqual(['SUPABASE_JWT_SECRET', 'OAUTH_CONSUMER_SECRET_KEY', 'CREDENTIAL_TAG_KEY', 'STRIPE_SECRET_KEY', 'SUPABASE_JWT_KEY_ID']);
  });
});
