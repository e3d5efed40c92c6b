/**
 * The five workers, the edge entry and the delivery worker as production runs them: each bundled
 * from its wrangler config's `main` and served by workerd (through Miniflare, without `wrangler
 * dev`'s proxy), in one workerd process so the entry reaches the workers over real service
 * bindings and the queues join producers to their consumer. The entry answers on the edge port,
 * each API worker also on its own port. Miniflare has no cron scheduler: the platform fires the
 * delivery and publisher workers' scheduled handlers itself ({@link RunningWorkers.sweep}).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { parse as parseToml } from 'smol-toml';
import { apiNames, type ApiName, type PlatformConfig } from './config.ts';
import { PlatformError, type LogSink } from './errors.ts';
import { buildDocsAssets } from '../docs-assets.ts';

const projectRoot = new URL('../../', import.meta.url).pathname;

/** The parts of a worker's wrangler.toml the local platform honours. */
export interface WorkerConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
  durable_objects?: { bindings?: Array<{ name: string; class_name: string }> };
  /** Service bindings (the edge entry's, to the five workers). */
  services?: Array<{ binding: string; service: string }>;
  /** Static assets served before the worker (the API reference page's files), relative to the config. */
  assets?: { directory: string };
  queues?: {
    producers?: Array<{ binding: string; queue: string }>;
    consumers?: Array<{ queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }>;
  };
  triggers?: { crons?: string[] };
  ratelimits?: Array<{ name: string; namespace_id: string; simple: { limit: number; period?: 10 | 60 } }>;
}

/** The workers this module starts: the five APIs, the edge entry and the delivery worker (the relay). */
export type WorkerName = ApiName | 'edge' | 'delivery';

export function workerConfigPath(worker: WorkerName): string {
  return worker === 'edge' ? join(projectRoot, 'wrangler.toml') : join(projectRoot, 'functions', worker, 'wrangler.toml');
}

export async function readWorkerConfig(worker: WorkerName): Promise<WorkerConfig> {
  const path = workerConfigPath(worker);
  const config = parseToml(await readFile(path, 'utf8')) as unknown as WorkerConfig;
  if (!config.main || !config.compatibility_date) {
    throw new PlatformError(`${path} lacks main or compatibility_date`, 'restore the worker config');
  }
  return config;
}

/** Bundles a worker the way wrangler does (ES module, workerd conditions, minified). */
export async function bundleWorker(api: WorkerName, outDir: string): Promise<string> {
  const config = await readWorkerConfig(api);
  const outfile = join(outDir, api, 'index.js');
  try {
    await build({
      entryPoints: [join(dirname(workerConfigPath(api)), config.main)],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2024',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      external: ['node:*', 'cloudflare:*'],
      minify: true,
      logLevel: 'silent',
    });
  } catch (error) {
    throw new PlatformError(`the ${api} worker does not build: ${(error as Error).message.split('\n')[0]}`, 'run npm run typecheck');
  }
  return outfile;
}

/** The secrets and variables a worker gets: its own vars, then what `.dev.vars` would hold. */
export interface WorkerBindings {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  /** The signing key as JSON (the workers sign ES256 with it, as deployed). */
  SUPABASE_JWT_SIGNING_KEY: string;
  OAUTH_CONSUMER_SECRET_KEY: string;
  CREDENTIAL_TAG_KEY: string;
  /** The publisher API's card processor: the built-in test processor, or Stripe at the local server. */
  PAYMENT_PROCESSOR: 'test' | 'stripe';
  STRIPE_SECRET_KEY?: string;
  STRIPE_API_BASE?: string;
  /** Seconds a charge attempt is left alone before the publisher worker's cron reconciles it. */
  RECONCILE_QUIET_SECONDS: string;
  /** "true": every request logged (the default locally); "false": failures only, as deployed. */
  LOG_REQUESTS: 'true' | 'false';
  /** Marks this machine: the workers accept the public local secrets only when it is "true". */
  LOCAL_DEVELOPMENT: 'true';
  /** Failed authentications per client IP, `requests/seconds` (absent: the wrangler.toml value). */
  FAILED_AUTH_LIMIT?: string;
  /** Failing clients an isolate counts at once (absent: the default, 1000). */
  FAILED_AUTH_CLIENTS?: string;
  /** Where new limiter objects are created (as npm run deploy sets it from the database's region; absent locally). */
  RATE_LIMIT_LOCATION_HINT?: string;
}

