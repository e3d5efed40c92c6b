/**
 * Webhook receivers for a chaos run: they record every delivery they are sent (its webhook-id and
 * the event it carries) and answer as the run's faults say: 2xx, 500, or not at all.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receivers {
  url: string;
  mode: 'ok' | 'fail' | 'hang';
  /** webhook-id → the events (endpoint path and body digest) it was seen carrying: one, from a well-behaved sender. */
  seen: Map<string, Set<string>>;
  /** event (endpoint path and body digest) → the webhook-ids it arrived under: one, however often it was retried. */
  idsOfEvent: Map<string, Set<string>>;
  close(): Promise<void>;
}

export async function startReceivers(host: string): Promise<Receivers> {
  const hanging = new Set<import('node:http').ServerResponse>();
  const receivers: Receivers = {
    url: '',
    mode: 'ok',
    seen: new Map(),
    idsOfEvent: new Map(),
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const webhookId = String(req.headers['webhook-id'] ?? '');
      // An event's body is written once, in the database: the same event is the same bytes, to the same endpoint.
      const eventId = `${req.url} ${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`;
      if (receivers.mode === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (receivers.mode === 'fail') {
        res.writeHead(500).end('chaos: failing on purpose');
        return;
      }
      (receivers.seen.get(webhookId) ?? receivers.seen.set(webhookId, new Set()).get(webhookId)!).add(eventId);
      (receivers.idsOfEvent.get(eventId) ?? receivers.idsOfEvent.set(eventId, new Set()).get(eventId)!).add(webhookId);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  receivers.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return receivers;
}
