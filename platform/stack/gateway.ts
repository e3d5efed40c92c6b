/**
 * The Supabase URL of the local platform: serves PostgREST under /rest/v1 as Supabase's own
 * gateway does, so supabase-js works unchanged. Like the hosted gateway it wants an API key on
 * every call (the `apikey` header or query parameter): the project's publishable key
 * (`sb_publishable_…`) or its legacy anon key; no key, or any other, is a 401 in the hosted
 * gateway's words, and PostgREST is not asked. A call without its own Authorization acts as anon.
 * It also counts the requests it forwards, which the benchmark reads to prove each API request
 * costs one round trip.
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

/** The path without an `apikey` query parameter: the gateway takes it, PostgREST would read it as a filter. */
function withoutApiKey(path: string): string {
  if (!path.includes('apikey=')) return path;
  const url = new URL(path, 'http://gateway');
  url.searchParams.delete('apikey');
  return `${url.pathname}${url.search}`;
}

/** The keys the gateway accepts as `apikey`. */
export interface ApiKeys {
  /** The publishable key (`sb_publishable_…`), what clients hold now. */
  publishable: string;
  /** The legacy anon key, a JWT for the anon role; also what a call without Authorization acts as. */
  legacyAnon: string;
}

export async function startGateway(config: PlatformConfig, keys: ApiKeys): Promise<Gateway> {
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
    const apiKey = req.headers.apikey ?? new URL(url, 'http://gateway').searchParams.get('apikey');
    if (apiKey !== keys.publishable && apiKey !== keys.legacyAnon) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          apiKey
            ? { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' }
            : { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
        ),
      );
      return;
    }
    forwarded++;
    const requestId = req.headers['x-request-id'];
    if (typeof requestId === 'string') {
      byRequest.set(requestId, (byRequest.get(requestId) ?? 0) + 1);
      if (byRequest.size > 100_000) byRequest.delete(byRequest.keys().next().value!);
    }
    const headers = { authorization: `Bearer ${keys.legacyAnon}`, ...req.headers, host: `${config.host}:${config.postgrestPort}` };
    const upstream = httpRequest(
      {
        host: config.host,
        port: config.postgrestPort,
        method: req.method,
        path: withoutApiKey(url.slice(restPrefix.length) || '/'),
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
