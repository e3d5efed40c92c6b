/**
 * Starts the whole local platform in order (PostgreSQL, migrations and seed, PostgREST, the
 * /rest/v1 gateway, the five workers), and stops everything it started, on success or failure.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sign } from 'hono/jwt';
import { demoCompanies } from '../demo.ts';
import { apiNames, type ApiName, type PlatformConfig } from './config.ts';
import { LogSink, PlatformError } from './errors.ts';
import { startGateway } from './gateway.ts';
import { migrate } from './migrate.ts';
import { acquireLock, assertPortsFree } from './preflight.ts';
import { startPostgres } from './postgres.ts';
import { startPostgrest } from './postgrest.ts';
import { waitUntil } from './process.ts';
import { startWorkers, workerConfigPath, type WorkerBindings } from './workers.ts';

/** The shape of .local/stack.json, for scripts and tests. */
export interface StackInfo {
  /** Each API's own worker, and `edge`: the entry serving all five on one origin. */
  apis: Record<ApiName | 'edge', string>;
  supabase: { url: string; anonKey: string };
  databaseUrl: string;
  demo: Record<string, Omit<(typeof demoCompanies)[string], 'name'>>;
}

export interface RunningPlatform {
  stack: StackInfo;
  config: PlatformConfig;
  /** Requests the gateway has forwarded to PostgREST. */
  roundTrips(): number;
  /** Stops and starts PostgreSQL or PostgREST alone, for the fault tests. */
  dependencies: Record<'postgres' | 'postgrest', { stop(): Promise<void>; start(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  log: LogSink;
  onProgress?: (message: string) => void;
  /** Write functions/<api>/.dev.vars (only where absent) so `wrangler dev` finds the platform. */
  writeDevVars?: boolean;
  /** Serve the workers' static assets (the /docs pages) through Miniflare's asset router (default true). */
  assets?: boolean;
  /**
   * Load supabase/seed.sql (the demo companies and their public credentials). Always on the
   * embedded database; on DATABASE_URL only when asked (`npm start -- --seed`), so a real
   * database never gets credentials published in this repository.
   */
  seedDatabaseUrl?: boolean;
}

/** Supabase's local anon key has these claims; signed with the local secret it is the same well-known key. */
export function anonKeyFor(jwtSecret: string): Promise<string> {
  return sign({ iss: 'supabase-demo', role: 'anon', exp: 1983812996 }, jwtSecret, 'HS256');
}

export async function startPlatform(config: PlatformConfig, options: StartOptions): Promise<RunningPlatform> {
  const { log } = options;
  const progress = options.onProgress ?? (() => {});
  await mkdir(config.localDir, { recursive: true });
  const releaseLock = await acquireLock(config.localDir);
  const stops: Array<() => Promise<void>> = [releaseLock];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    await assertPortsFree(config);

    progress(config.databaseUrl ? 'connecting to DATABASE_URL' : 'starting PostgreSQL');
    let postgres = await startPostgres(config, log);
    stops.push(() => postgres.stop());

    const report = await migrate(postgres.url, {
      prepareSupabaseRoles: postgres.embedded,
      authenticatorPassword: config.authenticatorPassword,
      seed: postgres.embedded || options.seedDatabaseUrl === true,
      onProgress: progress,
      resetRemedy: postgres.embedded
        ? `start from a new local database: rm -rf ${join(config.localDir, 'postgres')} && npm start`
        : 'start from a new database: drop and create the one DATABASE_URL names, then npm start',
    });
    if (report.applied.length === 0) progress('database schema is up to date');

    progress('starting PostgREST');
    let postgrest = await startPostgrest(config, postgres.url, log);
    stops.push(() => postgrest.stop());
    const dependencies: RunningPlatform['dependencies'] = {
      postgres: { stop: () => postgres.stop(), start: async () => void (postgres = await startPostgres(config, log)) },
      postgrest: { stop: () => postgrest.stop(), start: async () => void (postgrest = await startPostgrest(config, postgres.url, log)) },
    };

    const gateway = await startGateway(config);
    stops.push(gateway.stop);

    const anonKey = await anonKeyFor(config.jwtSecret);
    const bindings = localWorkerBindings(config, { url: gateway.url, anonKey });
    progress('starting the workers in workerd');
    const workers = await startWorkers(config, bindings, log, { assets: options.assets ?? true, stateDir: join(config.localDir, 'worker-state') });
    stops.push(workers.stop);
    for (const api of apiNames) {
      const ready = await waitUntil(async () => (await fetch(`${workers.urls[api]}/health`)).ok, { timeoutMs: 15_000 });
      if (ready !== 'ready') {
        throw new PlatformError(`the ${api} worker does not answer /health`, `see ${join(config.localDir, 'logs')}`);
      }
    }

    const edgeReady = await waitUntil(async () => (await fetch(`${workers.edgeUrl}/health`)).ok, { timeoutMs: 15_000 });
    if (edgeReady !== 'ready') throw new PlatformError('the edge entry does not answer /health', `see ${join(config.localDir, 'logs')}`);

    const stack: StackInfo = {
      apis: { ...workers.urls, edge: workers.edgeUrl },
      supabase: { url: gateway.url, anonKey },
      databaseUrl: postgres.url,
      demo: Object.fromEntries(
        Object.entries(demoCompanies).map(([slug, { name: _name, ...credentials }]) => [slug, credentials]),
      ),
    };
    await writeFile(join(config.localDir, 'stack.json'), `${JSON.stringify(stack, null, 2)}\n`);
    if (options.writeDevVars) await writeDevVars(bindings);
    return { stack, config, roundTrips: gateway.forwarded, dependencies, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What the workers get on this machine: the platform's database, its secrets, the test processor. */
export function localWorkerBindings(config: PlatformConfig, supabase: StackInfo['supabase']): WorkerBindings {
  return {
    SUPABASE_URL: supabase.url,
    SUPABASE_ANON_KEY: supabase.anonKey,
    SUPABASE_JWT_SECRET: config.jwtSecret,
    OAUTH_CONSUMER_SECRET_KEY: config.oauthConsumerSecretKey,
    PAYMENT_PROCESSOR: 'test',
    LOG_REQUESTS: config.logRequests ? 'true' : 'false',
    LOCAL_DEVELOPMENT: 'true',
    ...(config.failedAuthLimit ? { FAILED_AUTH_LIMIT: config.failedAuthLimit } : {}),
  };
}

/** The bindings as a .dev.vars file (one NAME="value" a line), under a first line saying who wrote it. */
export function devVarsText(bindings: WorkerBindings, writtenBy: string): string {
  const lines = Object.entries(bindings).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${writtenBy}\n${lines.join('\n')}\n`;
}

const devVarsMarker = '# Written by npm start for wrangler dev against the local platform.';

/**
 * Writes each worker's .dev.vars, so `wrangler dev` in that folder (or `npm run dev:edge`) reaches
 * this platform. A file npm start wrote before is brought up to date; one written by hand is left.
 */
async function writeDevVars(bindings: WorkerBindings): Promise<void> {
  for (const api of apiNames) {
    const path = join(dirname(workerConfigPath(api)), '.dev.vars');
    if (existsSync(path) && !(await readFile(path, 'utf8')).startsWith(devVarsMarker)) continue;
    await writeFile(path, devVarsText(bindings, devVarsMarker));
  }
}
