/**
 * The benchmark's output: bench/latest.json (the figures), bench/chart.svg (throughput and p99
 * latency against concurrency, each endpoint beside its floor) and BENCHMARKS.md (the figures,
 * the targets checked, and the analysis kept by hand in bench/notes.md).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BundleFigure } from './bundles.ts';
import type { DeliveryFigure, WriteWithHooksFigure } from './deliveries.ts';

export interface EndpointFigure {
  api: string;
  name: string;
  write: boolean;
  concurrency: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The pass-through floor: the same RPCs through a workerd worker that only forwards them. */
  passThroughRps?: number;
  passThroughP99Ms?: number;
  /** Worker req/s ÷ pass-through req/s: what our code costs on top of workerd's hop. */
  passThroughRatio?: number;
  /** workerd's CPU (user + system, from /proc) per request through the worker, and through the pass-through. */
  workerCpuMsPerRequest?: number;
  passThroughCpuMsPerRequest?: number;
  /**
   * The publisher's protocol floor (bench/protocol-floor.ts, ValidateOrder only): the same signed
   * requests served by the least a worker must do in JS for them, with none of our structure.
   */
  protocolFloorRps?: number;
  protocolFloorCpuMsPerRequest?: number;
  /** PostgreSQL's and PostgREST's CPU (from /proc) per request through the worker: the database side's cost, for the capacity model. */
  postgresCpuMsPerRequest?: number;
  postgrestCpuMsPerRequest?: number;
  /** The same requests through the edge entry (service binding to the worker). */
  edgeRps?: number;
  edgeP99Ms?: number;
  edgeCpuMsPerRequest?: number;
  /** Edge req/s ÷ direct req/s: what the entry costs. */
  edgeRatio?: number;
  floorRps: number;
  floorP50Ms: number;
  floorP95Ms: number;
  floorP99Ms: number;
  ratio: number;
  roundTrips: number;
  designedRoundTrips: number;
  errors: number;
  floorErrors: number;
}

export interface ScaleFigure {
  filter: string;
  query: string;
  purchases?: number;
  p50Ms: number;
  p95Ms: number;
  dbP50Ms: number;
  dbP95Ms: number;
  seqScan: boolean;
  /** Requests not answered 200 (absent in runs before it was counted). */
  errors?: number;
}

/**
 * One endpoint at a simulated distance (bench/distance.ts): one client, p50 and p95 with the
 * workers `rttMs` from the database and the payment and mail stand-ins, and with no delay.
 */
export interface DistanceFigure {
  api: string;
  name: string;
  rttMs: number;
  p50Ms: number;
  p95Ms: number;
  p50AtZeroMs: number;
  p95AtZeroMs: number;
  /** Serial calls across the distance by design: database round trips, and the card processor's. */
  designedRoundTrips: number;
  /** (p50Ms − p50AtZeroMs) ÷ rttMs: the round trips the request waited for. */
  measuredRoundTrips: number;
}

export interface BenchResults {
  when: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  settings: { durationS: number; concurrency: number[]; purchases: number };
  endpoints: EndpointFigure[];
  list1M: ScaleFigure[];
  bundles: BundleFigure[];
  /** Commit to delivery for emails and webhooks (absent in runs before the relay existed). */
  deliveries?: DeliveryFigure[];
  writesWithHooks?: WriteWithHooksFigure[];
  /** Every endpoint at a simulated distance (absent in runs before `--rtt`, or with `--rtt 0`). */
  atDistance?: DistanceFigure[];
}

