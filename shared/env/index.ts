/** The bindings every worker receives (wrangler.toml vars, `wrangler secret put` secrets, `.dev.vars` locally). */

import type { OutboxQueue } from '../app/outbox.ts';
import type { RateLimitedEnv } from '../rate-limit/window.ts';
import { publicLocalSecrets } from './local-defaults.ts';

export interface WorkerEnv extends RateLimitedEnv {
  /** The Supabase project URL (the local platform's gateway in development). */
  SUPABASE_URL: string;
  /** The project's anon (publishable) key; PostgREST needs an apikey on every call. */
  SUPABASE_ANON_KEY: string;
  /**
   * The shared secret (HS256) the workers sign their short-lived database tokens with: the
   * project's legacy JWT secret, or a dedicated shared-secret signing key imported in Supabase.
   */
  SUPABASE_JWT_SECRET: string;
  /** The key id Supabase gave that imported signing key: sent as the tokens' `kid`. Empty for the legacy secret. */
  SUPABASE_JWT_KEY_ID?: string;
  /** Milliseconds a database call may take before the request is answered 503 (default 5000). */
  DB_TIMEOUT_MS?: string;
  /** Base64 AES-256 key that opens OAuth consumer secrets (publisher order worker only). */
  OAUTH_CONSUMER_SECRET_KEY?: string;
  /** "true" logs every request as a JSON line; otherwise only failed ones (5xx) are logged. */
  LOG_REQUESTS?: string;
  /** "true" only on this machine (npm start, wrangler dev's .dev.vars): the public local secrets are accepted. */
  LOCAL_DEVELOPMENT?: string;
  /**
   * Origins besides the one a request is addressed to whose pages may send changes (comma-separated,
   * e.g. "https://api.example.com" behind a proxy); a change from any other origin is refused 403.
   */
  PUBLIC_ORIGINS?: string;
  /** The outbox queue's producer: a request that wrote an email or webhook nudges the relay through it. */
  OUTBOX?: OutboxQueue;
}

export interface DatabaseSettings {
  url: string;
  anonKey: string;
  jwtSecret: string;
  /** The signing key's id (`kid`), when the secret is a Supabase signing key rather than the legacy secret. */
  jwtKeyId?: string;
  timeoutMs: number;
  /** The request's id, sent on to PostgREST so a database call can be traced to its request. */
  requestId?: string;
  /** Called when the database says the request wrote an email or webhook for the relay (`held`: mail over the company's quota). */
  onOutbox?: (held: boolean) => void;
}

/**
 * The secrets that hold a public local default (shared/env/local-defaults.ts) outside local
 * development: a worker deployed with one of them must not serve.
 */
export function publicSecretsIn(env: Partial<WorkerEnv> & { WEBHOOK_SECRET_KEY?: string }): string[] {
  if (env.LOCAL_DEVELOPMENT === 'true') return [];
  const found: string[] = [];
  if (env.SUPABASE_JWT_SECRET === publicLocalSecrets.jwtSecret) found.push('SUPABASE_JWT_SECRET');
  if (env.OAUTH_CONSUMER_SECRET_KEY === publicLocalSecrets.oauthConsumerSecretKey) found.push('OAUTH_CONSUMER_SECRET_KEY');
  if (env.WEBHOOK_SECRET_KEY === publicLocalSecrets.webhookSecretKey) found.push('WEBHOOK_SECRET_KEY');
  if (env.CREDENTIAL_TAG_KEY === publicLocalSecrets.credentialTagKey) found.push('CREDENTIAL_TAG_KEY');
  return found;
}

/** Reads the database settings, or returns what is missing or unsafe so the caller can answer 503 and log it. */
export function readDatabaseSettings(env: Partial<WorkerEnv> & { WEBHOOK_SECRET_KEY?: string }): DatabaseSettings | { missing: string[] } | { publicSecrets: string[] } {
  const missing = (['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_JWT_SECRET'] as const).filter((name) => !env[name]);
  if (missing.length > 0) return { missing };
  const publicSecrets = publicSecretsIn(env);
  if (publicSecrets.length > 0) return { publicSecrets };
  const timeout = Number(env.DB_TIMEOUT_MS);
  return {
    url: env.SUPABASE_URL!.replace(/\/+$/, ''),
    anonKey: env.SUPABASE_ANON_KEY!,
    jwtSecret: env.SUPABASE_JWT_SECRET!,
    ...(env.SUPABASE_JWT_KEY_ID ? { jwtKeyId: env.SUPABASE_JWT_KEY_ID } : {}),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 5000,
  };
}
