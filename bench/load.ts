/**
 * Load through autocannon: a closed loop of `concurrency` connections for `durationS` seconds,
 * each request built fresh (unique inputs). A "step" may be several HTTP requests in a row on one
 * connection (a publisher order paid by card is two database calls at the floor): its latency is
 * their sum and the throughput counts whole steps. Latency percentiles are computed from every
 * step's own time, so p95 is there too (autocannon's summary has p97.5, not p95).
 */
import autocannon from 'autocannon';
import { percentile } from '../platform/scale/dpd-data.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  steps: number;
  errors: number;
  /** Status codes seen, for reading what the errors were. */
  statuses: Record<string, number>;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Runs `step` (one or more request builders) against `origin`, returns throughput and latency. */
/** Builds one request; `context` is the connection's own, shared by the requests of a step. */
export type RequestBuilder = (context: Record<string, any>) => HttpRequest;

export async function load(origin: string, step: RequestBuilder[], options: { concurrency: number; durationS: number; ok?: (status: number) => boolean }): Promise<LoadResult> {
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const pending = new Map<unknown, { ms: number; failed: boolean; seen: number }>();
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: origin,
        connections: options.concurrency,
        duration: options.durationS,
        pipelining: 1,
        timeout: 10,
        // Built on autocannon's own request, which carries the Host header a worker needs for its URL.
        requests: step.map((build) => ({
          setupRequest: (request: { headers?: Record<string, string> }, context: Record<string, any>) => {
            const built = build(context);
            return { ...request, ...built, headers: { ...request.headers, ...built.headers } };
          },
          // A step of several requests reads the one before's answer (`context.previous`): a card
          // order's recording call names the charge attempt its pricing call wrote.
          ...(step.length > 1 ? { onResponse: (_status: number, body: string, context: Record<string, any>) => void (context.previous = body) } : {}),
        })) as autocannon.Request[],
      },
      (error, summary) => (error ? fail(error) : done(summary)),
    );
    instance.on('response', (client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      const current = pending.get(client) ?? { ms: 0, failed: false, seen: 0 };
      current.ms += responseTime;
      current.failed ||= !ok(statusCode);
      current.seen++;
      if (current.seen < step.length) {
        pending.set(client, current);
        return;
      }
      pending.delete(client);
      if (current.failed) errors++;
      else latencies.push(current.ms);
    });
    instance.on('reqError', () => {
      errors++;
      statuses.error = (statuses.error ?? 0) + 1;
    });
  });
  latencies.sort((a, b) => a - b);
  const steps = latencies.length + errors;
  return {
    rps: round(latencies.length / result.duration),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    steps,
    errors: errors + result.timeouts,
    statuses,
  };
}