/** What the delivery worker gets on this machine besides its wrangler.toml vars. */
export interface DeliveryBindings {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_JWT_SIGNING_KEY: string;
  WEBHOOK_SECRET_KEY: string;
  RESEND_API_KEY: string;
  /** The local mail catcher. */
  RESEND_API_URL: string;
  RETRY_BASE_SECONDS: string;
  LEASE_SECONDS: string;
  WEBHOOK_TIMEOUT_MS: string;
  LOG_REQUESTS: 'true' | 'false';
  LOCAL_DEVELOPMENT: 'true';
}

export interface RunningWorkers {
  urls: Record<ApiName, string>;
  /** The edge entry: every API on one origin. */
  edgeUrl: string;
  /**
   * Settles when the workerd process serving them is gone (found as this process's new workerd
   * child, through /proc; never where there is none).
   */
  exited: Promise<void>;
  /** Kills workerd (SIGKILL, as a crash); resolves when it is gone. */
  crash(): Promise<void>;
  /** Fires the workers' cron triggers once (what Cloudflare does every minute): the relay's sweep and charge reconciliation. */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /**
   * Serve each worker's static assets (the /docs page's files) as wrangler dev does: through
   * Miniflare's asset router, a JavaScript worker in front of the API worker that costs about a
   * millisecond of CPU on every request. Deployed, Cloudflare serves assets outside the worker, so
   * the benchmark runs without it.
   */
  assets: boolean;
  /**
   * Where the workers' Durable Objects (the rate limiters) keep their storage (do/<worker>-<class>/,
   * one SQLite file per object), so counts and limits outlive a restart as they outlive an eviction
   * deployed. Absent: in memory, gone when the workers stop.
   */
  stateDir?: string;
  /**
   * Run the delivery worker with these bindings, consuming the queues the API workers nudge, with
   * its deliveries queue retried `maxRetries` times. Absent: the API workers' nudges wait unread.
   */
  delivery?: { bindings: DeliveryBindings; maxRetries: number };
}

/** The pids of this process's workerd children (Miniflare runs one per instance), from /proc; [] without it. */
async function workerdChildren(): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (comm === 'workerd' && ppid === process.pid) found.push(Number(entry));
  }
  return found;
}

/** Settles once `pid` no longer exists (a reaped child, or one that died). */
function goneAt(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      try {
        process.kill(pid, 0);
        // A zombie still answers signal 0 until Node reaps it; its state says it is dead.
        void readFile(`/proc/${pid}/stat`, 'utf8').then(
          (stat) => stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') && (clearInterval(check), resolve()),
          () => (clearInterval(check), resolve()),
        );
      } catch {
        clearInterval(check);
        resolve();
      }
    }, 250);
    check.unref();
  });
}

/** The service a worker's structured log line came from (its logger names it), for its log file. */
function serviceOfLogLine(message: string): string {
  return /"service":"([a-z]+)"/.exec(message)?.[1] ?? 'edge';
}

