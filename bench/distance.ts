/**
 * A simulated distance on loopback: a TCP proxy that holds every byte for half a round trip in each
 * direction before passing it on, put between the workers and a service (the /rest/v1 gateway, the
 * Stripe-compatible server, the mail catcher) by the benchmark's `--rtt`. netem would do this in
 * the kernel; it needs privileges these machines do not give, and a proxy is enough to count round
 * trips by their cost: a request that waits for the database twice in a row takes two RTTs longer.
 *
 * What it models: propagation delay on a warm connection, the way Cloudflare keeps its connections
 * to an origin open. Opening a connection is not delayed (no handshake is charged), bandwidth is
 * unlimited (a large answer is not slowed by TCP's window), and order is kept within each
 * direction. The delay can change while connections are open (`setRtt`); bytes already held keep
 * theirs, and none overtakes the one before it.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface DelayingProxy {
  /** The proxy's origin: the service's URL with the proxy's host and port. */
  url: string;
  rttMs(): number;
  setRtt(ms: number): void;
  stop(): Promise<void>;
}

/** Starts a proxy on `host` (a free port) in front of `target`'s host and port, at `rttMs` (default 0). */
export async function startDelayingProxy(target: string, host: string, rttMs = 0): Promise<DelayingProxy> {
  const upstream = new URL(target);
  const upstreamPort = Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80));
  let rtt = rttMs;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const service = connect(upstreamPort, upstream.hostname);
    for (const socket of [client, service]) {
      open.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => open.delete(socket));
    }
    client.on('error', () => service.destroy());
    service.on('error', () => client.destroy());
    client.on('close', () => service.destroy());
    service.on('close', () => client.destroy());
    holdFor(client, service, () => rtt / 2);
    holdFor(service, client, () => rtt / 2);
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, host, () => ready());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the delaying proxy has no port');
  const url = new URL(target);
  url.hostname = host;
  url.port = String(address.port);
  return {
    url: url.origin + (upstream.pathname === '/' ? '' : upstream.pathname.replace(/\/$/, '')),
    rttMs: () => rtt,
    setRtt: (ms) => void (rtt = ms),
    stop: () =>
      new Promise<void>((done) => {
        for (const socket of open) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** Passes what `from` sends on to `to`, each chunk (and the end) `oneWayMs()` after it arrived. */
function holdFor(from: Socket, to: Socket, oneWayMs: () => number): void {
  const held: Array<{ due: number; chunk: Buffer | null }> = [];
  let lastDue = 0;
  let timer: NodeJS.Timeout | undefined;
  const pass = (chunk: Buffer | null) => {
    if (to.destroyed) return;
    if (chunk === null) to.end();
    else to.write(chunk);
  };
  const release = () => {
    timer = undefined;
    const now = performance.now();
    // Timers fire up to a millisecond early or late; what is due within half a millisecond goes now.
    while (held.length > 0 && held[0]!.due <= now + 0.5) pass(held.shift()!.chunk);
    if (held.length > 0) timer = setTimeout(release, held[0]!.due - now);
  };
  const arrive = (chunk: Buffer | null) => {
    const due = Math.max(performance.now() + oneWayMs(), lastDue);
    lastDue = due;
    if (held.length === 0 && due <= performance.now()) return pass(chunk);
    held.push({ due, chunk });
    timer ??= setTimeout(release, due - performance.now());
  };
  from.on('data', (chunk: Buffer) => arrive(chunk));
  from.on('end', () => arrive(null));
}
