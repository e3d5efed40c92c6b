/**
 * Faults of the dependencies, on a platform of this file's own: PostgREST stopped, PostgreSQL
 * stopped, and a database call held by a lock. Every API answers 503 in its own error shape with
 * Retry-After within a bounded time, writes nothing, and recovers by itself when the dependency
 * is back.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlatformConfig } from '../../platform/stack/config.ts';
import { LogSink } from '../../platform/stack/errors.ts';
import { startPlatform, type RunningPlatform } from '../../platform/stack/index.ts';
import { freePortEnvironment } from '../../platform/stack/preflight.ts';
import { endpoints, isErrorShape } from './requests.ts';
import { record } from './report.ts';
import { scanForSecrets } from './secrets-scan.ts';

let platform: RunningPlatform;
let log: LogSink;
const localDir = resolve('.local', 'test-faults');
const acme = () => platform.stack.demo.acme!;
// Each worker gives up on the database after DB_TIMEOUT_MS (5 s); an answer must come before this.
const boundMs = 6_500;

beforeAll(async () => {
  await rm(localDir, { recursive: true, force: true });
  const config = readPlatformConfig({ ...process.env, DATABASE_URL: '', LOCAL_DIR: localDir, ...(await freePortEnvironment()) });
  log = new LogSink(localDir);
  platform = await startPlatform(config, { log });
});

afterAll(async () => {
  // This platform's database and logs, too, hold no secret in clear.
  if (platform) {
    const scan = await scanForSecrets(platform.stack.databaseUrl, join(localDir, 'logs'), [platform.config.jwtSecret, platform.config.jwtSigningKey.d, platform.config.oauthConsumerSecretKey]);
    expect(scan.findings).toEqual([]);
  }
  await platform?.stop();
  await log?.close();
  await rm(localDir, { recursive: true, force: true });
});

async function purchaseCount(): Promise<number> {
  const client = new pg.Client({ connectionString: platform.stack.databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('select count(*) from ledger.purchases')).rows[0].count);
  } finally {
    await client.end();
  }
}

/** Sends every endpoint once and checks each answer is a timely 503 in its API's shape. */
async function expectAllUnavailable(fault: string) {
  for (const endpoint of endpoints) {
    const started = Date.now();
    const res = await endpoint.send(platform.stack, acme());
    const took = Date.now() - started;
    const text = await res.text();
    expect(res.status, `${endpoint.name}: ${text}`).toBe(503);
    expect(res.headers.get('Retry-After'), endpoint.name).toMatch(/^\d+$/);
    expect(isErrorShape(endpoint.api, text), `${endpoint.name}: ${text}`).toBe(true);
    expect(took, endpoint.name).toBeLessThan(boundMs);
    record('faults', { fault, endpoint: `${endpoint.api} ${endpoint.name}`, status: res.status, ms: took });
  }
}

async function expectAllWorking() {
  for (const endpoint of endpoints) {
    const res = await endpoint.send(platform.stack, acme());
    expect(res.status, `${endpoint.name}: ${await res.clone().text()}`).toBeLessThan(300);
  }
}

/** Polls one write until it succeeds: the platform heals without a restart of the workers. */
async function recovers(withinMs: number): Promise<number> {
  const started = Date.now();
  const kit = endpoints.find((e) => e.api === 'kit' && e.write)!;
  while (Date.now() - started < withinMs) {
    // Refused connections too, while a worker process is started again.
    if ((await kit.send(platform.stack, acme()).catch(() => null))?.status === 201) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no recovery within ${withinMs} ms`);
}

describe('faults', () => {
  it('PostgREST stopped: 503 from every API, nothing written, and back when PostgREST is', async () => {
    await expectAllWorking();
    const before = await purchaseCount();
    await platform.dependencies.postgrest.stop();
    try {
      await expectAllUnavailable('PostgREST stopped');
    } finally {
      await platform.dependencies.postgrest.start();
    }
    expect(await purchaseCount()).toBe(before);
    record('faults', { fault: 'PostgREST stopped', recoveredMs: await recovers(10_000) });
    await expectAllWorking();
  });

  it('PostgreSQL stopped: 503 from every API, and back when PostgreSQL is', async () => {
    await platform.dependencies.postgres.stop();
    try {
      await expectAllUnavailable('PostgreSQL stopped');
    } finally {
      await platform.dependencies.postgres.start();
    }
    // PostgREST reconnects on its own, with backoff.
    record('faults', { fault: 'PostgreSQL stopped', recoveredMs: await recovers(45_000) });
    await expectAllWorking();
  }, 90_000);

  it('PostgREST, then PostgreSQL, killed (SIGKILL, as a crash): the platform restarts each, as a host would', async () => {
    await expectAllWorking();
    await platform.dependencies.postgrest.crash();
    record('faults', { fault: 'PostgREST killed', recoveredMs: await recovers(30_000) });
    await platform.dependencies.postgres.crash();
    // PostgreSQL restarts (recovering from its log), then PostgREST reconnects on its own.
    record('faults', { fault: 'PostgreSQL killed', recoveredMs: await recovers(60_000) });
    await expectAllWorking();
    const said = await readFile(join(localDir, 'logs', 'platform.log'), 'utf8');
    expect(said).toContain('postgrest exited on its own; restarting it');
    expect(said).toContain('postgres exited on its own; restarting it');
  }, 120_000);

  it('workerd killed (SIGKILL, as a crash): the platform starts the workers again on the same ports, Durable Object storage kept', async () => {
    await expectAllWorking();
    await platform.dependencies.workers.crash();
    record('faults', { fault: 'workerd killed', recoveredMs: await recovers(60_000) });
    await expectAllWorking();
    expect(await readFile(join(localDir, 'logs', 'platform.log'), 'utf8')).toContain('workers exited on its own; restarting it');
  }, 90_000);

  it('a call held by a lock: 503 within the bound, and the write is rolled back, not committed later', async () => {
    const holder = new pg.Client({ connectionString: platform.stack.databaseUrl });
    await holder.connect();
    const kit = endpoints.find((e) => e.api === 'kit' && e.write)!;
    const body = kit.validBody(acme())!;
    const transactionId = JSON.parse(body).purchase.transaction_id as string;
    try {
      // Every purchase of acme takes a key-share lock on its company row; this blocks them all.
      await holder.query('begin');
      await holder.query('select 1 from ledger.companies where id = $1 for update', [acme().companyId]);
      const started = Date.now();
      const res = await kit.send(platform.stack, acme(), { body });
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('Retry-After')).toBe('5');
      expect(isErrorShape('kit', await res.text())).toBe(true);
      expect(took).toBeLessThan(boundMs);
      record('faults', { fault: 'row lock held', endpoint: `kit ${kit.name}`, status: res.status, ms: took });
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    // The database cancelled the statement (purchases_api's statement_timeout): once the lock is
    // gone, the held purchase does not appear.
    await new Promise((r) => setTimeout(r, 1_000));
    const client = new pg.Client({ connectionString: platform.stack.databaseUrl });
    await client.connect();
    try {
      const found = await client.query('select 1 from ledger.purchases where external_id = $1', [transactionId]);
      expect(found.rowCount).toBe(0);
    } finally {
      await client.end();
    }
    await expectAllWorking();
  });
});
