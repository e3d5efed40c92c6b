import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSecretsFile } from './keys.ts';
import { readSecrets } from './secrets.ts';

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
    expect(Object.keys(secrets)).toEqual(expect.arrayContaining(['SUPABASE_JWT_SECRET', 'OAUTH_CONSUMER_SECRET_KEY', 'CREDENTIAL_TAG_KEY', 'WEBHOOK_SECRET_KEY']));
    expect(warnings.map((w) => w.split(':')[0])).toEqual(['SUPABASE_URL is empty', 'SUPABASE_ANON_KEY is empty', 'RESEND_API_KEY is empty']);
  });

  it('refuses the same file for a deployment, naming every value to fill in', async () => {
    await expect(readSecrets(await freshSecretsFile())).rejects.toThrow(/SUPABASE_URL is empty; SUPABASE_ANON_KEY is empty; RESEND_API_KEY is empty/);
  });
});
