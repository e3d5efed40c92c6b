/**
 * Tenant isolation decided by the database: acting as the workers' role with one company's
 * credential in the claims shows that company's rows only, and nothing at all otherwise; the
 * credentials table is out of the role's reach; PostgREST exposes no table and no RPC to anon.
 */
import { sign } from 'hono/jwt';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { credentialClaims, type PresentedCredential } from '../../shared/auth/credentials.ts';
import { workerAudience, workerToken } from '../../shared/db/client.ts';
import { demo, stack, superuser } from '../../test/helpers.ts';

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

const acmeKit: PresentedCredential = { kind: 'kit_token', secret: 'kit_demo_lDBbha--UxL3EWzCwHu0GV-C' };

/** Runs `sql` as purchases_api with `claims` (in a worker's token: its audience unless they name one), in a transaction that is rolled back. */
async function asWorker<T extends pg.QueryResultRow>(claims: object, sql: string, params: unknown[] = []): Promise<T[]> {
  await db.query('begin');
  try {
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ aud: workerAudience, ...claims })]);
    await db.query('set local role purchases_api');
    return (await db.query<T>(sql, params)).rows;
  } finally {
    await db.query('rollback');
  }
}

describe('row-level security', () => {
  it('is enabled on every table outside the system schemas (a new table without it fails here)', async () => {
    const { rows } = await db.query(`
      select n.nspname || '.' || c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p')
        and n.nspname not in ('pg_catalog', 'information_schema', 'supabase_migrations')
        and n.nspname not like 'pg_toast%'
        and not c.relrowsecurity`);
    expect(rows).toEqual([]);
  });

  it('shows a company to its own credential only', async () => {
    const acme = await asWorker<{ slug: string }>(await credentialClaims(acmeKit), 'select slug from ledger.companies');
    expect(acme).toEqual([{ slug: 'acme' }]);
    const globex = await asWorker<{ slug: string }>(
      await credentialClaims({ kind: 'dpd_basic', keyId: 'globex', secret: demo('globex').dpd.password }),
      'select slug from ledger.companies',
    );
    expect(globex).toEqual([{ slug: 'globex' }]);
  });

  it('shows nothing without claims, with a wrong digest, or with a credential of another kind', async () => {
    expect(await asWorker({}, 'select * from ledger.companies')).toEqual([]);
    const claims = await credentialClaims(acmeKit);
    expect(await asWorker({ ...claims, cred_digest: '0'.repeat(64) }, 'select * from ledger.companies')).toEqual([]);
    expect(await asWorker({ ...claims, cred_kind: 'lumen_api_key' }, 'select * from ledger.companies')).toEqual([]);
    // The right credential in a token made for another audience (one the project's own users hold).
    expect(await asWorker({ ...claims, aud: 'authenticated' }, 'select * from ledger.companies')).toEqual([]);
    expect(await asWorker({ ...claims, aud: null }, 'select * from ledger.companies')).toEqual([]);
    // DPD: the right password under another company's username
    const crossed = await credentialClaims({ kind: 'dpd_basic', keyId: 'globex', secret: demo('acme').dpd.password });
    expect(await asWorker(crossed, 'select * from ledger.companies')).toEqual([]);
  });

  it('keeps the credentials table and every write out of the workers\' reach', async () => {
    const claims = await credentialClaims(acmeKit);
    await expect(asWorker(claims, 'select * from ledger.credentials')).rejects.toThrow(/permission denied/);
    await expect(asWorker(claims, `insert into ledger.companies (slug, name) values ('x-co', 'X')`)).rejects.toThrow(/permission denied/);
    await expect(asWorker(claims, `update ledger.companies set name = 'taken'`)).rejects.toThrow(/permission denied/);
    await expect(asWorker(claims, 'delete from ledger.companies')).rejects.toThrow(/permission denied/);
  });
});

describe('through PostgREST', () => {
  /** A call with `token`, or with the publishable key alone (`null`: the gateway makes it anon). */
  const rest = (path: string, token: string | null, init: RequestInit = {}) =>
    fetch(`${stack().supabase.url}/rest/v1${path}`, {
      method: 'POST',
      ...init,
      headers: { apikey: stack().supabase.anonKey, ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json', ...init.headers },
    });

  it('answers authenticate with the token\'s own company only', async () => {
    const token = await workerToken(inject('jwtSecret'), acmeKit);
    const res = await rest('/rpc/authenticate', token, { body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ company_id: demo('acme').companyId, company_slug: 'acme', company_name: 'Acme Outfitters' }]);
  });

  it('gives anon no RPC and no table', async () => {
    const anon = null;
    for (const fn of ['authenticate', 'oauth_consumer_secret']) {
      const res = await rest(`/rpc/${fn}`, anon, { body: fn === 'authenticate' ? '{}' : '{"consumer_key":"x"}' });
      expect([401, 403, 404]).toContain(res.status);
    }
    const tables = await rest('/companies', anon, { method: 'GET' });
    expect(tables.status).toBe(404);
    const ledger = await rest('/companies', anon, { method: 'GET', headers: { 'Accept-Profile': 'ledger' } });
    expect(ledger.status).toBe(406);
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await sign({ role: 'purchases_api', ...(await credentialClaims(acmeKit)) }, 'not-the-project-secret-but-long-enough', 'HS256');
    const res = await rest('/rpc/authenticate', forged, { body: '{}' });
    expect(res.status).toBe(401);
  });
});
