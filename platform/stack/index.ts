/**
 * Starts the whole local platform in order (PostgreSQL, migrations and seed, PostgREST, the
 * /rest/v1 gateway, the five workers), and stops everything it started, on success or failure.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sign } from 'hono/jwt';
import { demoCompanies } from '../demo.ts';
import { apiNames, localDefaults, type ApiName, type PlatformConfig } from './config.ts';
import { LogSink, PlatformError } from './errors.ts';
import { startGateway } from './gateway.ts';
import { migrate } from './migrate.ts';
import { acquireLock, assertPortsFree } from './preflight.ts';
import { startPostgres } from './postgres.ts';
import { startPostgrest } from './postgrest.ts';
import { waitUntil } from './process.ts';
import { startMailCatcher } from './mail-catcher.ts';
import { startStripeServer } from './stripe-server.ts';
import { startWorkers, workerConfigPath, type DeliveryBindings, type RunningWorkers, type WorkerBindings } from './workers.ts';

/** The shape of .local/stack.json, for scripts and tests. */
export interface StackInfo {
  /** Each API's own worker, and `edge`: the entry serving all five on one origin. */
  apis: Record<ApiName | 'edge', string>;
  /** `anonKey`: the publishable key the workers send as `apikey`; `legacyAnonKey`: the anon JWT, also accepted. */
  supabase: { url: string; anonKey: string; legacyAnonKey: string };
  databaseUrl: string;
  /** The local mail catcher: its web page, and the JSON list of what it caught. */
  mail: { url: string; messagesUrl: string };
  /** The publisher API's card processor, and in Stripe mode the local Stripe-compatible server. */
  payments: { processor: 'test' } | { processor: 'stripe'; apiBase: string; secretKey: string };
  demo: Record<string, Omit<(typeof demoCompanies)[string], 'name'>>;
}

export interface RunningPlatform {
  stack: StackInfo;
  config: PlatformConfig;
  /** Requests the gateway has forwarded to PostgREST. */
  roundTrips(): number;
  /**
   * Stops and starts one part alone, for the fault tests: PostgreSQL, PostgREST, the mail catcher
   * (the mail provider down), or the workers (the relay killed, whatever it was doing). A part
   * stopped this way stays stopped; PostgreSQL, PostgREST and workerd dying on their own (`crash`,
   * a SIGKILL) are restarted by the platform, as a host restarts a service.
   */
  dependencies: Record<'postgres' | 'postgrest' | 'mail' | 'workers', { stop(): Promise<void>; start(): Promise<void> }> &
    Record<'postgres' | 'postgrest' | 'workers', { crash(): Promise<void> }>;
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
  /**
   * What the workers reach a service through: given the service's URL, the URL they get instead.
   * The benchmark's simulated distance (bench/distance.ts) puts a delaying proxy there; by
   * default the workers reach each service directly.
   */
  reachThrough?: (service: 'database' | 'mail' | 'payments', url: string) => Promise<string>;
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
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
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

    const legacyAnonKey = await anonKeyFor(config.jwtSecret);
    const gateway = await startGateway(config, { publishable: localDefaults.publishableKey, legacyAnon: legacyAnonKey });
    stops.push(gateway.stop);

    progress('starting the mail catcher');
    const mail = await startMailCatcher({ host: config.host, port: config.mailPort, apiKey: localDefaults.resendApiKey });
    stops.push(mail.stop);

    let payments: StackInfo['payments'] = { processor: 'test' };
    if (config.paymentProcessor === 'stripe') {
      progress('starting the local Stripe-compatible server');
      const stripe = await startStripeServer({ host: config.host, port: config.stripePort, secretKey: localDefaults.stripeSecretKey });
      stops.push(stripe.stop);
      payments = { processor: 'stripe', apiBase: stripe.url, secretKey: stripe.secretKey };
    }

