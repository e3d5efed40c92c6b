/** The local platform's settings: ports, paths and local-only secrets, each overridable by an environment variable. */
import { resolve } from 'node:path';
import { parseSigningKey, type SigningJwk } from '../../shared/env/index.ts';
import { publicLocalSecrets, publicLocalSigningKey } from '../../shared/env/local-defaults.ts';

/** The five APIs (shared/apis.ts, the registry): the names used in .local/stack.json, in the order they are reported. */
import type { ApiName } from '../../shared/apis.ts';

export { apiNames, type ApiName } from '../../shared/apis.ts';

/**
 * Local-only secrets, public on purpose like the Supabase CLI's own local defaults. A deployed
 * project sets its own with `wrangler secret put` and never uses these.
 */
export const localDefaults = {
  ...publicLocalSecrets,
  authenticatorPassword: 'local-authenticator-password',
  /** The local project's publishable key (public, as publishable keys are everywhere). */
  publishableKey: 'sb_publishable_local-purchases-platform',
  postgresPassword: 'postgres',
} as const;

export interface PlatformConfig {
  /** Folder for the database files, logs, builds and stack.json. */
  localDir: string;
  /** An existing Postgres to use instead of the embedded one. */
  databaseUrl: string | undefined;
  postgresPort: number;
  postgrestPort: number;
  /** The Supabase-style API gateway (serves /rest/v1). */
  gatewayPort: number;
  workerPorts: Record<ApiName, number>;
  /** The edge entry (all five APIs on one origin, as deployed behind the top-level wrangler.toml). */
  edgePort: number;
  jwtSecret: string;
  /** The workers' signing key (ES256); PostgREST's key set holds its public half. */
  jwtSigningKey: SigningJwk;
  oauthConsumerSecretKey: string;
  /** Base64 key of the tags on issued credentials (the workers check them, the admin CLI makes them). */
  credentialTagKey: string;
  authenticatorPassword: string;
  /** Host every service binds to and every URL names. */
  host: string;
  /** Whether the workers log every request (LOG_REQUESTS, default true) or only failures. */
  logRequests: boolean;
  /** Failed authentications per client IP the workers allow, `requests/seconds` (undefined: wrangler.toml's). */
  failedAuthLimit: string | undefined;
  /** The local mail catcher (Resend's API, a web page and JSON of what it caught). */
  mailPort: number;
  /** The publisher API's card processor: the built-in test processor, or Stripe (the local Stripe-compatible server). */
  paymentProcessor: 'test' | 'stripe';
  stripePort: number;
  /** Seconds a card charge attempt is left alone before reconciliation settles it (deployed: 300). */
  reconcileQuietSeconds: number;
  webhookSecretKey: string;
  /** How the relay retries locally: sooner than deployed, so a recovery can be watched. */
  delivery: {
    /** The first retry's delay; then doubling. */
    retryBaseSeconds: number;
    /** Attempts after the first before a message is dead-lettered (the queue's max_retries). */
    maxRetries: number;
    /** How long a leased message may go unsettled past its next attempt before the sweep takes it back. */
    leaseSeconds: number;
    /** How often the sweep (and charge reconciliation) runs (Cloudflare runs them by cron, every minute). */
    sweepSeconds: number;
    webhookTimeoutMs: number;
  };
}

