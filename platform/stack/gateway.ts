/**
 * The Supabase URL of the local platform: serves PostgREST under /rest/v1 as Supabase's own
 * gateway does, so supabase-js works unchanged. It also counts the requests it forwards, which the
 * benchmark reads to prove each API request costs one round trip.
 */
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { PlatformConfig } from './config.ts';
import { PlatformError } from './errors.ts';

export interface Gateway {
  url: string;
  /** Requests forwarded to PostgREST since start. */
  forwarded(): number;
  stop(): Promise<void>;
}

const restPrefix = '/rest/v1';

export async function startGateway(config: PlatformConfig): Promise<Gateway> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let forwarded = 0;
  // Requests forwarded per X-Request-Id (the workers send theirs on), for counting one API
  // request's round trips while others run; the oldest ids are forgotten first.
  const byRequest = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/_platform/stats' || url.startsWith('/_platform/stats?')) {
      const requestId = new URL(url, 'http://gateway').searchParams.get('request');
      const body = requestId === null ? { forwarded } : { forwarded, request: byRequest.get(requestId) ?? 0 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (url !== restPrefix && !url.startsWith(`${restPrefix}/`) && !url.startsWith(`${restPrefix}?`)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'no Route matched with those values' }));
      return;
    }
    forwarded++;
    const requestId = req.headers['x-request-id'];
    if (typeof requestId === 'string') {
      byRequest.set(requestId, (byRequest.get(requestId) ?? 0) + 1);
      if (byRequest.size > 100_000) byRequest.delete(byRequest.keys().next().value!);
    }
    const headers = { ...req.headers, host: `${config.host}:${config.postgrestPort}` };
    const upstream = httpRequest(
      {
        host: config.host,
        port: config.postgrestPort,
        method: req.method,
        path: url.slice(restPrefix.length) || '/',
        headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      // What Supabase's gateway answers when the API behind it is down.
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'An invalid response was received from the upstream server' }));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PlatformError(
          `the gateway cannot listen on port ${config.gatewayPort}: ${error.code ?? error.message}`,
          'free the port or set GATEWAY_PORT',
        ),
      ),
    );
    server.listen(config.gatewayPort, config.host, resolve);
  });
  return {
    url: `http://${config.host}:${config.gatewayPort}`,
    forwarded: () => forwarded,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