    // The workers hold the publishable key, as deployed (SUPABASE_ANON_KEY).
    const anonKey = localDefaults.publishableKey;
    const reach = options.reachThrough ?? (async (_service: string, url: string) => url);
    const database = { url: await reach('database', gateway.url), anonKey };
    const workerPayments = payments.processor === 'stripe' ? { ...payments, apiBase: await reach('payments', payments.apiBase) } : payments;
    const bindings = localWorkerBindings(config, database, workerPayments);
    const workerOptions = {
      assets: options.assets ?? true,
      stateDir: join(config.localDir, 'worker-state'),
      delivery: { bindings: localDeliveryBindings(config, database, await reach('mail', mail.apiUrl)), maxRetries: config.delivery.maxRetries },
    };
    progress('starting the workers in workerd');
    let workers: RunningWorkers | undefined = await startWorkers(config, bindings, log, workerOptions);
    stops.push(() => workers?.stop() ?? Promise.resolve());
    // Cloudflare fires the relay's cron trigger every minute; Miniflare has no scheduler, so this does.
    const sweeping = setInterval(() => void workers?.sweep().catch(() => {}), config.delivery.sweepSeconds * 1000);
    stops.push(async () => clearInterval(sweeping));
    // What was stopped on purpose stays stopped; what dies on its own is restarted (with backoff).
    const stoppedOnPurpose = new Set<'postgres' | 'postgrest' | 'workers'>();
    const supervise = (name: 'postgres' | 'postgrest' | 'workers', exited: Promise<unknown>, restart: () => Promise<void>) => {
      void exited.then(async () => {
        for (let attempt = 0; !stopping && !stoppedOnPurpose.has(name); attempt++) {
          log.write('platform', `${name} exited on its own; restarting it (attempt ${attempt + 1})\n`);
          try {
            return await restart();
          } catch (error) {
            log.write('platform', `${name} did not restart: ${(error as Error).message}\n`);
            await new Promise((done) => setTimeout(done, Math.min(30_000, 500 * 2 ** attempt)));
          }
        }
      });
    };
    const restartPostgres = async () => {
      stoppedOnPurpose.delete('postgres');
      postgres = await startPostgres(config, log);
      supervise('postgres', postgres.exited, restartPostgres);
    };
    const restartPostgrest = async () => {
      stoppedOnPurpose.delete('postgrest');
      postgrest = await startPostgrest(config, postgres.url, log);
      supervise('postgrest', postgrest.exited, restartPostgrest);
    };
    // workerd (every worker, the Durable Objects, the queues) is started anew as a whole; the
    // Durable Objects' storage and the database outlive it, a queued message may not (as deployed,
    // the outbox's lease brings one back).
    const restartWorkers = async () => {
      stoppedOnPurpose.delete('workers');
      await workers?.stop();
      workers = await startWorkers(config, bindings, log, workerOptions);
      superviseWorkers(workers);
    };
    // Only the running instance's exit counts: one stopped or replaced meanwhile is noticed late
    // (its process is polled), and must not restart its successor.
    const superviseWorkers = (instance: RunningWorkers) =>
      supervise('workers', instance.exited.then(() => (workers === instance ? undefined : new Promise(() => {}))), restartWorkers);
    supervise('postgres', postgres.exited, restartPostgres);
    supervise('postgrest', postgrest.exited, restartPostgrest);
    superviseWorkers(workers);
    const dependencies: RunningPlatform['dependencies'] = {
      postgres: {
        stop: () => (stoppedOnPurpose.add('postgres'), postgres.stop()),
        start: restartPostgres,
        crash: () => postgres.crash(),
      },
      postgrest: {
        stop: () => (stoppedOnPurpose.add('postgrest'), postgrest.stop()),
        start: restartPostgrest,
        crash: async () => void (postgrest.child.kill('SIGKILL'), await postgrest.exited),
      },
      mail: { stop: () => mail.stop(), start: () => mail.start() },
      workers: {
        stop: async () => {
          stoppedOnPurpose.add('workers');
          const stopping = workers;
          workers = undefined;
          await stopping?.stop();
        },
        start: restartWorkers,
        crash: async () => workers?.crash(),
      },
    };
    for (const api of apiNames) {
      const ready = await waitUntil(async () => (await fetch(`${workers!.urls[api]}/health`)).ok, { timeoutMs: 15_000 });
      if (ready !== 'ready') {
        throw new PlatformError(`the ${api} worker does not answer /health`, `see ${join(config.localDir, 'logs')}`);
      }
    }

    const edgeReady = await waitUntil(async () => (await fetch(`${workers!.edgeUrl}/health`)).ok, { timeoutMs: 15_000 });
    if (edgeReady !== 'ready') throw new PlatformError('the edge entry does not answer /health', `see ${join(config.localDir, 'logs')}`);