/** Whether an endpoint at a distance waited for its designed round trips, within 0.3 of one. */
export const withinDesign = (d: DistanceFigure) => Math.abs(d.measuredRoundTrips - d.designedRoundTrips) <= 0.3;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Small multiples: per endpoint, throughput and p99 against concurrency, worker solid, floor dashed. */
export function chartSvg(results: BenchResults): string {
  const groups = [...new Map(results.endpoints.map((e) => [`${e.api} ${e.name}`, results.endpoints.filter((x) => x.api === e.api && x.name === e.name)])).entries()];
  const columns = 3;
  const panelW = 400;
  const panelH = 170;
  const plotW = 160;
  const plotH = 100;
  const rows = Math.ceil(groups.length / columns);
  const parts: string[] = [];
  const levels = results.settings.concurrency;
  const xOf = (c: number, x0: number) => x0 + (levels.length === 1 ? plotW / 2 : (levels.indexOf(c) / (levels.length - 1)) * plotW);
  const plot = (x0: number, y0: number, title: string, worker: number[], floor: number[]) => {
    const max = Math.max(1, ...worker, ...floor) * 1.1;
    const yOf = (v: number) => y0 + plotH - (v / max) * plotH;
    const line = (values: number[], dash: boolean, color: string) =>
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ' stroke-dasharray="5 3"' : ''} points="${values.map((v, i) => `${xOf(levels[i]!, x0).toFixed(1)},${yOf(v).toFixed(1)}`).join(' ')}"/>` +
      values.map((v, i) => `<circle cx="${xOf(levels[i]!, x0).toFixed(1)}" cy="${yOf(v).toFixed(1)}" r="2.5" fill="${color}"/>`).join('');
    parts.push(
      `<text x="${x0}" y="${y0 - 6}" font-size="10" fill="#444">${escape(title)} (max ${Math.round(max / 1.1)})</text>`,
      `<rect x="${x0}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
      line(floor, true, '#888'),
      line(worker, false, '#d0462b'),
      ...levels.map((c) => `<text x="${xOf(c, x0).toFixed(1)}" y="${y0 + plotH + 12}" font-size="9" text-anchor="middle" fill="#666">${c}</text>`),
    );
  };
  groups.forEach(([label, figures], i) => {
    const px = (i % columns) * panelW + 20;
    const py = Math.floor(i / columns) * panelH + 60;
    parts.push(`<text x="${px}" y="${py}" font-size="12" font-weight="bold">${escape(label)}</text>`);
    const byLevel = levels.map((c) => figures.find((f) => f.concurrency === c)!);
    plot(px, py + 22, 'req/s', byLevel.map((f) => f?.rps ?? 0), byLevel.map((f) => f?.floorRps ?? 0));
    plot(px + plotW + 30, py + 22, 'p99 ms', byLevel.map((f) => f?.p99Ms ?? 0), byLevel.map((f) => f?.floorP99Ms ?? 0));
  });
  const width = columns * panelW + 20;
  const height = rows * panelH + 80;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="24" font-size="15" font-weight="bold">Throughput and p99 latency against concurrency (${levels.join(', ')}): worker (red) and floor (grey, dashed)</text>
