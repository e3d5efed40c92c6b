/** The bindings every worker receives (wrangler.toml vars, `wrangler secret put` secrets, `.dev.vars` locally). */

import type { RateLimitedEnv } from '../rate-limit/window.ts';
import { publicLocalSecrets, publicLocalSigningKeyD } from './local-defaults.ts';

/** What a nudge of the outbox queue says: only when it was sent (the relay reads the messages from the database). */
export interface OutboxNudge {
  at: number;
}

/** The producer binding of the outbox queue (a Cloudflare Queue), as the workers use it (shared/app/outbox.ts sends). */
export interface OutboxQueue {
  send(body: OutboxNudge): Promise<unknown>;
}

export interface WorkerEnv extends RateLimitedEnv {
  /** The Supabase project URL (the local platform's gateway in development). */
  SUPABASE_URL: string;
  /** The project's anon (publishable) key; PostgREST needs an apikey on every call. */
  SUPABASE_ANON_KEY: string;
  /**
   * The private JWK (EC P-256, ES256, with its `kid`) the workers sign their short-lived database
   * tokens with: the key imported as one of the Supabase project's JWT signing keys, whose public
   * half the project publishes to PostgREST.
   */
  SUPABASE_JWT_SIGNING_KEY?: string;
  /** The fallback when no signing key is set: the project's legacy JWT secret (HS256). */
  SUPABASE_JWT_SECRET?: string;
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
  /** The signing key (ES256, its `kid` sent with each token), or the legacy HS256 secret. */
  signingKey: SigningKey;
  timeoutMs: number;
}

/** An EC P-256 private JWK with its key id, as Supabase's asymmetric JWT signing keys are. */
export interface SigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
}
export type SigningKey = SigningJwk | string;

/** The signing key in SUPABASE_JWT_SIGNING_KEY, or null when it is not an EC P-256 private JWK with a kid. */
export function parseSigningKey(text: string): SigningJwk | null {
  try {
    const key = JSON.parse(text) as SigningJwk;
    return key.kty === 'EC' && key.crv === 'P-256' && key.x && key.y && key.d && key.kid ? { ...key, alg: 'ES256' } : null;
  } catch {
    return null;
  }
}

/**
 * The secrets that hold a public local default (shared/env/local-defaults.ts) outside local
 * development: a worker deployed with one of them must not serve.
 */
export function publicSecretsIn(env: Partial<WorkerEnv> & { WEBHOOK_SECRET_KEY?: string }): string[] {
  if (env.LOCAL_DEVELOPMENT === 'true') return [];
  const found: string[] = [];
  if (env.SUPABASE_JWT_SECRET === publicLocalSecrets.jwtSecret) found.push('SUPABASE_JWT_SECRET');
  if (env.SUPABASE_JWT_SIGNING_KEY?.includes(publicLocalSigningKeyD)) found.push('SUPABASE_JWT_SIGNING_KEY');
  if (env.OAUTH_CONSUMER_SECRET_KEY === publicLocalSecrets.oauthConsumerSecretKey) found.push('OAUTH_CONSUMER_SECRET_KEY');
  if (env.WEBHOOK_SECRET_KEY === publicLocalSecrets.webhookSecretKey) found.push('WEBHOOK_SECRET_KEY');
  if (env.CREDENTIAL_TAG_KEY === publicLocalSecrets.credentialTagKey) found.push('CREDENTIAL_TAG_KEY');
  return found;
}

/** Reads the database settings, or returns what is missing or unsafe so the caller can answer 503 and log it. */
export function readDatabaseSettings(env: Partial<WorkerEnv> & { WEBHOOK_SECRET_KEY?: string }): DatabaseSettings | { missing: string[] } | { publicSecrets: string[] } {
  const signingKey = env.SUPABASE_JWT_SIGNING_KEY ? parseSigningKey(env.SUPABASE_JWT_SIGNING_KEY) : env.SUPABASE_JWT_SECRET;
  const missing: string[] = (['SUPABASE_URL', 'SUPABASE_ANON_KEY'] as const).filter((name) => !env[name]);
  // A signing key that is not one is named as missing: the log says which binding to fix.
  if (!signingKey) missing.push('SUPABASE_JWT_SIGNING_KEY');
  if (missing.length > 0 || !signingKey) return { missing };
  const publicSecrets = publicSecretsIn(env);
  if (publicSecrets.length > 0) return { publicSecrets };
  const timeout = Number(env.DB_TIMEOUT_MS);
  return {
    url: env.SUPABASE_URL!.replace(/\/+$/, ''),
    anonKey: env.SUPABASE_ANON_KEY!,
    signingKey,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 5000,
  };
}
