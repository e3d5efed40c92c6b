/** Brings a database up to date: Supabase's roles on a plain Postgres, every new migration in order, and the seed on a new database. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { PlatformError } from './errors.ts';

const projectRoot = new URL('../../', import.meta.url).pathname;
export const migrationsDir = join(projectRoot, 'supabase', 'migrations');
const seedFile = join(projectRoot, 'supabase', 'seed.sql');
const supabaseRolesFile = join(projectRoot, 'platform', 'sql', 'supabase-roles.sql');

export interface MigrationReport {
  applied: string[];
  seeded: boolean;
}

export interface MigrateOptions {
  /** Prepare Supabase's roles (true for a plain Postgres; a hosted Supabase project has them). */
  prepareSupabaseRoles: boolean;
  authenticatorPassword: string;
  /** Load supabase/seed.sql when the database had no migration applied before. */
  seed: boolean;
  /** Where the migration files are (default supabase/migrations). */
  migrationsDir?: string;
  /** How the user starts over, said when the database was built by migrations this checkout lacks. */
  resetRemedy?: string;
  onProgress?: (message: string) => void;
}

/** A migration file: `YYYYMMDDHHMMSS_<concern>.sql`, as the Supabase CLI names them. */
export interface MigrationFile {
  version: string;
  name: string;
  path: string;
}

/** The migration files in the order they apply. */
export async function listMigrations(dir = migrationsDir): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((file) => {
    const match = /^(\d{14})_(.+)\.sql$/.exec(file);
    if (!match) {
      throw new PlatformError(
        `migration file ${file} is not named YYYYMMDDHHMMSS_<name>.sql`,
        'rename it the way `supabase migration new` does',
      );
    }
    return { version: match[1]!, name: match[2]!, path: join(dir, file) };
  });
}

/** Applies what the database lacks, each migration in its own transaction, and reloads PostgREST's schema cache. */
export async function migrate(databaseUrl: string, options: MigrateOptions): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new PlatformError(
      `cannot connect to the database: ${(error as Error).message}`,
      'check DATABASE_URL, or unset it to use the embedded PostgreSQL',
    );
  }
  try {
    const hasAuthenticator = await client.query(`select 1 from pg_roles where rolname = 'authenticator'`);
    if (options.prepareSupabaseRoles || hasAuthenticator.rowCount === 0) {
      await client.query(await readFile(supabaseRolesFile, 'utf8'));
      await client.query(
        `alter role authenticator with password ${client.escapeLiteral(options.authenticatorPassword)}`,
      );
    }
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
    `);
    const history = (await client.query<{ version: string; statements: string[] | null }>('select version, statements from supabase_migrations.schema_migrations')).rows;
    const done = new Set(history.map((r) => r.version));
    const isNewDatabase = done.size === 0;
    const files = await listMigrations(options.migrationsDir);
    // A database built by migrations this checkout does not have (the schema was folded, or the
    // checkout is older) is not patched on: its history and these files no longer describe one schema.
    const known = new Set(files.map((migration) => migration.version));
    const unknown = [...done].filter((version) => !known.has(version)).sort();
    if (unknown.length > 0) {
      throw new PlatformError(
        `the database was built by ${unknown.length} migration(s) this checkout does not have (${unknown[0]}${unknown.length > 1 ? ', …' : ''}); nothing was applied`,
        options.resetRemedy ?? 'start from a new database (drop and create it), then run this again',
      );
    }
    // Applied migrations are a baseline: one whose file changed since is not applied again, and the
    // database no longer matches the files. Only the text this command applied is known whole (the
    // Supabase CLI keeps a migration split into statements), so only that is compared.
    for (const migration of files) {
      const applied = history.find((r) => r.version === migration.version)?.statements;
      if (applied?.length === 1 && applied[0] !== (await readFile(migration.path, 'utf8'))) {
        throw new PlatformError(
          `migration ${migration.version}_${migration.name}.sql changed after the database applied it; nothing was applied`,
          `${options.resetRemedy ?? 'start from a new database (drop and create it), then run this again'}; to change an applied schema, add a new migration instead`,
        );
      }
    }
    const pending = files.filter((migration) => !done.has(migration.version));
    const seeding = options.seed && isNewDatabase;
    // All pending migrations (and the seed of a new database) apply in one transaction: a failure
    // leaves the database as it was, so the next run starts from the same place, seed included.
    await client.query('begin');
    let step = '';
    try {
      for (const migration of pending) {
        step = `migration ${migration.version}_${migration.name}.sql`;
        options.onProgress?.(`applying migration ${migration.version}_${migration.name}`);
        const sql = await readFile(migration.path, 'utf8');
        await client.query(sql);
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [migration.version, migration.name, [sql]],
        );
      }
      if (seeding) {
        step = 'supabase/seed.sql';
        options.onProgress?.('loading supabase/seed.sql');
        await client.query(await readFile(seedFile, 'utf8'));
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      const e = error as pg.DatabaseError;
      const where = e.position ? ` (at character ${e.position})` : '';
      throw new PlatformError(`${step} failed: ${e.message}${where}`, `fix ${step}; nothing of this run was applied`);
    }
    const applied = pending.map((m) => `${m.version}_${m.name}`);
    const seeded = seeding;
    await client.query(`notify pgrst, 'reload schema'`);
    return { applied, seeded };
  } finally {
    await client.end().catch(() => {});
  }
}