<text x="20" y="42" font-size="11" fill="#555">${escape(`${results.machine.cpu}, ${results.machine.cores} cores; ${results.when.slice(0, 10)}; ${results.settings.durationS} s per point`)}</text>
${parts.join('\n')}
</svg>
`;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

/** Supabase's compute sizes with dedicated cores, and their monthly price (supabase.com/docs/guides/platform/compute-and-disk). */
export const supabaseComputeSizes = [
  { name: 'Large', cores: 2, usdPerMonth: 110 },
  { name: 'XL', cores: 4, usdPerMonth: 210 },
  { name: '2XL', cores: 8, usdPerMonth: 410 },
  { name: '4XL', cores: 16, usdPerMonth: 960 },
  { name: '8XL', cores: 32, usdPerMonth: 1870 },
] as const;
/** The share of the database's cores the model plans to use: headroom for vacuum, bursts and a replica's replay. */
export const plannedUtilisation = 0.7;

/**
 * The capacity model's table: each endpoint's database-side CPU per request (PostgreSQL and
 * PostgREST, which Supabase runs on the same instance), measured at the top concurrency, as
 * requests per second on each compute size at the planned utilisation.
 */
export function capacity(results: BenchResults): string[] {
  const top = Math.max(...results.settings.concurrency);
  const measured = results.endpoints.filter((e) => e.concurrency === top && e.postgresCpuMsPerRequest !== undefined && !e.name.includes('·'));
  const lines = ['## Capacity: the database side, per compute size', ''];
  if (measured.length === 0) return [...lines, 'Not measured in this run (figures from before the database side was measured).'];
  lines.push(
    `Database CPU per request is PostgreSQL's and PostgREST's CPU time (from /proc) during each endpoint's load at c=${top}, divided by the requests served; requests per second = cores × ${plannedUtilisation} ÷ that CPU. Measured on this machine's x86 cores; Supabase's are ARM (Graviton), so read the columns as an order of magnitude, and bench/notes.md for what they mean.`,
    '',
  );
  lines.push(`| api | endpoint | write | database CPU ms/req | ${supabaseComputeSizes.map((size) => `${size.name} (${size.cores} cores) req/s`).join(' | ')} |`);
  lines.push(`|---|---|---|---|${supabaseComputeSizes.map(() => '---|').join('')}`);
  for (const e of measured) {
    const cpuMs = (e.postgresCpuMsPerRequest ?? 0) + (e.postgrestCpuMsPerRequest ?? 0);
    const perSecond = (cores: number) => (cpuMs > 0 ? Math.floor((cores * plannedUtilisation * 1000) / cpuMs).toLocaleString('en') : 'n/a');
    lines.push(`| ${e.api} | ${e.name} | ${e.write ? 'yes' : ''} | ${Math.round(cpuMs * 1000) / 1000} | ${supabaseComputeSizes.map((size) => perSecond(size.cores)).join(' | ')} |`);
  }
  return lines;
}
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

