/** What the delivery tests share: a webhook receiver to point endpoints at, and reading the mail catcher. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { CaughtMail } from '../platform/stack/mail-catcher.ts';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers the nth request (0-based): a status (and headers), after an optional delay. */
export type Answer = (request: ReceivedRequest, nth: number) => { status: number; delayMs?: number; body?: string; headers?: Record<string, string> };

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = () => ({ status: 204 })): Promise<Receiver> {
  const receiver: Receiver = { url: '', requests: [], answer, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body, at: Date.now() };
      const nth = receiver.requests.length;
      receiver.requests.push(request);
      const { status, delayMs = 0, body: reply = '', headers = {} } = receiver.answer(request, nth);
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(reply);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export interface VerifiedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: any;
}

/** Every request's body, after standardwebhooks verified its signature with `secret` (throws on any bad one). */
export function verifiedEvents(requests: ReceivedRequest[], secret: string): VerifiedEvent[] {
  const webhook = new Webhook(secret);
  return requests.map((r) => ({ id: String(r.headers['webhook-id']), ...(webhook.verify(r.body, r.headers as Record<string, string>) as Omit<VerifiedEvent, 'id'>) }));
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The mail the catcher holds for an address. */
export async function mailTo(messagesUrl: string, address: string): Promise<CaughtMail[]> {
  return (await (await fetch(`${messagesUrl}?to=${encodeURIComponent(address)}`)).json()) as CaughtMail[];
}