export async function startWorkers(
  config: PlatformConfig,
  bindings: WorkerBindings,
  log: LogSink,
  options: WorkerOptions = { assets: true },
): Promise<RunningWorkers> {
  const buildDir = join(config.localDir, 'build');
  let mf: Miniflare | undefined;
  const stop = async () => {
    await mf?.dispose().catch(() => {});
  };
  try {
    const names: WorkerName[] = ['edge', ...apiNames, ...(options.delivery ? (['delivery'] as const) : [])];
    const scripts = await Promise.all(names.map((name) => bundleWorker(name, buildDir)));
    // The API reference pages' static files, where every wrangler.toml's [assets] points.
    await buildDocsAssets();
    const workers = await Promise.all(
      names.map(async (name, index) => {
        const worker = await readWorkerConfig(name);
        return {
          name: worker.name,
          modules: true,
          scriptPath: scripts[index]!,
          // Module names are paths relative to this root; the build may live outside the project.
          modulesRoot: dirname(scripts[index]!),
          compatibilityDate: worker.compatibility_date,
          compatibilityFlags: worker.compatibility_flags ?? [],
          bindings:
            name === 'edge'
              ? { ...(worker.vars ?? {}) }
              : name === 'delivery'
                ? { ...(worker.vars ?? {}), ...options.delivery!.bindings }
                : { ...(worker.vars ?? {}), ...bindings },
          queueProducers: Object.fromEntries((worker.queues?.producers ?? []).map(({ binding, queue }) => [binding, { queueName: queue }])),
          queueConsumers: Object.fromEntries(
            (worker.queues?.consumers ?? []).map((consumer) => [
              consumer.queue,
              {
                maxBatchSize: consumer.max_batch_size,
                maxBatchTimeout: consumer.max_batch_timeout,
                // The deliveries queue retries as configured locally (fewer, sooner in the tests).
                maxRetries: consumer.dead_letter_queue ? options.delivery!.maxRetries : consumer.max_retries,
                deadLetterQueue: consumer.dead_letter_queue,
              },
            ]),
          ),
          serviceBindings: Object.fromEntries((worker.services ?? []).map(({ binding, service }) => [binding, service])),
          ratelimits: Object.fromEntries((worker.ratelimits ?? []).map(({ name: binding, namespace_id, simple }) => [binding, { namespace_id, simple }])),
          ...(worker.assets && options.assets
            ? { assets: { directory: resolve(dirname(workerConfigPath(name)), worker.assets.directory), routerConfig: { has_user_worker: true } } }
            : {}),
          durableObjects: Object.fromEntries(
            (worker.durable_objects?.bindings ?? []).map(({ name: binding, class_name }) => [binding, { className: class_name, useSQLite: true }]),
          ),
          // The entry is served on the instance's port; each API worker on its own as well.
          ...(name === 'edge' || name === 'delivery' ? {} : { unsafeDirectSockets: [{ host: config.host, port: config.workerPorts[name] }] }),
        };
      }),
    );
    mf = new Miniflare(
      convertV4MiniflareOptions({
        workers,
        ...(options.stateDir ? { resourcePersistencePath: options.stateDir } : {}),
        host: config.host,
        port: config.edgePort,
        cf: false,
        log: new Log(LogLevel.WARN),
        handleStructuredLogs: ({ message }) => log.write(`worker-${serviceOfLogLine(message)}`, message),
      }),
    );
    const workerdBefore = await workerdChildren();
    await mf.ready;
    const pid = (await workerdChildren()).find((child) => !workerdBefore.includes(child)) ?? null;
    const exited = pid === null ? new Promise<void>(() => {}) : goneAt(pid);
    const urls = Object.fromEntries(apiNames.map((api) => [api, `http://${config.host}:${config.workerPorts[api]}`]));
    const running = mf;
    const cronWorkers = [(await readWorkerConfig('groupcommerce')).name, ...(options.delivery ? [(await readWorkerConfig('delivery')).name] : [])];
    const sweep = async () => {
      await Promise.all(cronWorkers.map(async (name) => (await running.getWorker(name)).scheduled({ cron: '* * * * *' })));
    };
    const crash = async () => {
      if (pid === null) throw new Error('the workerd process is not known on this system (no /proc)');
      process.kill(pid, 'SIGKILL');
      await exited;
    };
    return { urls: urls as Record<ApiName, string>, edgeUrl: `http://${config.host}:${config.edgePort}`, exited, crash, sweep, stop };
  } catch (error) {
    await stop();
    if (error instanceof PlatformError) throw error;
    const reason = (error as Error).message.split('\n')[0] ?? '';
    const remedy = /in use/i.test(reason) ? 'free the port or set its *_PORT variable' : `see ${join(config.localDir, 'logs')}`;
    throw new PlatformError(`the workers did not start: ${reason}`, remedy);
  }
}