    const stack: StackInfo = {
      apis: { ...workers.urls, edge: workers.edgeUrl },
      supabase: { url: gateway.url, anonKey, legacyAnonKey },
      databaseUrl: postgres.url,
      mail: { url: mail.url, messagesUrl: mail.messagesUrl },
      payments,
      demo: Object.fromEntries(
        Object.entries(demoCompanies).map(([slug, { name: _name, ...credentials }]) => [slug, credentials]),
      ),
    };
    await writeFile(join(config.localDir, 'stack.json'), `${JSON.stringify(stack, null, 2)}\n`);
    if (options.writeDevVars) await writeDevVars(bindings, workerOptions.delivery.bindings);
    return { stack, config, roundTrips: gateway.forwarded, dependencies, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What the workers get on this machine: the platform's database, its secrets, the card processor. */
export function localWorkerBindings(
  config: PlatformConfig,
  supabase: Pick<StackInfo['supabase'], 'url' | 'anonKey'>,
  payments: StackInfo['payments'] = { processor: 'test' },
): WorkerBindings {
  return {
    ...(payments.processor === 'stripe' ? { STRIPE_SECRET_KEY: payments.secretKey, STRIPE_API_BASE: payments.apiBase } : {}),
    SUPABASE_URL: supabase.url,
    SUPABASE_ANON_KEY: supabase.anonKey,
    SUPABASE_JWT_SIGNING_KEY: JSON.stringify(config.jwtSigningKey),
    OAUTH_CONSUMER_SECRET_KEY: config.oauthConsumerSecretKey,
    CREDENTIAL_TAG_KEY: config.credentialTagKey,
    PAYMENT_PROCESSOR: payments.processor,
    RECONCILE_QUIET_SECONDS: String(config.reconcileQuietSeconds),
    LOG_REQUESTS: config.logRequests ? 'true' : 'false',
    LOCAL_DEVELOPMENT: 'true',
    ...(config.failedAuthLimit ? { FAILED_AUTH_LIMIT: config.failedAuthLimit } : {}),
  };
}

/** What the delivery worker gets on this machine: the database, the local keys, the mail catcher, the local retry schedule. */
export function localDeliveryBindings(config: PlatformConfig, supabase: Pick<StackInfo['supabase'], 'url' | 'anonKey'>, mailApiUrl: string): DeliveryBindings {
  return {
    SUPABASE_URL: supabase.url,
    SUPABASE_ANON_KEY: supabase.anonKey,
    SUPABASE_JWT_SIGNING_KEY: JSON.stringify(config.jwtSigningKey),
    WEBHOOK_SECRET_KEY: config.webhookSecretKey,
    RESEND_API_KEY: localDefaults.resendApiKey,
    RESEND_API_URL: mailApiUrl,
    RETRY_BASE_SECONDS: String(config.delivery.retryBaseSeconds),
    LEASE_SECONDS: String(config.delivery.leaseSeconds),
    WEBHOOK_TIMEOUT_MS: String(config.delivery.webhookTimeoutMs),
    LOG_REQUESTS: config.logRequests ? 'true' : 'false',
    LOCAL_DEVELOPMENT: 'true',
  };
}

/**
 * The bindings as a .dev.vars file (one NAME="value" a line; a value with double quotes, such as the
 * signing key's JSON, in single quotes, which dotenv takes literally), under a first line saying who wrote it.
 */
export function devVarsText(bindings: WorkerBindings | DeliveryBindings, writtenBy: string): string {
  const lines = Object.entries(bindings).map(([name, value]) => `${name}=${String(value).includes('"') ? `'${value}'` : JSON.stringify(value)}`);
  return `${writtenBy}\n${lines.join('\n')}\n`;
}

const devVarsMarker = '# Written by npm start for wrangler dev against the local platform.';

/**
 * Writes each worker's .dev.vars, so `wrangler dev` in that folder (or `npm run dev:edge`) reaches
 * this platform. A file npm start wrote before is brought up to date; one written by hand is left.
 */
async function writeDevVars(bindings: WorkerBindings, delivery: DeliveryBindings): Promise<void> {
  for (const worker of [...apiNames, 'delivery'] as const) {
    const path = join(dirname(workerConfigPath(worker)), '.dev.vars');
    if (existsSync(path) && !(await readFile(path, 'utf8')).startsWith(devVarsMarker)) continue;
    await writeFile(path, devVarsText(worker === 'delivery' ? delivery : bindings, devVarsMarker));
  }
}
