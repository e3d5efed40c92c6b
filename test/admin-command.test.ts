/** The operator CLI: help everywhere, clear refusals, secrets shown once and stored only as digests. */
import { describe, expect, it } from 'vitest';
import { admin, superuser } from './helpers.ts';

describe('npm run admin', () => {
  it('has --help on every command', async () => {
    const overview = await admin('--help');
    expect(overview.code).toBe(0);
    for (const command of ['company create', 'company list', 'credential issue', 'credential list', 'credential revoke']) {
      expect(overview.stdout).toContain(command);
      const help = await admin(...command.split(' '), '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm run admin -- /);
    }
  });

  it('refuses bad arguments with exit code 2 and says what is wrong', async () => {
    expect(await admin('company', 'create', '--slug', 'Bad Slug', '--name', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--slug') });
    expect(await admin('credential', 'issue', 'paypal', '--company', 'acme')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown API paypal') });
    expect(await admin('credential', 'issue', 'kit', '--company', 'acme', '--username', 'x')).toMatchObject({ code: 2 });
    expect(await admin('company', 'frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') });
    expect(await admin('company', 'create', '--bogus')).toMatchObject({ code: 2 });
  });

  it('refuses what the data forbids with exit code 1', async () => {
    expect(await admin('company', 'create', '--slug', 'acme', '--name', 'Again')).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });
    expect(await admin('credential', 'issue', 'kit', '--company', 'nobody')).toMatchObject({ code: 1, stderr: expect.stringContaining('no company with slug nobody') });
    expect(await admin('credential', 'revoke', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1 });
  });

  it('creates a company and issues every kind of credential, storing no secret in clear', async () => {
    const slug = `cli-${Date.now()}`;
    const created = await admin('company', 'create', '--slug', slug, '--name', 'CLI Test Co', '--json');
    expect(JSON.parse(created.stdout)).toMatchObject({ slug, name: 'CLI Test Co', id: expect.any(String) });
    const secrets: string[] = [];
    for (const api of ['lumen', 'operations', 'dpd', 'kit', 'groupcommerce']) {
      const issued = JSON.parse((await admin('credential', 'issue', api, '--company', slug, '--json')).stdout);
      const secret = issued.apiKey ?? issued.password ?? issued.token ?? issued.consumerSecret;
      expect(secret).toMatch(/^[a-z]+_[a-z]+_[A-Za-z0-9_-]{43}$|^gcs_[A-Za-z0-9_-]{43}$/);
      secrets.push(secret);
    }
    const listed = JSON.parse((await admin('credential', 'list', '--company', slug, '--json')).stdout);
    expect(listed.map((c: { api: string }) => c.api)).toEqual(['lumen', 'operations', 'dpd', 'kit', 'groupcommerce']);
    expect(JSON.stringify(listed)).not.toMatch(new RegExp(secrets.join('|')));

    const db = await superuser();
    const { rows } = await db.query(
      `select c.* from ledger.credentials c join ledger.companies co on co.id = c.company_id where co.slug = $1`,
      [slug],
    );
    await db.end();
    const stored = JSON.stringify(rows);
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });
});
