/** The migration runner: history kept where the Supabase CLI keeps it, and a second run changes nothing. */
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

  it('refuse a database built by migrations this checkout does not have, and apply nothing', async () => {
    const db = await superuser();
    const name = `migrations_unknown_${process.pid}`;
    await db.query(`create database ${name}`);
    const url = new URL(stack().databaseUrl);
    url.pathname = `/${name}`;
    const old = new pg.Client({ connectionString: url.toString() });
    await old.connect();
    try {
      // As the migrations before the fold left it.
      await old.query(`create schema supabase_migrations;
        create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
        insert into supabase_migrations.schema_migrations (version, name) values ('20261122000100', 'api_role_and_schemas');`);
      const attempt = migrate(url.toString(), {
        prepareSupabaseRoles: false,
        authenticatorPassword: localDefaults.authenticatorPassword,
        seed: true,
        resetRemedy: 'start from a new local database: rm -rf .local/postgres && npm start',
      });
      await expect(attempt).rejects.toThrow(/built by 1 migration\(s\) this checkout does not have \(20261122000100\); nothing was applied/);
      await expect(attempt).rejects.toMatchObject({ remedy: 'start from a new local database: rm -rf .local/postgres && npm start' });
      expect((await old.query(`select 1 from pg_namespace where nspname = 'ledger'`)).rowCount).toBe(0);
    } finally {
      await old.end();
      await db.query(`drop database ${name} with (force)`);
      await db.end();
    }
  });
});
