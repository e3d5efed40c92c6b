/**
 * Faults on the way out, on a platform of this file's own with a fast retry schedule: the mail
 * provider down then back, a receiver answering 500 or too slowly, the relay killed while a
 * receiver holds its request, and a receiver that never recovers. Nothing is lost: every message
 * written ends delivered or dead-lettered, a retry carries the same webhook-id, and a dead endpoint
 * is disabled, its company told, and its deliveries re-drivable from the admin CLI.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlatformConfig } from '../../platform/stack/config.ts';
import { LogSink } from '../../platform/stack/errors.ts';
import { startPlatform, type RunningPlatform } from '../../platform/stack/index.ts';
import { freePortEnvironment } from '../../platform/stack/preflight.ts';
import { mailTo, startReceiver, until, verifiedEvents, type Receiver } from '../deliveries-helpers.ts';
import { scanForSecrets } from './secrets-scan.ts';

let platform: RunningPlatform;
let log: LogSink;
let db: pg.Client;
const localDir = resolve('.local', 'test-delivery-faults');
const secrets: string[] = [];

beforeAll(async () => {
  await rm(localDir, { recursive: true, force: true });
  const config = readPlatformConfig({
    ...process.env,
    DATABASE_URL: '',
    LOCAL_DIR: localDir,
    // Retries after 1, 2, 4 s, then dead-lettered; a message a dead relay held is taken back after 3 s.
    RETRY_BASE_SECONDS: '1',
    DELIVERY_MAX_RETRIES: '3',
    LEASE_SECONDS: '3',
    SWEEP_SECONDS: '1',
    WEBHOOK_TIMEOUT_MS: '1000',
    ...(await freePortEnvironment()),
  });
  log = new LogSink(localDir);
  platform = await startPlatform(config, { log });
  db = new pg.Client({ connectionString: platform.stack.databaseUrl });
  await db.connect();
  await admin('company', 'set', '--slug', 'acme', '--contact-email', 'ops@acme.example');
});

afterAll(async () => {
  if (platform) {
    const scan = await scanForSecrets(platform.stack.databaseUrl, join(localDir, 'logs'), [platform.config.jwtSecret, platform.config.jwtSigningKey.d, platform.config.webhookSecretKey, ...secrets]);
    expect(scan.findings).toEqual([]);
  }
  await db?.end();
  await platform?.stop();
  await log?.close();
  await rm(localDir, { recursive: true, force: true });
});

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['admin/index.ts', ...args, '--database-url', platform.stack.databaseUrl], {
      env: { ...process.env, LOCAL_DIR: localDir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

async function register(receiver: Receiver): Promise<{ id: string; secret: string }> {
  const added = await admin('webhook', 'add', '--company', 'acme', '--url', receiver.url, '--events', 'purchase.created', '--json');
  expect(added.code, added.stderr).toBe(0);
  const endpoint = JSON.parse(added.stdout) as { id: string; secret: string };
  secrets.push(endpoint.secret);
  return endpoint;
}

/** A Lumen purchase for acme; resolves with its partnerPurchaseId. */
async function purchase(): Promise<string> {
  const partnerPurchaseId = `faults-${randomUUID()}`;
  const res = await fetch(`${platform.stack.apis.lumen}/partners/v1/purchases`, {
    method: 'POST',
    headers: { 'X-Partner-Api-Key': platform.stack.demo.acme!.lumen.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ partnerPurchaseId, fulfillment: false, customer: { email: 'faults@example.com', firstName: 'F', lastName: 'T' }, items: [{ productId: 'LMN_123456', quantity: 1 }] }),
  });
  expect(res.status).toBe(201);
  return partnerPurchaseId;
}

const forPurchase = (receiver: Receiver, partnerPurchaseId: string) =>
  receiver.requests.filter((r) => JSON.parse(r.body).data.purchase.external_id === partnerPurchaseId);

async function deliveryOf(endpointId: string, partnerPurchaseId: string) {
  const { rows } = await db.query(
    `select d.state, d.attempts, d.last_error, (select count(*)::int from ledger.webhook_attempts a where a.delivery_id = d.id) as logged
     from ledger.webhook_deliveries d join ledger.webhook_events v on v.id = d.event_id join ledger.purchases p on p.id = v.purchase_id
     where d.endpoint_id = $1 and p.external_id = $2`,
    [endpointId, partnerPurchaseId],
  );
  return rows[0];
}