/** Every environment variable the platform reads, with its default, for --help and docs/local-platform.md. */
export const environmentVariables: Array<[name: string, fallback: string, meaning: string]> = [
  ['LOCAL_DIR', '.local', 'folder for database files, logs, worker builds and stack.json'],
  ['DATABASE_URL', '(embedded PostgreSQL)', 'use this Postgres instead of starting one'],
  ['POSTGRES_PORT', '54322', 'port of the embedded PostgreSQL'],
  ['POSTGREST_PORT', '54323', 'port of PostgREST (behind the gateway)'],
  ['GATEWAY_PORT', '54321', 'port of the Supabase URL (serves /rest/v1)'],
  ['EDGE_PORT', '8786', 'port of the edge entry (the five APIs on one origin)'],
  ['LUMEN_PORT', '8787', 'port of the Lumen partner purchases worker'],
  ['OPERATIONS_PORT', '8788', 'port of the operations worker'],
  ['DPD_PORT', '8789', 'port of the DPD purchases worker'],
  ['KIT_PORT', '8790', 'port of the Kit purchases worker'],
  ['GROUPCOMMERCE_PORT', '8791', 'port of the Group Commerce publisher order worker'],
  ['SUPABASE_JWT_SIGNING_KEY', '(local default)', 'private EC P-256 JWK (with its kid) the workers sign database tokens with (ES256); its public half is in PostgREST\'s key set'],
  ['SUPABASE_JWT_SECRET', '(local default)', 'the legacy HS256 secret, also in PostgREST\'s key set (it signs the anon key)'],
  ['OAUTH_CONSUMER_SECRET_KEY', '(local default)', 'base64 AES-256 key sealing OAuth consumer secrets'],
  ['CREDENTIAL_TAG_KEY', '(local default)', 'base64 key tagging issued credentials, so made-up ones are refused without a lookup'],
  ['AUTHENTICATOR_PASSWORD', '(local default)', 'password PostgREST logs in with as authenticator'],
  ['LOG_REQUESTS', 'true', 'false: the workers log failed requests only, as deployed'],
  ['FAILED_AUTH_LIMIT', '30/60', 'failed authentications per client IP, requests/seconds'],
  ['MAIL_PORT', '54324', 'port of the local mail catcher (web page, JSON, Resend API)'],
  ['PAYMENT_PROCESSOR', 'test', 'card processor of the publisher API: test, or stripe (a local Stripe-compatible server)'],
  ['STRIPE_PORT', '54325', 'port of the local Stripe-compatible server (PAYMENT_PROCESSOR=stripe)'],
  ['RECONCILE_QUIET_SECONDS', '30', 'how long a card charge whose outcome is unknown waits before reconciliation settles it (placed or refunded)'],
  ['WEBHOOK_SECRET_KEY', '(local default)', 'base64 AES-256 key sealing webhook signing secrets'],
  ['RETRY_BASE_SECONDS', '5', 'first retry of a failed email or webhook, doubling after'],
  ['DELIVERY_MAX_RETRIES', '12', 'retries before a message is dead-lettered'],
  ['LEASE_SECONDS', '20', 'how long an unsettled message stays with the relay before the sweep takes it back'],
  ['SWEEP_SECONDS', '5', 'how often the relay sweeps the outbox and charges are reconciled'],
  ['WEBHOOK_TIMEOUT_MS', '10000', 'how long a webhook receiver has to answer'],
];

function processorOf(raw: string | undefined): PlatformConfig['paymentProcessor'] {
  if (raw === undefined || raw === '' || raw === 'test') return 'test';
  if (raw === 'stripe') return 'stripe';
  throw new Error(`PAYMENT_PROCESSOR=${raw} is not a processor the local platform runs (test or stripe)`);
}

/** Reads the platform's settings from the environment, with the documented defaults. */
function signingKeyFrom(text: string | undefined): SigningJwk {
  if (!text) return publicLocalSigningKey as SigningJwk;
  const key = parseSigningKey(text);
  if (!key) throw new Error('SUPABASE_JWT_SIGNING_KEY must be a private EC P-256 JWK with its kid (npm run keys writes one)');
  return key;
}

export function readPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`${name}=${raw} is not a port number (1-65535)`);
    }
    return value;
  };
  const count = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw} is not a whole number of at least 1`);
    return value;
  };
  return {
    localDir: resolve(env.LOCAL_DIR || '.local'),
    databaseUrl: env.DATABASE_URL || undefined,
    postgresPort: port('POSTGRES_PORT', 54322),
    postgrestPort: port('POSTGREST_PORT', 54323),
    gatewayPort: port('GATEWAY_PORT', 54321),
    edgePort: port('EDGE_PORT', 8786),
    workerPorts: {
      lumen: port('LUMEN_PORT', 8787),
      operations: port('OPERATIONS_PORT', 8788),
      dpd: port('DPD_PORT', 8789),
      kit: port('KIT_PORT', 8790),
      groupcommerce: port('GROUPCOMMERCE_PORT', 8791),
    },
    jwtSecret: env.SUPABASE_JWT_SECRET || localDefaults.jwtSecret,
    jwtSigningKey: signingKeyFrom(env.SUPABASE_JWT_SIGNING_KEY),
    oauthConsumerSecretKey: env.OAUTH_CONSUMER_SECRET_KEY || localDefaults.oauthConsumerSecretKey,
    credentialTagKey: env.CREDENTIAL_TAG_KEY || localDefaults.credentialTagKey,
    authenticatorPassword: env.AUTHENTICATOR_PASSWORD || localDefaults.authenticatorPassword,
    host: '127.0.0.1',
    logRequests: env.LOG_REQUESTS !== 'false',
    failedAuthLimit: env.FAILED_AUTH_LIMIT || undefined,
    mailPort: port('MAIL_PORT', 54324),
    paymentProcessor: processorOf(env.PAYMENT_PROCESSOR),
    stripePort: port('STRIPE_PORT', 54325),
    reconcileQuietSeconds: count('RECONCILE_QUIET_SECONDS', 30),
    webhookSecretKey: env.WEBHOOK_SECRET_KEY || localDefaults.webhookSecretKey,
    delivery: {
      retryBaseSeconds: count('RETRY_BASE_SECONDS', 5),
      maxRetries: count('DELIVERY_MAX_RETRIES', 12),
      leaseSeconds: count('LEASE_SECONDS', 20),
      sweepSeconds: count('SWEEP_SECONDS', 5),
      webhookTimeoutMs: count('WEBHOOK_TIMEOUT_MS', 10_000),
    },
  };
}
