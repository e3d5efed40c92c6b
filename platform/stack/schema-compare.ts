/**
 * Builds a database from a set of migration files and describes its schema; compares two sets.
 * The sets come from git (any revision) or the working tree, so a change to the migrations (a fold
 * above all) can be proven to build the same schema as what it replaces.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { localDefaults } from './config.ts';
import { migrate, migrationsDir } from './migrate.ts';
import { describeSchema, schemaDifferences } from './schema-description.ts';

const git = async (...args: string[]) => (await promisify(execFile)('git', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;

/** `worktree`, or a git revision whose supabase/migrations is meant. */
export type MigrationSource = 'worktree' | { revision: string };

/** A folder holding the source's migration files (a temporary one for a revision), and how to let it go. */
async function materialise(source: MigrationSource): Promise<{ dir: string; release: () => Promise<void> }> {
  if (source === 'worktree') return { dir: migrationsDir, release: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  const paths = (await git('ls-tree', '--name-only', `${source.revision}:supabase/migrations/`)).split('\n').filter((p) => p.endsWith('.sql'));
  for (const path of paths) await writeFile(join(dir, basename(path)), await git('show', `${source.revision}:supabase/migrations/${path}`));
  return { dir, release: () => rm(dir, { recursive: true, force: true }) };
}

/** The URL of another database on the server of `serverUrl`. */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates a database on the server (a superuser's URL; Supabase's roles must exist there), applies
 * the source's migrations (no seed), describes the schema, and drops the database again.
 */
export async function describeMigrations(serverUrl: string, source: MigrationSource): Promise<string[]> {
  const name = `schema_compare_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const files = await materialise(source);
  try {
    await admin.query(`create database ${name}`);
    await migrate(databaseUrl(serverUrl, name), {
      prepareSupabaseRoles: false,
      authenticatorPassword: localDefaults.authenticatorPassword,
      seed: false,
      migrationsDir: files.dir,
    });
    const client = new pg.Client({ connectionString: databaseUrl(serverUrl, name) });
    await client.connect();
    try {
      return await describeSchema(client);
    } finally {
      await client.end();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
    await files.release();
  }
}

/** The lines that differ between the schemas the two sources build (`-` only in `from`, `+` only in `to`). */
export async function compareMigrations(serverUrl: string, from: MigrationSource, to: MigrationSource): Promise<{ lines: number; differences: string[] }> {
  const before = await describeMigrations(serverUrl, from);
  const after = await describeMigrations(serverUrl, to);
  return { lines: after.length, differences: schemaDifferences(before, after) };
}
