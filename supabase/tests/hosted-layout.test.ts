/**
 * The migrations and the seed on a database laid out as a hosted Supabase project's: the role that
 * applies them (as `supabase db push` and `npm run deploy` do) is not a superuser, but may create
 * roles and bypass RLS, and owns the database; the API roles exist already.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { localDefaults } from '../../platform/stack/config.ts';
import { listMigrations, migrate } from '../../platform/stack/migrate.ts';
import { stack, superuser } from '../../test/helpers.ts';

describe('a hosted Supabase role layout', () => {
  it('takes every migration and the seed from a role without superuser (CREATEROLE, BYPASSRLS)', async () => {
    const admin = await superuser();
    const role = `hosted_owner_${process.pid}`;
    const name = `hosted_layout_${process.pid}`;
    try {
      await admin.query(`create role ${role} login password 'hosted' createrole bypassrls nosuperuser`);
      // Hosted Supabase lets its postgres role administer the API roles of the project. Roles are
      // the cluster's, and this cluster's purchases_api, purchases_relay and purchases_reconciler exist already (the test platform made
      // it); on a new project the migration creates it, and its creator holds it with admin option.
      await admin.query(`grant anon, authenticated, service_role, authenticator, purchases_api, purchases_relay, purchases_reconciler to ${role} with admin option`);
      await admin.query(`create database ${name} owner ${role}`);
      const url = new URL(stack().databaseUrl);
      url.username = role;
      url.password = 'hosted';
      url.pathname = `/${name}`;
      const report = await migrate(url.toString(), { prepareSupabaseRoles: false, authenticatorPassword: localDefaults.authenticatorPassword, seed: true });
      expect(report.applied).toEqual((await listMigrations()).map((m) => `${m.version}_${m.name}`));
      expect(report.seeded).toBe(true);
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const { rows } = await db.query(`select rolsuper from pg_roles where rolname = current_user`);
        expect(rows[0].rolsuper).toBe(false);
        expect((await db.query('select count(*)::int as n from ledger.companies')).rows[0].n).toBe(2);
      } finally {
        await db.end();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop owned by ${role} cascade`).catch(() => {});
      await admin.query(`drop role if exists ${role}`).catch(() => {});
      await admin.end();
    }
  }, 120_000);
});
