/**
 * The second floor: a worker that does nothing but send the request it gets on to the /rest/v1
 * gateway and answer what comes back, run in workerd exactly as the API workers are (Miniflare, the
 * same compatibility date and flags). Loaded with an endpoint's floor requests (the same RPC with
 * the same token), it costs what workerd's hop costs (its HTTP server, one subrequest) and nothing
 * of our code; the endpoint's worker against it is what our code costs.
 */
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { readWorkerConfig, type WorkerName } from '../platform/stack/workers.ts';

const script = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(new Request(env.GATEWAY_ORIGIN + url.pathname + url.search, request));
  },
};
`;

/**
 * Starts one worker written as a module `script` in workerd exactly as the API workers run (the
 * compatibility date and flags of `like`'s wrangler.toml), answering on `host:port` as they do: on a
 * socket of its own, not through Miniflare's entry worker.
 */
export async function startBenchWorker(
  name: string,
  script: string,
  bindings: Record<string, string>,
  like: WorkerName,
  host: string,
  port: number,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const config = await readWorkerConfig(like);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name,
      modules: true,
      script,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags ?? [],
      bindings,
      host,
      // Miniflare's own port reaches the worker through its entry worker, one more isolate hop (about
      // 0.17 ms of workerd CPU a request here, measured); the API workers are served on a socket of
      // their own (platform/stack/workers.ts), and so is this worker, or it would cost more than they do.
      port: 0,
      unsafeDirectSockets: [{ host, port }],
      cf: false,
      log: new Log(LogLevel.WARN),
    }),
  );
  await mf.ready;
  return { url: `http://${host}:${port}`, stop: () => mf.dispose() };
}

export function startPassThrough(host: string, port: number, gatewayOrigin: string): Promise<{ url: string; stop: () => Promise<void> }> {
  return startBenchWorker('pass-through', script, { GATEWAY_ORIGIN: gatewayOrigin }, 'kit', host, port);
}
