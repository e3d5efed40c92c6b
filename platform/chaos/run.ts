/**
 * A chaos run: a platform of its own (cards charged through the local Stripe server), a mixed
 * load of retried writes on all five APIs through the edge, webhook endpoints listening, and
 * faults injected on a seeded schedule, overlapping; then the faults stop, the platform drains,
 * and the checker compares what clients were told with the ledger, the money and the deliveries.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import Stripe from 'stripe';
import { readPlatformConfig } from '../stack/config.ts';
import { liftDemoLimits } from '../stack/demo-limits.ts';
import { LogSink } from '../stack/errors.ts';
import { startPlatform } from '../stack/index.ts';
import { freePortEnvironment } from '../stack/preflight.ts';
import { check, inFlight, type Findings } from './check.ts';
import { perform, planWrite, type Api, type Write } from './clients.ts';
import { injectFaults, seededRandom, type InjectedFault } from './faults.ts';
import { startReceivers } from './receivers.ts';

export interface ChaosOptions {
  durationSeconds: number;
  seed: number;
  /** Clients writing at once. */
  clients: number;
  /** Longest wait, after the load, for retries to settle and the platform to drain. */
  drainSeconds: number;
  progress: (line: string) => void;
}

export interface ChaosSummary extends Findings {
  seed: number;
  durationSeconds: number;
  writes: number;
  writesByApi: Record<Api, number>;
  drainedSeconds: number;
  faults: InjectedFault[];
  faultKinds: number;
}

/** The writes a client sends, by weight: the publisher's orders most (they move money). */
const apiWeights: Array<[Api, number]> = [['lumen', 2], ['operations', 2], ['kit', 2], ['groupcommerce', 3], ['dpd', 1]];

function pickApi(random: () => number): Api {
  const total = apiWeights.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [api, weight] of apiWeights) if ((roll -= weight) < 0) return api;
  return 'lumen';
}

const projectRoot = new URL('../../', import.meta.url).pathname;

async function addWebhook(databaseUrl: string, localDir: string, company: string, url: string): Promise<void> {
  await promisify(execFile)(process.execPath, [join(projectRoot, 'admin', 'index.ts'), 'webhook', 'add', '--company', company, '--url', url, '--json', '--database-url', databaseUrl], {
    env: { ...process.env, LOCAL_DIR: localDir },
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const { progress } = options;
  const random = seededRandom(options.seed);
  const localDir = resolve(projectRoot, '.local', 'chaos');
  for (const part of ['postgres', 'logs', 'worker-state']) await rm(join(localDir, part), { recursive: true, force: true });
  const config = readPlatformConfig({
    ...process.env,
    DATABASE_URL: '',
    LOCAL_DIR: localDir,
    PAYMENT_PROCESSOR: 'stripe',
    LOG_REQUESTS: 'false',
    FAILED_AUTH_LIMIT: '100000/60',
    // Sooner than deployed, so what the faults leave behind settles within the drain.
    RECONCILE_QUIET_SECONDS: '5',
    RETRY_BASE_SECONDS: '1',
    LEASE_SECONDS: '10',
    SWEEP_SECONDS: '2',
    WEBHOOK_TIMEOUT_MS: '2000',
    ...(await freePortEnvironment()),
  });
  progress(`starting a platform of its own in ${localDir} (cards through the local Stripe server)`);
  const platform = await startPlatform(config, { log: new LogSink(localDir), assets: false });
  const receivers = await startReceivers(config.host);
  // A pool: its connections are made again after PostgreSQL is killed and back.
  const db = new pg.Pool({ connectionString: platform.stack.databaseUrl, max: 2 });
  db.on('error', () => {});
  try {
    await liftDemoLimits(platform.stack.databaseUrl);
    for (const company of ['acme', 'globex']) await addWebhook(platform.stack.databaseUrl, localDir, company, `${receivers.url}/${company}`);
    const payments = platform.stack.payments;
    if (payments.processor !== 'stripe') throw new Error('the chaos platform charges cards through Stripe');

    const edge = platform.stack.apis.edge;
    const started = Date.now();
    const loadEnd = started + options.durationSeconds * 1000;
    const giveUpAt = loadEnd + options.drainSeconds * 1000;
    const writes: Write[] = [];
    progress(`load for ${options.durationSeconds} s: ${options.clients} clients, seed ${options.seed}`);
    const clients = Array.from({ length: options.clients }, async () => {
      while (Date.now() < loadEnd) {
        const slug = random() < 0.75 ? 'acme' : 'globex';
        const api = pickApi(random);
        writes.push(await perform(planWrite(api, slug, platform.stack.demo[slug]!, edge, (n) => Math.floor(random() * n)), edge, giveUpAt));
      }
    });
    const ticker = setInterval(() => {
      const done = writes.length;
      progress(`${Math.round((Date.now() - started) / 1000)} s: ${done} writes (${writes.filter((w) => w.outcome === 'success').length} acknowledged)`);
    }, 10_000);
    const faults = await injectFaults(
      { platform, receivers, stripe: payments, databaseUrl: platform.stack.databaseUrl },
      random,
      started,
      loadEnd,
      (line) => progress(`${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`),
    );
    await Promise.all(clients);
    clearInterval(ticker);

    progress('faults stopped; draining: settling charges, delivering emails and webhooks');
    const drainStarted = Date.now();
    for (;;) {
      const waiting = await inFlight(db).catch(() => null);
      if (waiting && waiting.charges + waiting.emails + waiting.webhooks === 0) break;
      if (Date.now() > drainStarted + options.drainSeconds * 1000) break;
      await new Promise((done) => setTimeout(done, 2000));
    }
    const drainedSeconds = Math.round((Date.now() - drainStarted) / 1000);
    progress(`checking the ledger, the money and the deliveries (drained in ${drainedSeconds} s)`);
    const base = new URL(payments.apiBase);
    const stripe = new Stripe(payments.secretKey, { protocol: 'http', host: base.hostname, port: base.port, maxNetworkRetries: 2 });
    const findings = await check(db, stripe, receivers, writes);
    const writesByApi = Object.fromEntries(apiWeights.map(([api]) => [api, writes.filter((w) => w.api === api).length])) as Record<Api, number>;
    return {
      seed: options.seed,
      durationSeconds: options.durationSeconds,
      writes: writes.length,
      writesByApi,
      ...findings,
      drainedSeconds,
      faults,
      faultKinds: new Set(faults.filter((f) => !f.problem).map((f) => f.kind)).size,
    };
  } finally {
    await db.end().catch(() => {});
    await receivers.close();
    await platform.stop();
  }
}

/** The figures that must be zero. */
export const mustBeZero = ['lost', 'duplicated', 'phantom', 'moneyMismatches', 'unsettledCharges', 'stuckDeliveries', 'webhookIdMismatches'] as const;
