/**
 * `npm run keys` and `npm run deploy -- --dry-run` as an operator runs them: a new secrets file,
 * every worker and the entry built by wrangler with only their own secrets, the migrations the
 * database lacks listed and none applied; and the secrets files it refuses.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiNames } from '../platform/stack/config.ts';
import { publicLocalSigningKey } from '../shared/env/local-defaults.ts';
import { stack, superuser } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-test-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function run(script: string, ...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], {
      env: { ...process.env, DATABASE_URL: '', CI: 'true', WRANGLER_SEND_METRICS: 'false' },
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

async function filledSecrets(): Promise<string> {
  const path = join(dir, `secrets-${Math.random().toString(36).slice(2)}.env`);
  const written = await run('platform/deploy/keys.ts', '--out', path);
  expect(written.code, written.output).toBe(0);
  const text = (await readFile(path, 'utf8'))
    .replace(/^SUPABASE_URL=$/m, 'SUPABASE_URL=https://project-ref.supabase.co')
    .replace(/^SUPABASE_ANON_KEY=$/m, 'SUPABASE_ANON_KEY=anon-key-of-the-project')
    .replace(/^RESEND_API_KEY=$/m, 'RESEND_API_KEY=re_sending_key_of_the_account');
  await writeFile(path, text);
  return path;
}

describe('npm run keys', () => {
  it('generates the keys the platform makes itself, and never overwrites a file', async () => {
    const path = join(dir, 'first.env');
    expect((await run('platform/deploy/keys.ts', '--out', path)).code).toBe(0);
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(/^SUPABASE_JWT_SIGNING_KEY='(.+)'$/m.exec(text)![1]!)).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.any(String), d: expect.any(String) });
    expect(text).toMatch(/^SUPABASE_JWT_SECRET=$/m);
    expect(Buffer.from(/^OAUTH_CONSUMER_SECRET_KEY=(.+)$/m.exec(text)![1]!, 'base64')).toHaveLength(32);
    expect(Buffer.from(/^WEBHOOK_SECRET_KEY=(.+)$/m.exec(text)![1]!, 'base64')).toHaveLength(32);
    expect(Buffer.from(/^CREDENTIAL_TAG_KEY=(.+)$/m.exec(text)![1]!, 'base64')).toHaveLength(32);
    expect(text).toMatch(/^RESEND_API_KEY=$/m);
    const again = await run('platform/deploy/keys.ts', '--out', path);
    expect(again.code).toBe(1);
    expect(again.output).toContain('exists; it is left as it is');
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});

describe('npm run deploy -- --dry-run', () => {
  it('checks and builds the five workers, the delivery worker and the edge entry, lists what the database lacks, and changes nothing', async () => {
    const secrets = await filledSecrets();
    const settings = join(dir, 'deploy.toml');
    await writeFile(
      settings,
      '[domains]\nedge = "purchases.example.com"\ndpd = "dpd.example.com"\n[delivery]\nmail_from_domain = "mail.initech.co"\ndownload_base_url = "https://downloads.initech.co"\n' +
        '[placement]\nregion = "aws:eu-central-1"\n',
    );
    const db = await superuser();
    const before = (await db.query('select count(*)::int as n from supabase_migrations.schema_migrations')).rows[0].n;
    const result = await run('platform/deploy/index.ts', '--dry-run', '--secrets', secrets, '--settings', settings, '--database-url', stack().databaseUrl);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('the schema is up to date');
    // Each worker gets only what it reads: the credential tag key goes to the five APIs, the OAuth
    // sealing key to the publisher API alone, the webhook sealing key and the mail provider's key
    // to the delivery worker.
    for (const api of apiNames) expect(result.output).toContain(`  ${api}: ${api === 'groupcommerce' ? 5 : 4} secrets`);
    expect(result.output).toContain('  delivery: 5 secrets');
    for (const queue of ['purchases-outbox', 'purchases-deliveries', 'purchases-deliveries-dead']) expect(result.output).toContain(`would create ${queue}`);
    expect(result.output).toContain('env.OUTBOX (purchases-outbox)');
    expect(result.output.match(/--dry-run: exiting now/g)).toHaveLength(7);
    expect(result.output).toContain('custom domains: edge purchases.example.com, dpd dpd.example.com');
    expect(result.output).toContain('env.OAUTH_CONSUMER_SECRET_KEY');
    expect(result.output).toContain('env.LUMEN (purchases-lumen)');
    expect(result.output).toContain('dry run complete');
    // The five API workers are placed in the database's region (wrangler took each config so
    // placed), their limiters created near it; the edge stays near its clients. The placed copies
    // of the configs are gone afterwards.
    for (const api of apiNames) expect(result.output).toContain(`  ${api}: ${api === 'groupcommerce' ? 5 : 4} secrets, placed in aws:eu-central-1, limiters near it (weur)`);
    expect(result.output.match(/env\.RATE_LIMIT_LOCATION_HINT \("\(hidden\)"\)/g)).toHaveLength(5);
    for (const api of apiNames) expect(existsSync(`functions/${api}/.wrangler.deploy.toml`), api).toBe(false);
    // The delivery worker gets deploy.toml's mail domain and download links (wrangler hides values
    // given on its command line), not its placeholders.
    expect(result.output).toMatch(/env\.MAIL_FROM_DOMAIN \("\(hidden\)"\)/);
    expect(result.output).toMatch(/env\.DOWNLOAD_BASE_URL \("\(hidden\)"\)/);
    expect(result.output).not.toContain('mail.example.com');
    expect(result.output).not.toContain('warning: [delivery]');
    // --secrets-file only adds: what a worker no longer gets is deleted after it (the dry run says what).
    expect(result.output).toContain('  lumen: would delete, where the deployed worker has them: SUPABASE_JWT_SECRET, OAUTH_CONSUMER_SECRET_KEY, WEBHOOK_SECRET_KEY, RESEND_API_KEY, STRIPE_SECRET_KEY, SUPABASE_JWT_KEY_ID');
    expect((await db.query('select count(*)::int as n from supabase_migrations.schema_migrations')).rows[0].n).toBe(before);
    await db.end();
  }, 240_000);

  it('refuses a placement region it does not know, naming the ones it does, before building anything', async () => {
    const settings = join(dir, 'deploy-region.toml');
    await writeFile(settings, '[placement]\nregion = "aws:mars-north-1"\n');
    const result = await run('platform/deploy/index.ts', '--dry-run', '--secrets', await filledSecrets(), '--settings', settings, '--skip-database');
    expect(result.code).toBe(1);
    expect(result.output).toContain('[placement] region "aws:mars-north-1" is not a cloud region this deploy knows');
    expect(result.output).toContain('aws:eu-central-1');
    expect(result.output).not.toContain('4/6');
  });

  it('refuses a secrets file holding a public local default, or missing a secret, before building anything', async () => {
    const secrets = await filledSecrets();
    const text = await readFile(secrets, 'utf8');
    await writeFile(secrets, text.replace(/^SUPABASE_JWT_SIGNING_KEY=.*$/m, `SUPABASE_JWT_SIGNING_KEY='${JSON.stringify(publicLocalSigningKey)}'`));
    const leaked = await run('platform/deploy/index.ts', '--dry-run', '--secrets', secrets, '--skip-database');
    expect(leaked.code).toBe(1);
    expect(leaked.output).toContain('public local default');
    expect(leaked.output).not.toContain('wrangler');

    // A deployment refuses a provider's value left empty before building anything (a dry run only warns).
    await writeFile(secrets, text.replace(/^SUPABASE_ANON_KEY=.*$/m, 'SUPABASE_ANON_KEY='));
    const missing = await run('platform/deploy/index.ts', '--secrets', secrets, '--skip-database');
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('SUPABASE_ANON_KEY is empty');
    expect(missing.output).not.toContain('wrangler');

    // ...and the delivery worker's placeholders, or a domain reserved for examples.
    const settings = join(dir, 'placeholders.toml');
    for (const [delivery, said] of [
      ['', '[delivery] mail_from_domain is not set'],
      ['[delivery]\nmail_from_domain = "mail.example.com"\ndownload_base_url = "https://downloads.initech.co"\n', '[delivery] mail_from_domain mail.example.com is a domain reserved for examples'],
    ] as const) {
      await writeFile(secrets, text);
      await writeFile(settings, `[domains]\nedge = "purchases.initech.co"\n${delivery}`);
      const refused = await run('platform/deploy/index.ts', '--secrets', secrets, '--settings', settings, '--skip-database');
      expect(refused.code, refused.output).toBe(1);
      expect(refused.output).toContain(said);
      expect(refused.output).not.toContain('wrangler deploy');
    }
  });
});
