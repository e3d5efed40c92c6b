/** The migration runner: history kept where the Supabase CLI keeps it, and a second run changes nothing. */
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
});