/** Waits until the endpoint's delivery of that purchase's event is in `state`; resolves with it. */
const settled = (endpointId: string, partnerPurchaseId: string, state: 'delivered' | 'dead', timeoutMs?: number) =>
  until(`the delivery ${state}`, async () => {
    const row = await deliveryOf(endpointId, partnerPurchaseId);
    return row?.state === state && row;
  }, timeoutMs);

describe('mail', () => {
  it('waits out a mail provider outage and delivers once it is back', async () => {
    await platform.dependencies.mail.stop();
    const to = `outage-${randomUUID()}@example.com`;
    try {
      const res = await fetch(`${platform.stack.apis.dpd}/purchases/1002/reactivate`, {
        method: 'POST',
        headers: { Authorization: `Basic ${btoa(`acme:${platform.stack.demo.acme!.dpd.password}`)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ customer_email: to }),
      });
      expect(res.status).toBe(200);
      const failed = await until('a failed attempt', async () => {
        const { rows } = await db.query(`select state, attempts, last_error from ledger.email_outbox where to_address = $1`, [to]);
        return rows[0]?.attempts >= 1 && rows[0];
      });
      expect(failed).toMatchObject({ state: 'pending', last_error: expect.stringMatching(/mail provider could not be reached/) });
    } finally {
      await platform.dependencies.mail.start();
    }
    const [message] = await until('the mail after the outage', async () => (await mailTo(platform.stack.mail.messagesUrl, to)).length > 0 && mailTo(platform.stack.mail.messagesUrl, to));
    expect(message!.subject).toContain('purchase #1002');
    expect((await db.query(`select state from ledger.email_outbox where to_address = $1`, [to])).rows).toEqual([{ state: 'delivered' }]);
  });
});

describe('webhooks', () => {
  it('retries a receiver answering 500 with the same webhook-id until it answers 2xx', async () => {
    const receiver = await startReceiver((_request, nth) => ({ status: nth < 2 ? 500 : 200, body: nth < 2 ? 'down for maintenance' : 'ok' }));
    const endpoint = await register(receiver);
    try {
      const id = await purchase();
      await until('the third attempt', () => forPurchase(receiver, id).length >= 3);
      const attempts = forPurchase(receiver, id);
      expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
      // Backoff: the second retry waited longer than the first.
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThan(attempts[1]!.at - attempts[0]!.at);
      expect(() => verifiedEvents(attempts, endpoint.secret)).not.toThrow();
      const delivery = await settled(endpoint.id, id, 'delivered');
      expect(delivery).toMatchObject({ attempts: 3, logged: 3 });
      const { rows } = await db.query(
        `select a.status, a.response from ledger.webhook_attempts a join ledger.webhook_deliveries d on d.id = a.delivery_id
         where d.endpoint_id = $1 order by a.attempted_at`,
        [endpoint.id],
      );
      expect(rows).toEqual([
        { status: 500, response: 'down for maintenance' },
        { status: 500, response: 'down for maintenance' },
        { status: 200, response: 'ok' },
      ]);
    } finally {
      await admin('webhook', 'disable', '--id', endpoint.id);
      await receiver.close();
    }
  });

  it('retries a receiver that does not answer within the timeout, and keeps only the start of a long answer', async () => {
    const receiver = await startReceiver((_request, nth) => (nth === 0 ? { status: 200, delayMs: 3000 } : { status: 200, body: 'x'.repeat(10_000) }));
    const endpoint = await register(receiver);
    try {
      const id = await purchase();
      const delivery = await settled(endpoint.id, id, 'delivered');
      expect(delivery.attempts).toBe(2);
      const attempts = forPurchase(receiver, id);
      expect(attempts[0]!.headers['webhook-id']).toBe(attempts[1]!.headers['webhook-id']);
      const { rows } = await db.query(
        `select a.status, a.error, length(a.response) as kept from ledger.webhook_attempts a join ledger.webhook_deliveries d on d.id = a.delivery_id
         where d.endpoint_id = $1 order by a.attempted_at`,
        [endpoint.id],
      );
      expect(rows).toEqual([
        { status: null, error: 'no answer within 1000 ms', kept: null },
        { status: 200, error: null, kept: 256 },
      ]);
    } finally {
      await admin('webhook', 'disable', '--id', endpoint.id);
      await receiver.close();
    }
  });

  it('redelivers what a relay killed mid-delivery held, with the same webhook-id', async () => {
    const receiver = await startReceiver((_request, nth) => ({ status: 200, delayMs: nth === 0 ? 900 : 0 }));
    const endpoint = await register(receiver);
    try {
      const id = await purchase();
      // The first request arrives and is held; the workers (the relay among them) die under it.
      await until('the first request', () => forPurchase(receiver, id).length >= 1);
      await platform.dependencies.workers.stop();
      expect((await deliveryOf(endpoint.id, id)).state).toBe('pending');
      await platform.dependencies.workers.start();
      const delivery = await settled(endpoint.id, id, 'delivered', 30_000);
      const attempts = forPurchase(receiver, id);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(delivery.state).toBe('delivered');
    } finally {
      await admin('webhook', 'disable', '--id', endpoint.id);
      await receiver.close();
    }
  });

  it('dead-letters after every retry failed, disables the endpoint, tells the company, and redelivers once enabled', async () => {
    let healthy = false;
    const receiver = await startReceiver(() => ({ status: healthy ? 200 : 503 }));
    const endpoint = await register(receiver);
    try {
      const id = await purchase();
      const dead = await settled(endpoint.id, id, 'dead', 40_000);
      // The first attempt and three retries.
      expect(dead).toMatchObject({ attempts: 4, logged: 4 });
      const listed = JSON.parse((await admin('webhook', 'list', '--company', 'acme', '--json')).stdout).find((e: { id: string }) => e.id === endpoint.id);
      expect(listed).toMatchObject({ state: 'disabled', disabledReason: expect.stringMatching(/failed through the whole retry schedule/), deliveries: { dead: 1 } });
      const [notice] = await until('the notice to the company', async () => {
        const mail = await mailTo(platform.stack.mail.messagesUrl, 'ops@acme.example');
        return mail.some((m) => m.text?.includes(endpoint.id)) && mail.filter((m) => m.text?.includes(endpoint.id));
      });
      expect(notice!.subject).toBe(`Webhook endpoint disabled: ${receiver.url}`);
      expect(notice!.text).toContain(`npm run admin -- webhook enable --id ${endpoint.id}`);

      const refused = await admin('webhook', 'redeliver', '--endpoint', endpoint.id, '--dead');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('the endpoint is disabled');
      healthy = true;
      expect((await admin('webhook', 'enable', '--id', endpoint.id)).code).toBe(0);
      const redriven = await admin('webhook', 'redeliver', '--endpoint', endpoint.id, '--dead', '--json');
      expect(JSON.parse(redriven.stdout).redelivered).toHaveLength(1);
      await settled(endpoint.id, id, 'delivered');
      const attempts = forPurchase(receiver, id);
      expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(attempts.at(-1)!.headers['webhook-id']).toBe(attempts[0]!.headers['webhook-id']);
    } finally {
      await admin('webhook', 'disable', '--id', endpoint.id);
      await receiver.close();
    }
  });
});

describe('the count', () => {
  it('has every message written delivered or dead-lettered: none left behind', async () => {
    const counts = async () =>
      (
        await db.query(`
          select kind, count(*)::int as written, count(*) filter (where state = 'delivered')::int as delivered,
                 count(*) filter (where state = 'dead')::int as dead, count(*) filter (where state = 'pending')::int as pending
          from (select 'email' as kind, state from ledger.email_outbox union all select 'webhook', state from ledger.webhook_deliveries) m
          group by kind order by kind`)
      ).rows;
    const settled = await until('every message settled', async () => {
      const rows = await counts();
      return rows.every((r) => r.pending === 0) && rows;
    }, 30_000);
    expect(settled.map((r) => r.kind)).toEqual(['email', 'webhook']);
    for (const row of settled) {
      expect(row.written, row.kind).toBeGreaterThan(0);
      expect(row.written, row.kind).toBe(row.delivered + row.dead);
    }
  });
});
