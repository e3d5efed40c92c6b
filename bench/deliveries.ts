/**
 * The way out, measured: the time from a write's answer (its transaction committed) to the email in
 * the mail catcher and to the webhook at a receiver, at p50 and p95, and deliveries per second; and
 * the write's own throughput with and without a webhook endpoint listening, so the cost the outbox
 * adds to the write path is visible.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { StackInfo } from '../platform/stack/index.ts';
import type { CaughtMail } from '../platform/stack/mail-catcher.ts';
import { percentile } from '../platform/scale/dpd-data.ts';
import { load, type RequestBuilder } from './load.ts';

export interface DeliveryFigure {
  kind: 'email' | 'webhook';
  /** What was written to cause each message. */
  write: string;
  messages: number;
  concurrency: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  deliveriesPerSecond: number;
}

export interface WriteWithHooksFigure {
  write: string;
  concurrency: number;
  rpsWithout: number;
  p99MsWithout: number;
  rpsWith: number;
  p99MsWith: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Runs `count` writes, `concurrency` at a time; resolves with when each was answered, by key. */
async function writeAll(count: number, concurrency: number, write: (i: number) => Promise<string>): Promise<Map<string, number>> {
  const answered = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const key = await write(i);
        answered.set(key, performance.timeOrigin + performance.now());
      }
    }),
  );
  return answered;
}

async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function figure(kind: DeliveryFigure['kind'], write: string, concurrency: number, answered: Map<string, number>, arrived: Map<string, number>): DeliveryFigure {
  const latencies = [...answered].map(([key, at]) => arrived.get(key)! - at).sort((a, b) => a - b);
  const first = Math.min(...answered.values());
  const last = Math.max(...arrived.values());
  return {
    kind, write, messages: latencies.length, concurrency,
    p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), maxMs: round(latencies.at(-1)!),
    deliveriesPerSecond: round(latencies.length / ((last - first) / 1000)),
  };
}

export async function measureDeliveries(
  stack: StackInfo,
  lumenWrite: RequestBuilder[],
  progress: (message: string) => void,
  options: { messages: number; concurrency: number; durationS: number },
): Promise<{ deliveries: DeliveryFigure[]; writesWithHooks: WriteWithHooksFigure[] }> {
  const acme = stack.demo.acme!;
  const lumenPurchase = async (partnerPurchaseId: string) => {
    const res = await fetch(`${stack.apis.lumen}/partners/v1/purchases`, {
      method: 'POST',
      headers: { 'X-Partner-Api-Key': acme.lumen.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ partnerPurchaseId, fulfillment: false, customer: { email: 'bench-hooks@example.com', firstName: 'B', lastName: 'H' }, items: [{ productId: acme.lumen.productIds[0], quantity: 1 }] }),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`bench: a Lumen purchase answered ${res.status}`);
    return partnerPurchaseId;
  };

  // The write alone first, while no endpoint listens: what every other figure measures.
  const without = await load(stack.apis.lumen, lumenWrite, { concurrency: 16, durationS: options.durationS });

  // A receiver in this process: each purchase.created's arrival, by the purchase's partnerPurchaseId.
  const arrived = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const id = (JSON.parse(body) as { data: { purchase: { external_id: string } } }).data.purchase.external_id;
      if (!arrived.has(id)) arrived.set(id, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  // --local: the benchmark's own platform is local development (its receiver is plain http here).
  const admin = (...args: string[]) => promisify(execFile)(process.execPath, ['admin/index.ts', ...args, '--database-url', stack.databaseUrl, '--local']);
  const endpoint = JSON.parse((await admin('webhook', 'add', '--company', 'acme', '--url', url, '--events', 'purchase.created', '--json')).stdout) as { id: string };
  try {
    progress(`deliveries: ${options.messages} webhooks (Lumen purchases, ${options.concurrency} at a time)`);
    const hooksAnswered = await writeAll(options.messages, options.concurrency, () => lumenPurchase(`bench-hook-${randomUUID()}`));
    await waitFor('every webhook', () => [...hooksAnswered.keys()].every((key) => arrived.has(key)));
    const webhooks = figure('webhook', 'POST /partners/v1/purchases (purchase.created)', options.concurrency, hooksAnswered, arrived);

    progress(`deliveries: ${options.messages} emails (DPD reactivations, ${options.concurrency} at a time)`);
    const purchases = acme.dpd.purchaseIds;
    const mailAnswered = await writeAll(options.messages, options.concurrency, async (i) => {
      const to = `bench-mail-${randomUUID()}@example.com`;
      const res = await fetch(`${stack.apis.dpd}/purchases/${purchases[i % purchases.length]}/reactivate`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`acme:${acme.dpd.password}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ customer_email: to }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`bench: a DPD reactivation answered ${res.status}`);
      return to;
    });
    const caught = new Map<string, number>();
    await waitFor('every email', async () => {
      for (const mail of (await (await fetch(stack.mail.messagesUrl)).json()) as CaughtMail[]) {
        if (mailAnswered.has(mail.to[0]!)) caught.set(mail.to[0]!, Date.parse(mail.created_at));
      }
      return caught.size === mailAnswered.size;
    });
    const emails = figure('email', 'POST /purchases/:id/reactivate (delivery email)', options.concurrency, mailAnswered, caught);

    progress('deliveries: the Lumen write with an endpoint listening');
    const withHooks = await load(stack.apis.lumen, lumenWrite, { concurrency: 16, durationS: options.durationS });
    return {
      deliveries: [webhooks, emails],
      writesWithHooks: [{ write: 'lumen POST /partners/v1/purchases', concurrency: 16, rpsWithout: without.rps, p99MsWithout: without.p99Ms, rpsWith: withHooks.rps, p99MsWith: withHooks.p99Ms }],
    };
  } finally {
    await admin('webhook', 'disable', '--id', endpoint.id).catch(() => {});
    server.closeAllConnections();
    server.close();
  }
}
