/** The migration runner: history kept where the Supabase CLI keeps it, and a second run changes nothing. */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { listMigrations, migrate } from '../../platform/stack/migrate.ts';
import { localDefaults } from '../../platform/stack/config.ts';
import { stack, superuser } from '../../test/helpers.ts';

describe('migrations', () => {
  it('recorded every file in supabase_migrations.schema_migrations', async () => {
    const db = await superuser();
    const { rows } = await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations order by version');
    await db.end();
    expect(rows.map((r) => r.version)).toEqual((await listMigrations()).map((m) => m.version));
  });

  it('apply only what is new, and seed only a new database', async () => {
    const report = await migrate(stack().databaseUrl, {
      prepareSupabaseRoles: false,
      authenticatorPassword: localDefaults.authenticatorPassword,
      seed: true,
    });
    expect(report).toEqual({ applied: [], seeded: false });
    expect(inject('localDir')).toContain('test');
  });

  it('refuse a database built by migrations this checkout does not have, and apply nothing', () =>
    withScratchDatabase(async (url, old) => {
      // As the migrations before the fold left it.
      await old.query(`create schema supabase_migrations;
        create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
        insert into supabase_migrations.schema_migrations (version, name) values ('20261122000100', 'api_role_and_schemas');`);
      const attempt = migrate(url, {
        prepareSupabaseRoles: false,
        authenticatorPassword: localDefaults.authenticatorPassword,
        seed: true,
        resetRemedy: 'start from a new local database: rm -rf .local/postgres && npm start',
      });
      await expect(attempt).rejects.toThrow(/built by 1 migration\(s\) this checkout does not have \(20261122000100\); nothing was applied/);
      await expect(attempt).rejects.toMatchObject({ remedy: 'start from a new local database: rm -rf .local/postgres && npm start' });
      expect((await old.query(`select 1 from pg_namespace where nspname = 'ledger'`)).rowCount).toBe(0);
    }));

  it('refuse a database whose applied migration changed since, and apply nothing: applied migrations are a baseline', () =>
    withScratchDatabase(async (url, old) => {
      const [first] = await listMigrations();
      // The first migration as an earlier checkout applied it: one line different.
      await old.query(`create schema supabase_migrations;
        create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text);`);
      await old.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
        first!.version, first!.name, [`${await readFile(first!.path, 'utf8')}\n-- an earlier text\n`],
      ]);
      const attempt = migrate(url, { prepareSupabaseRoles: false, authenticatorPassword: localDefaults.authenticatorPassword, seed: true });
      await expect(attempt).rejects.toThrow(new RegExp(`migration ${first!.version}_${first!.name}.sql changed after the database applied it; nothing was applied`));
      await expect(attempt).rejects.toMatchObject({ remedy: expect.stringMatching(/add a new migration instead$/) });
      expect((await old.query('select count(*)::int as n from supabase_migrations.schema_migrations')).rows[0].n).toBe(1);
    }));
});

/** Runs `check` with a new, empty database of the test server (its URL and a client), dropped after. */
async function withScratchDatabase(check: (url: string, client: pg.Client) => Promise<void>): Promise<void> {
  const db = await superuser();
  const name = `migrations_scratch_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await db.query(`create database ${name}`);
  const url = new URL(stack().databaseUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await check(url.toString(), client);
  } finally {
    await client.end();
    await db.query(`drop database ${name} with (force)`);
    await db.end();
  }
}