export function markdown(results: BenchResults, notes: string): string {
  const top = Math.max(...results.settings.concurrency);
  const at16 = results.settings.concurrency.includes(16) ? 16 : top;
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push('Generated by `npm run bench` (see docs/testing.md); the figures below are from the last full run. Every figure is also in');
  lines.push('[`bench/latest.json`](bench/latest.json), and the chart is [`bench/chart.svg`](bench/chart.svg).', '');
  lines.push(`- When: ${results.when}`);
  lines.push(`- Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, ${results.machine.platform}, Node ${results.machine.node}`);
  lines.push(`- Everything on that one machine: PostgreSQL, PostgREST, the /rest/v1 gateway, the five workers in workerd (Miniflare, no wrangler dev proxy) and the load generator (autocannon)`);
  lines.push(`- Load: ${results.settings.durationS} s per endpoint, path and concurrency (${results.settings.concurrency.join(', ')}), closed loop, unique inputs for every write`);
  lines.push('- Pass-through: the same database calls (same RPCs, same token) sent through a workerd worker that only forwards each request to the gateway, run as the API workers are (on a socket of its own, not through Miniflare\'s entry worker); vs pass-through = worker req/s ÷ pass-through req/s, what our code costs on top of workerd\'s own hop. At the top concurrency the two take turns, three runs each (mean throughput, median latencies), so the database\'s background work falls on both alike');
  lines.push('- Floor: the same database calls sent straight to the /rest/v1 gateway with the token the worker would send; ratio = worker req/s ÷ floor req/s');
  lines.push('- Through the edge: the same requests sent to the edge entry (the top-level wrangler.toml), which passes each to its worker over a service binding in the same workerd; vs direct = edge req/s ÷ direct req/s');
  lines.push('- workerd CPU: user + system time of the workerd processes (from /proc) during the run, per request served, through the worker and through the pass-through', '');

  lines.push('## Targets', '');
  const writes = results.endpoints.filter((e) => e.write);
  const writesTop = writes.filter((e) => e.concurrency === at16);
  const ratioOk = writesTop.every((e) => e.ratio >= 0.8);
  const p99Ok = writesTop.every((e) => e.p99Ms < 2 * e.floorP99Ms);
  const rtWrites = [...new Map(writes.map((e) => [`${e.api} ${e.name}`, e])).values()];
  const rtOk = rtWrites.every((e) => e.roundTrips === 1);
  const rtDetail = rtWrites.map((e) => `${e.api} ${e.name}: ${e.roundTrips}${e.designedRoundTrips > 1 ? ` (by design: the card is charged between pricing and recording)` : ''}`).join('; ');
  const scaleOk = results.list1M.length > 0 && results.list1M.every((s) => s.p95Ms < 50 && !s.seqScan && !s.errors);
  const bundleOk = results.bundles.every((b) => b.gzipBytes <= 100 * 1024);
  const allTop = results.endpoints.filter((e) => e.concurrency === at16 && e.passThroughRatio !== undefined);
  const passOk = allTop.length > 0 && allTop.every((e) => e.passThroughRatio! >= 0.9);
  const edgeTop = results.endpoints.filter((e) => e.concurrency === at16 && e.edgeRatio !== undefined);
  lines.push('| target | met | detail |', '|---|---|---|');
  lines.push(`| through the edge entry, every endpoint ≥ 0.9 × its direct throughput (c=${at16}) | ${yes(edgeTop.length > 0 && edgeTop.every((e) => e.edgeRatio! >= 0.9))} | ${edgeTop.map((e) => `${e.api} ${e.name}: ${e.edgeRatio} (+${Math.round(((e.edgeCpuMsPerRequest ?? 0) - (e.workerCpuMsPerRequest ?? 0)) * 1000) / 1000} ms CPU)`).join('; ') || 'not measured'} |`);
  lines.push(`| every endpoint ≥ 0.9 × its pass-through's throughput (c=${at16}): our code costs at most 10 % | ${yes(passOk)} | ${allTop.map((e) => `${e.api} ${e.name}: ${e.passThroughRatio}`).join('; ') || 'not measured'} |`);
  lines.push(`| every write ≥ 0.8 × its floor's throughput (c=${at16}) | ${yes(ratioOk)} | ${writesTop.map((e) => `${e.api} ${e.name}: ${e.ratio}`).join('; ')} |`);
  lines.push(`| every write's p99 at c=${at16} < 2 × the floor's | ${yes(p99Ok)} | ${writesTop.map((e) => `${e.api} ${e.name}: ${e.p99Ms} vs ${e.floorP99Ms} ms`).join('; ')} |`);
  lines.push(`| one PostgREST round trip per write | ${yes(rtOk)} | ${rtDetail} |`);
  lines.push(`| DPD list over ${(results.settings.purchases || 0).toLocaleString('en')} purchases, every filter p95 < 50 ms end to end, no sequential scan | ${yes(scaleOk)} | slowest p95: ${results.list1M.length ? Math.max(...results.list1M.map((s) => s.p95Ms)) : 'n/a'} ms |`);
  const distance = results.atDistance ?? [];
  lines.push(`| at a simulated ${distance[0]?.rttMs ?? '—'} ms from the database, every endpoint waits its designed round trips (within 0.3) | ${distance.length ? yes(distance.every(withinDesign)) : 'not measured'} | ${distance.map((d) => `${d.api} ${d.name}: ${d.measuredRoundTrips} of ${d.designedRoundTrips}`).join('; ') || 'not measured'} |`);
  lines.push(`| every worker ≤ 100 KiB gzip | ${yes(bundleOk)} | largest: ${kib(Math.max(...results.bundles.map((b) => b.gzipBytes)))} KiB |`, '');

  lines.push('## Endpoints', '');
  lines.push('| api | endpoint | write | c | req/s | p50 ms | p95 ms | p99 ms | workerd CPU ms/req | PostgreSQL CPU ms/req | PostgREST CPU ms/req | edge req/s | edge p99 ms | edge CPU ms/req | edge vs direct | pass-through req/s | pass-through p99 ms | pass-through CPU ms/req | vs pass-through | floor req/s | floor p99 ms | vs floor | round trips | errors |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const na = (value: number | undefined) => (value === undefined ? 'n/a' : String(value));
  for (const e of results.endpoints) {
    lines.push(
      `| ${e.api} | ${e.name} | ${e.write ? 'yes' : ''} | ${e.concurrency} | ${e.rps} | ${e.p50Ms} | ${e.p95Ms} | ${e.p99Ms} | ${na(e.workerCpuMsPerRequest)} | ${na(e.postgresCpuMsPerRequest)} | ${na(e.postgrestCpuMsPerRequest)} | ${na(e.edgeRps)} | ${na(e.edgeP99Ms)} | ${na(e.edgeCpuMsPerRequest)} | ${na(e.edgeRatio)} | ${na(e.passThroughRps)} | ${na(e.passThroughP99Ms)} | ${na(e.passThroughCpuMsPerRequest)} | ${na(e.passThroughRatio)} | ${e.floorRps} | ${e.floorP99Ms} | ${e.ratio} | ${e.roundTrips} | ${e.errors} |`,
    );
  }
  lines.push('', '![Throughput and p99 latency against concurrency](bench/chart.svg)', '');

  const protocolFloors = results.endpoints.filter((e) => e.protocolFloorRps !== undefined);
  if (protocolFloors.length > 0) {
    lines.push('## The protocol floor', '');
    lines.push(
      "The publisher's ValidateOrder also served by bench/protocol-floor.ts: the least a worker must do in JS for it (read the form, check the OAuth signature, one RPC, write the answer), with none of our structure (no Hono, zod, limiter, request id or log). Pass-through → protocol floor is what the protocol's own work costs in workerd; protocol floor → worker is what our structure costs.",
      '',
    );
    lines.push('| api | endpoint | c | worker req/s | protocol floor req/s | pass-through req/s | workerd CPU ms/req: worker | protocol floor | pass-through | the protocol\'s own | our structure |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
    const ms = (value: number) => String(Math.round(value * 1000) / 1000);
    for (const e of protocolFloors) {
      const floorCpu = e.protocolFloorCpuMsPerRequest ?? 0;
      lines.push(
        `| ${e.api} | ${e.name} | ${e.concurrency} | ${e.rps} | ${e.protocolFloorRps} | ${na(e.passThroughRps)} | ${na(e.workerCpuMsPerRequest)} | ${floorCpu} | ${na(e.passThroughCpuMsPerRequest)} | ${ms(floorCpu - (e.passThroughCpuMsPerRequest ?? 0))} | ${ms((e.workerCpuMsPerRequest ?? 0) - floorCpu)} |`,
      );
    }
    lines.push('');
  }

  lines.push('## At a distance', '');
  if (distance.length === 0) lines.push('Not run (`--rtt 0` or `--only`).', '');
  else {
    lines.push(
      `One client, one request at a time, with the workers ${distance[0]!.rttMs} ms (round trip) from the /rest/v1 gateway, the Stripe-compatible server and the mail catcher: a delaying TCP proxy on loopback in front of each (bench/distance.ts; warm connections, no bandwidth limit), in Stripe mode. The limiter's Durable Objects are not behind it: deployed, they are created next to the database (docs/deploying.md, "Placement"). Round trips waited = (p50 at the distance − p50 with none) ÷ RTT; designed = database calls, plus the card processor's for card orders.`,
      '',
    );
    lines.push('| api | endpoint | p50 ms, no delay | p95 ms, no delay | RTT ms | p50 ms | p95 ms | round trips waited | designed | within 0.3 |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const d of distance) {
      lines.push(`| ${d.api} | ${d.name} | ${d.p50AtZeroMs} | ${d.p95AtZeroMs} | ${d.rttMs} | ${d.p50Ms} | ${d.p95Ms} | ${d.measuredRoundTrips} | ${d.designedRoundTrips} | ${yes(withinDesign(d))} |`);
    }
    lines.push('');
  }

  lines.push(...capacity(results), '');

  lines.push(`## DPD list over ${(results.settings.purchases || 0).toLocaleString('en')} purchases`, '');
  if (results.list1M.length === 0) lines.push('Not run (`--purchases 0` or `--only`).', '');
  else {
    lines.push('End to end: 100 sequential requests through the worker. In the database: 20 calls of the RPC as the workers\' role; plans read with auto_explain (nested statements).', '');
    lines.push('| filter | query | p50 ms | p95 ms | in the database p50 ms | p95 ms | seq scan of purchases | not answered 200 |', '|---|---|---|---|---|---|---|---|');
    for (const s of results.list1M) lines.push(`| ${s.filter} | \`${s.query || '(none)'}\` | ${s.p50Ms} | ${s.p95Ms} | ${s.dbP50Ms} | ${s.dbP95Ms} | ${s.seqScan ? '**yes**' : 'no'} | ${s.errors === undefined ? 'n/a' : s.errors ? `**${s.errors}**` : 0} |`);
    lines.push('');
  }

  lines.push('## Emails and webhooks', '');
  if (!results.deliveries?.length) lines.push('Not run (`--only`, or a run from before the relay).', '');
  else {
    lines.push('From a write\'s answer (its transaction committed) to the webhook at a receiver on this machine, or to the email in the mail catcher: the nudge through the outbox queue, the sweep, the deliveries queue, the delivery and its record. Queues\' batch timeout (1 s) is in every figure.', '');
    lines.push('| message | caused by | messages | writes at a time | p50 ms | p95 ms | max ms | deliveries/s |', '|---|---|---|---|---|---|---|---|');
    for (const d of results.deliveries) lines.push(`| ${d.kind} | ${d.write} | ${d.messages} | ${d.concurrency} | ${d.p50Ms} | ${d.p95Ms} | ${d.maxMs} | ${d.deliveriesPerSecond} |`);
    lines.push('');
    if (results.writesWithHooks?.length) {
      lines.push('The write itself, with no endpoint and with one listening (its events written in the transaction, the relay nudged, the deliveries made on the same two cores):', '');
      lines.push('| write | c | req/s without | p99 ms without | req/s with | p99 ms with |', '|---|---|---|---|---|---|');
      for (const w of results.writesWithHooks) lines.push(`| ${w.write} | ${w.concurrency} | ${w.rpsWithout} | ${w.p99MsWithout} | ${w.rpsWith} | ${w.p99MsWith} |`);
      lines.push('');
    }
  }

  lines.push('## Bundles', '');
  lines.push('From `wrangler deploy --dry-run` (minified, as deployed); cold start is the time to the first `/health` answer in a fresh workerd, less an empty worker\'s.', '');
  lines.push('| worker | minified KiB | gzip KiB | cold start ms |', '|---|---|---|---|');
  for (const b of results.bundles) lines.push(`| ${b.worker} | ${kib(b.minifiedBytes)} | ${kib(b.gzipBytes)} | ${b.startupMs ?? 'n/a'} |`);
  lines.push('');

  lines.push(notes.trim(), '');
  return lines.join('\n');
}

export async function writeReport(results: BenchResults, progress: (message: string) => void): Promise<void> {
  const root = resolve('.');
  const jsonFigures = {
    ...results,
    endpoints: results.endpoints,
    list1M: results.list1M.map(({ filter, p50Ms, p95Ms, seqScan, dbP50Ms, dbP95Ms, query, errors }) => ({ filter, query, p50Ms, p95Ms, dbP50Ms, dbP95Ms, seqScan, errors })),
  };
  await writeFile(resolve(root, 'bench', 'latest.json'), `${JSON.stringify(jsonFigures, null, 2)}\n`);
  await writeFile(resolve(root, 'bench', 'chart.svg'), chartSvg(results));
  const notes = await readFile(resolve(root, 'bench', 'notes.md'), 'utf8').catch(() => '');
  await writeFile(resolve(root, 'BENCHMARKS.md'), markdown(results, notes));
  progress('wrote BENCHMARKS.md, bench/latest.json, bench/chart.svg');
}
