/**
 * `npm run bench`: every endpoint of the five APIs against the floor beneath it, round trips,
 * the DPD list over a million purchases, and bundle sizes, in one run on this machine. Writes
 * BENCHMARKS.md, bench/latest.json and bench/chart.svg. Measures; never fails on a figure.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import Stripe from 'stripe';
import { apiNames, readPlatformConfig } from '../platform/stack/config.ts';
import type { StackInfo } from '../platform/stack/index.ts';
import { freePortBlock, freePortEnvironment } from '../platform/stack/preflight.ts';
import { dpdFilters, generateDpdPurchases, percentile, timeDpdFilters } from '../platform/scale/dpd-data.ts';
import { credentialClaims } from '../shared/auth/credentials.ts';
import { sha256Hex } from '../shared/crypto/index.ts';
import { measureBundles, type BundleFigure } from './bundles.ts';
import { measureDeliveries } from './deliveries.ts';
import { platformCpuMs } from './cpu.ts';
import { benchEndpoints } from './endpoints.ts';
import { load } from './load.ts';
import { writeReport, type BenchResults, type DistanceFigure, type EndpointFigure, type ScaleFigure } from './report.ts';

const help = `Usage: npm run bench [-- options]

Starts a platform of its own (PostgreSQL, PostgREST, the gateway, the five workers in workerd,
and a pass-through worker), loads every endpoint, its pass-through floor (the same database calls
through a workerd worker that only forwards them) and its floor (the same calls straight at the
/rest/v1 gateway) at each concurrency (and the publisher's ValidateOrder against its protocol
floor too, bench/protocol-floor.ts), with workerd's, PostgreSQL's and PostgREST's CPU per
request from /proc, counts round trips at the gateway, times emails and webhooks from commit to delivery, times the DPD list over
a million purchases, measures card orders again with Stripe as the processor (restarting the
platform in Stripe mode, against the local Stripe-compatible server), measures every endpoint
with one client at a simulated distance between the workers and the database (a delaying proxy,
bench/distance.ts), and sizes each worker's bundle. Writes BENCHMARKS.md, bench/latest.json and
bench/chart.svg. Takes about 40 minutes on 2 cores.

Options:
  --duration S        seconds of load per endpoint, path and concurrency (default 5)
  --concurrency LIST  comma-separated concurrency levels (default 1,4,16)
  --purchases N       purchases for the DPD scale check (default 1000000; 0 skips it)
  --rtt MS            the simulated round trip between the workers and the database, Stripe and
                      mail, for the one-client figures at a distance (default 50; 0 skips them)
  --only TEXT         only endpoints whose api or name contains TEXT, or "deliveries" for emails
                      and webhooks alone (the report is not written)
  --quick             --duration 2 --purchases 100000
  --report            only rewrite BENCHMARKS.md and bench/chart.svg from bench/latest.json
                      (after editing the analysis in bench/notes.md)
  --help              this text
`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string' }, concurrency: { type: 'string' }, purchases: { type: 'string' }, only: { type: 'string' }, rtt: { type: 'string' },
    quick: { type: 'boolean' }, report: { type: 'boolean' }, help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(help);
  process.exit(0);
}
if (values.report) {
  await writeReport(JSON.parse(await readFile(resolve('bench', 'latest.json'), 'utf8')) as BenchResults, (message) => process.stderr.write(`· ${message}\n`));
  process.exit(0);
}
const durationS = Number(values.duration ?? (values.quick ? 2 : 5));
const levels = (values.concurrency ?? '1,4,16').split(',').map(Number);
const purchases = Number(values.purchases ?? (values.quick ? 100_000 : 1_000_000));
const rttMs = Number(values.rtt ?? 50);
if (
  !Number.isFinite(durationS) || durationS <= 0 || levels.some((c) => !Number.isInteger(c) || c < 1) || !Number.isInteger(purchases) || purchases < 0 ||
  !Number.isInteger(rttMs) || rttMs < 0 || rttMs > 1000
) {
  process.stderr.write(`bench: bad options\n\n${help}`);
  process.exit(2);
}
const progress = (message: string) => process.stderr.write(`· ${message}\n`);
/** Turns the worker and its pass-through take at the top concurrency, each `durationS` long. */
const alternatingRounds = 3;
/** Requests per DPD filter timed end to end over the million purchases (enough that p95 is not one sample). */
const endToEndSamples = 100;

const localDir = resolve('.local', 'bench');
await rm(localDir, { recursive: true, force: true });
// As deployed: the workers log failures only.
const env = {
  ...process.env, DATABASE_URL: '', LOCAL_DIR: localDir, LOG_REQUESTS: 'false', ...(await freePortEnvironment()),
  ...(([passThrough, protocolFloor]) => ({ PASS_THROUGH_PORT: String(passThrough), PROTOCOL_FLOOR_PORT: String(protocolFloor) }))(await freePortBlock(2)),
};
const config = readPlatformConfig(env);

/**
 * The benchmark's platform in a process of its own; `processor` is the publisher API's card
 * processor; `distance`: the workers reach the services through delaying proxies (`setRtt`).
 */
async function startBenchPlatform(processor: 'test' | 'stripe', distance = false) {
  progress(`starting the platform in a process of its own (PostgreSQL, PostgREST, gateway, the workers in workerd; cards: ${processor}${distance ? '; a simulated distance before the services' : ''})`);
  const child = spawn(process.execPath, ['bench/platform.ts'], {
    env: { ...env, PAYMENT_PROCESSOR: processor, BENCH_DISTANCE: distance ? '1' : '0' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const urls = await new Promise<{ passThroughUrl: string; protocolFloorUrl: string } | null>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /ready (\S+) (\S+)/.exec(chunk.toString());
      if (ready) done({ passThroughUrl: ready[1]!, protocolFloorUrl: ready[2]! });
    });
    child.once('exit', () => done(null));
  });
  if (!urls) {
    process.stderr.write('bench: the platform did not start (see the lines above)\n');
    process.exit(1);
  }
  const stack = JSON.parse(await readFile(resolve(localDir, 'stack.json'), 'utf8')) as StackInfo;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  /** Sets the simulated round trip, once the platform says it is set. */
  const setRtt = (ms: number) =>
    new Promise<void>((done) => {
      const echoed = (chunk: Buffer) => {
        if (!new RegExp(`^rtt ${ms}$`, 'm').test(chunk.toString())) return;
        child.stdout.off('data', echoed);
        done();
      };
      child.stdout.on('data', echoed);
      child.stdin.write(`rtt ${ms}\n`);
    });
  const stop = async () => {
    await db.end().catch(() => {});
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGINT');
    });
  };
  return { child, ...urls, stack, db, setRtt, stop };
}

let running = await startBenchPlatform('test');
const platform = { stack: running.stack };
const db = running.db;

try {
  const acme = platform.stack.demo.acme!;
  progress('preparing: Kit tokens, consumers with stored cards');
  // Kit allows 600 requests a minute per token: the load takes turns over many tokens of acme.
  const kitTokens = Array.from({ length: 64 }, () => `kit_at_bench_${randomUUID().replace(/-/g, '')}`);
  for (const token of kitTokens) {
    const digest = await sha256Hex(token);
    await db.query(`insert into ledger.credentials (company_id, kind, key_id, secret_digest) values ($1, 'kit_token', $2, $2)`, [acme.companyId, digest]);
  }
  const { rows: cards } = await db.query(`
    with made as (
      insert into ledger.customers (company_id, user_key, email, first_name, last_name)
      select $1, 'bench-stored-' || g, 'bench-stored-' || g || '@example.com', 'Ben', 'Ch' from generate_series(1, 200) g
      returning id, user_key),
    stored as (
      insert into ledger.stored_cards (company_id, customer_id, processor_token, brand, last4, expiry_month, expiry_year)
      select $1, m.id, 'test_tok_bench_' || m.user_key, 'Visa', '1111', 12, extract(year from now())::int + 2 from made m
      returning id, customer_id)
    select stored.id, made.user_key from stored join made on made.id = stored.customer_id`, [acme.companyId]);
  const fixtures = {
    stack: platform.stack, jwtSecret: config.jwtSecret, kitTokens,
    storedCardConsumers: cards.map((c) => ({ userKey: c.user_key, cardId: c.id })),
    dpdPurchaseNumber: acme.dpd.purchaseIds[0]!,
  };
  const allEndpoints = await benchEndpoints(fixtures);
  const endpoints = allEndpoints.filter((e) => !values.only || `${e.api} ${e.name}`.includes(values.only));

  // First, while the mail catcher is empty: emails and webhooks from commit to delivery.
  let deliveryFigures: Awaited<ReturnType<typeof measureDeliveries>> | undefined;
  if (!values.only || 'deliveries'.includes(values.only)) {
    await fetch(platform.stack.mail.messagesUrl, { method: 'DELETE' });
    const lumenWrite = allEndpoints.find((e) => e.api === 'lumen' && e.write)!.worker;
    deliveryFigures = await measureDeliveries(platform.stack, lumenWrite, progress, { messages: 200, concurrency: 8, durationS });
    for (const d of deliveryFigures.deliveries) {
      progress(`${d.kind.padEnd(8)} ${d.messages} messages: commit to delivery p50 ${d.p50Ms} ms p95 ${d.p95Ms} ms max ${d.maxMs} ms, ${d.deliveriesPerSecond} deliveries/s`);
    }
    for (const w of deliveryFigures.writesWithHooks) progress(`${w.write} c=16: ${w.rpsWithout} rps without an endpoint, ${w.rpsWith} rps with one`);
    await fetch(platform.stack.mail.messagesUrl, { method: 'DELETE' });
  }
  // The same endpoints addressed to the edge entry (publisher requests signed for its URL).
  const edgeStack = { ...platform.stack, apis: { ...platform.stack.apis, ...Object.fromEntries(apiNames.map((api) => [api, platform.stack.apis.edge])) } };
  const throughEdge = new Map((await benchEndpoints({ ...fixtures, stack: edgeStack })).map((e) => [`${e.api} ${e.name}`, e]));

  const figures: EndpointFigure[] = [];
  /** Loads one endpoint (through its worker, the edge, the pass-through and the floor) at every level. */
  const measureEndpoint = async (endpoint: (typeof endpoints)[number], edgeSteps: (typeof endpoint)['worker'], passThroughUrl: string, label = `${endpoint.api} ${endpoint.name}`) => {
    // Warm every path first (each credential is verified once per isolate and minute, then its
    // requests are one round trip), then count round trips, then measure at each level.
    await load(platform.stack.apis[endpoint.api], endpoint.worker, { concurrency: 4, durationS: 1 });
    await load(platform.stack.apis.edge, edgeSteps, { concurrency: 4, durationS: 1 });
    await load(passThroughUrl, endpoint.floor, { concurrency: 4, durationS: 1 });
    if (endpoint.protocolFloor) await load(running.protocolFloorUrl, endpoint.worker, { concurrency: 4, durationS: 1 });
    await load(platform.stack.supabase.url, endpoint.floor, { concurrency: 4, durationS: 1 });
    // Round trips on the hot path: a few requests, each with its own id, counted at the gateway.
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `bench-${randomUUID()}`;
      const request = endpoint.worker[0]!({});
      const res = await fetch(`${platform.stack.apis[endpoint.api]}${request.path}`, {
        method: request.method, headers: { ...request.headers, 'X-Request-Id': id }, ...(request.body === undefined ? {} : { body: request.body }),
      });
      await res.arrayBuffer();
      if (!res.ok) progress(`  ${label}: a sample request answered ${res.status}`);
      const stats = (await (await fetch(`${platform.stack.supabase.url}/_platform/stats?request=${id}`)).json()) as { request: number };
      counts.push(stats.request);
    }
    const roundTrips = Math.max(...counts.slice(1));
    /** A load run with the CPU workerd spent on it, per step served. */
    const measured = async (origin: string, step: typeof endpoint.worker, concurrency: number) => {
      const before = platformCpuMs(running.child.pid!);
      const result = await load(origin, step, { concurrency, durationS });
      const after = platformCpuMs(running.child.pid!);
      const perStep = (ms: number) => (result.steps > 0 ? Math.round((ms / result.steps) * 1000) / 1000 : 0);
      return {
        ...result, cpuMsPerStep: perStep(after.workerd - before.workerd),
        postgresCpuMsPerStep: perStep(after.postgres - before.postgres), postgrestCpuMsPerStep: perStep(after.postgrest - before.postgrest),
      };
    };
    const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
    type Measured = Awaited<ReturnType<typeof measured>>;
    /** Several runs as one: mean throughput, median latencies, CPU over every step served. */
    const combined = (runs: Measured[]): Measured => {
      const median = (pick: (run: Measured) => number) => runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
      const steps = runs.reduce((sum, run) => sum + run.steps, 0);
      const cpu = (pick: (run: Measured) => number) => (steps > 0 ? Math.round((runs.reduce((sum, run) => sum + pick(run) * run.steps, 0) / steps) * 1000) / 1000 : 0);
      return {
        rps: Math.round((runs.reduce((sum, run) => sum + run.rps, 0) / runs.length) * 100) / 100,
        p50Ms: median((run) => run.p50Ms), p95Ms: median((run) => run.p95Ms), p99Ms: median((run) => run.p99Ms),
        steps, errors: runs.reduce((sum, run) => sum + run.errors, 0), statuses: Object.assign({}, ...runs.map((run) => run.statuses)),
        cpuMsPerStep: cpu((run) => run.cpuMsPerStep), postgresCpuMsPerStep: cpu((run) => run.postgresCpuMsPerStep), postgrestCpuMsPerStep: cpu((run) => run.postgrestCpuMsPerStep),
      };
    };
    for (const concurrency of levels) {
      // At the top level the worker and its pass-through take turns, so what the database's
      // background work (checkpoints, autovacuum, the relay's deliveries) costs falls on both alike.
      const rounds = concurrency === Math.max(...levels) ? alternatingRounds : 1;
      const workerRuns = [await measured(platform.stack.apis[endpoint.api], endpoint.worker, concurrency)];
      const edge = await measured(platform.stack.apis.edge, edgeSteps, concurrency);
      const passThroughRuns = [await measured(passThroughUrl, endpoint.floor, concurrency)];
      // The protocol floor takes the same signed requests as the worker (it checks them as signed for the worker's URL).
      const protocolFloorRuns = endpoint.protocolFloor ? [await measured(running.protocolFloorUrl, endpoint.worker, concurrency)] : [];
      for (let round = 1; round < rounds; round++) {
        workerRuns.push(await measured(platform.stack.apis[endpoint.api], endpoint.worker, concurrency));
        passThroughRuns.push(await measured(passThroughUrl, endpoint.floor, concurrency));
        if (endpoint.protocolFloor) protocolFloorRuns.push(await measured(running.protocolFloorUrl, endpoint.worker, concurrency));
      }
      const worker = combined(workerRuns);
      const passThrough = combined(passThroughRuns);
      const protocolFloor = protocolFloorRuns.length > 0 ? combined(protocolFloorRuns) : null;
      const floor = await load(platform.stack.supabase.url, endpoint.floor, { concurrency, durationS });
      const figure: EndpointFigure = {
        api: endpoint.api, name: label.slice(endpoint.api.length + 1), write: endpoint.write, concurrency,
        rps: worker.rps, p50Ms: worker.p50Ms, p95Ms: worker.p95Ms, p99Ms: worker.p99Ms,
        passThroughRps: passThrough.rps, passThroughP99Ms: passThrough.p99Ms, passThroughRatio: ratio(worker.rps, passThrough.rps),
        workerCpuMsPerRequest: worker.cpuMsPerStep, passThroughCpuMsPerRequest: passThrough.cpuMsPerStep,
        ...(protocolFloor ? { protocolFloorRps: protocolFloor.rps, protocolFloorCpuMsPerRequest: protocolFloor.cpuMsPerStep } : {}),
        postgresCpuMsPerRequest: worker.postgresCpuMsPerStep, postgrestCpuMsPerRequest: worker.postgrestCpuMsPerStep,
        edgeRps: edge.rps, edgeP99Ms: edge.p99Ms, edgeCpuMsPerRequest: edge.cpuMsPerStep, edgeRatio: ratio(edge.rps, worker.rps),
        floorRps: floor.rps, floorP50Ms: floor.p50Ms, floorP95Ms: floor.p95Ms, floorP99Ms: floor.p99Ms,
        ratio: ratio(worker.rps, floor.rps),
        roundTrips, designedRoundTrips: endpoint.designedRoundTrips,
        errors: worker.errors + edge.errors, floorErrors: floor.errors + passThrough.errors + (protocolFloor?.errors ?? 0),
      };
      figures.push(figure);
      progress(
        `${label.padEnd(52)} c=${String(concurrency).padStart(2)}  ${String(worker.rps).padStart(7)} rps p99 ${String(worker.p99Ms).padStart(6)} ms cpu ${worker.cpuMsPerStep} ms` +
          ` | edge ${String(edge.rps).padStart(7)} rps p99 ${String(edge.p99Ms).padStart(6)} ms cpu ${edge.cpuMsPerStep} ms` +
          ` | pass-through ${String(passThrough.rps).padStart(7)} rps p99 ${String(passThrough.p99Ms).padStart(6)} ms cpu ${passThrough.cpuMsPerStep} ms db ${passThrough.postgresCpuMsPerStep} + ${passThrough.postgrestCpuMsPerStep} ms | ratio ${figure.passThroughRatio}` +
          ` | floor ${String(floor.rps).padStart(7)} rps | ratio ${figure.ratio} | rt ${roundTrips} | database cpu ${worker.postgresCpuMsPerStep} + ${worker.postgrestCpuMsPerStep} ms` +
          ` | errors ${worker.errors}/${passThrough.errors}/${floor.errors}`,
      );
      if (worker.errors > 0) progress(`  worker statuses ${JSON.stringify(worker.statuses)}`);
      if (edge.errors > 0) progress(`  edge statuses ${JSON.stringify(edge.statuses)}`);
      if (passThrough.errors > 0) progress(`  pass-through statuses ${JSON.stringify(passThrough.statuses)}`);
      if (protocolFloor) {
        progress(`  protocol floor ${String(protocolFloor.rps).padStart(7)} rps p99 ${String(protocolFloor.p99Ms).padStart(6)} ms cpu ${protocolFloor.cpuMsPerStep} ms | errors ${protocolFloor.errors}`);
        if (protocolFloor.errors > 0) progress(`  protocol floor statuses ${JSON.stringify(protocolFloor.statuses)}`);
      }
      if (floor.errors > 0) progress(`  floor statuses ${JSON.stringify(floor.statuses)}`);
    }
  };
  for (const endpoint of endpoints) {
    await measureEndpoint(endpoint, throughEdge.get(`${endpoint.api} ${endpoint.name}`)!.worker, running.passThroughUrl);
  }

  let scale: ScaleFigure[] = [];
  if (purchases > 0 && !values.only) {
    progress(`DPD at scale: ${purchases.toLocaleString('en')} purchases for a company of their own`);
    const company = (await db.query(`insert into ledger.companies (slug, name) values ('bench-scale', 'Bench Scale') returning id`)).rows[0].id as string;
    const password = `dpd_pw_bench_${randomUUID()}`;
    const claims = await credentialClaims({ kind: 'dpd_basic', keyId: 'bench-scale', secret: password });
    await db.query(`insert into ledger.credentials (company_id, kind, key_id, secret_digest) values ($1, 'dpd_basic', 'bench-scale', $2)`, [company, claims.cred_digest]);
    // The timing sends more than DPD's 600 requests a minute; it measures the list, not the limiter.
    await db.query(`insert into ledger.request_limits (company_id, api, requests, window_seconds) values ($1, 'dpd', 100000, 1)`, [company]);
    await generateDpdPurchases(db, company, purchases, progress);
    const filters = await dpdFilters(db, company);
    const inside = await timeDpdFilters(db, claims, filters);
    const auth = { Authorization: `Basic ${Buffer.from(`bench-scale:${password}`).toString('base64')}` };
    for (const timing of inside) {
      const times: number[] = [];
      const url = `${platform.stack.apis.dpd}/purchases${timing.query ? `?${timing.query}` : ''}`;
      await (await fetch(url, { headers: auth })).arrayBuffer();
      let errors = 0;
      for (let i = 0; i < endToEndSamples; i++) {
        const started = performance.now();
        const res = await fetch(url, { headers: auth });
        await res.arrayBuffer();
        // Only answers count: a refusal is fast and would flatter the figure.
        if (res.ok) times.push(performance.now() - started);
        else if (errors++ === 0) progress(`  ${timing.filter}: ${res.status}`);
      }
      times.sort((a, b) => a - b);
      const figure: ScaleFigure = {
        filter: timing.filter, query: timing.query,
        p50Ms: Math.round(percentile(times, 50) * 100) / 100, p95Ms: Math.round(percentile(times, 95) * 100) / 100,
        dbP50Ms: timing.p50Ms, dbP95Ms: timing.p95Ms, seqScan: timing.seqScan, errors,
      };
      scale.push(figure);
      progress(`${timing.filter.padEnd(22)} end to end p50 ${figure.p50Ms} ms p95 ${figure.p95Ms} ms | in the database p50 ${figure.dbP50Ms} ms p95 ${figure.dbP95Ms} ms | seq scan ${figure.seqScan} | errors ${errors}`);
    }
    scale = scale.map((s) => ({ ...s, purchases }));
  }

  // Card orders again with Stripe as the processor (the local Stripe-compatible server): the
  // adapter's own cost beside the test processor's.
  const cardOrders = endpoints.filter((e) => e.api === 'groupcommerce' && / card$/.test(e.name));
  /** Restarts the platform with Stripe as the processor, the bench consumers' stored cards kept at its server. */
  const restartWithStripe = async (distance: boolean) => {
    await running.stop();
    running = await startBenchPlatform('stripe', distance);
    const payments = running.stack.payments;
    if (payments.processor !== 'stripe') throw new Error('bench: the platform did not start in Stripe mode');
    progress(`keeping the bench consumers' ${fixtures.storedCardConsumers.length} stored cards at the Stripe server`);
    const base = new URL(payments.apiBase);
    const stripe = new Stripe(payments.secretKey, { protocol: 'http', host: base.hostname, port: base.port });
    for (const consumer of fixtures.storedCardConsumers) {
      const customer = await stripe.customers.create({ name: consumer.userKey });
      const intent = await stripe.paymentIntents.create({
        amount: 100, currency: 'usd', customer: customer.id, confirm: true, setup_future_usage: 'off_session',
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        payment_method_data: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } } as Stripe.PaymentIntentCreateParams.PaymentMethodData,
      });
      await running.db.query('update ledger.stored_cards set processor_token = $2 where id = $1', [consumer.cardId, `${customer.id}/${String(intent.payment_method)}`]);
    }
  };
  if (cardOrders.length > 0) {
    await restartWithStripe(false);
    const viaEdge = new Map((await benchEndpoints({ ...fixtures, stack: edgeStack })).map((e) => [`${e.api} ${e.name}`, e]));
    for (const endpoint of (await benchEndpoints(fixtures)).filter((e) => cardOrders.some((c) => c.name === e.name))) {
      await measureEndpoint(endpoint, viaEdge.get(`${endpoint.api} ${endpoint.name}`)!.worker, running.passThroughUrl, `${endpoint.api} ${endpoint.name} · Stripe`);
    }
  }

  // At a distance: one client, each endpoint with no delay and then `rttMs` between the workers
  // and the gateway, Stripe and the mail catcher (Stripe mode, so a card order crosses it to charge).
  const atDistance: DistanceFigure[] = [];
  if (rttMs > 0 && endpoints.length > 0) {
    await restartWithStripe(true);
    const far = (await benchEndpoints(fixtures)).filter((e) => endpoints.some((chosen) => chosen.api === e.api && chosen.name === e.name));
    progress(`at a distance: every endpoint with one client, at no delay and at ${rttMs} ms`);
    // Each Kit token verified once first (a minute per isolate), so the figures are of the hot path.
    for (const token of fixtures.kitTokens) {
      await (await fetch(`${platform.stack.apis.kit}/v4/purchases/0`, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer();
    }
    const distanceS = Math.max(durationS, 5);
    for (const endpoint of far) {
      const origin = platform.stack.apis[endpoint.api];
      await load(origin, endpoint.worker, { concurrency: 2, durationS: 1 });
      const near = await load(origin, endpoint.worker, { concurrency: 1, durationS: distanceS });
      await running.setRtt(rttMs);
      const away = await load(origin, endpoint.worker, { concurrency: 1, durationS: distanceS });
      await running.setRtt(0);
      const figure: DistanceFigure = {
        api: endpoint.api, name: endpoint.name, rttMs, p50Ms: away.p50Ms, p95Ms: away.p95Ms, p50AtZeroMs: near.p50Ms, p95AtZeroMs: near.p95Ms,
        designedRoundTrips: endpoint.designedRoundTrips + (endpoint.processorCalls ?? 0),
        measuredRoundTrips: Math.round(((away.p50Ms - near.p50Ms) / rttMs) * 100) / 100,
      };
      atDistance.push(figure);
      progress(
        `${`${endpoint.api} ${endpoint.name}`.padEnd(52)} p50 ${near.p50Ms} → ${away.p50Ms} ms, p95 ${near.p95Ms} → ${away.p95Ms} ms | round trips ${figure.measuredRoundTrips} of ${figure.designedRoundTrips}` +
          ` | errors ${near.errors}/${away.errors}`,
      );
      if (near.errors + away.errors > 0) progress(`  statuses ${JSON.stringify(near.statuses)} ${JSON.stringify(away.statuses)}`);
    }
  }

  progress('bundles: wrangler deploy --dry-run and cold starts');
  const bundles: BundleFigure[] = await measureBundles(progress);
  for (const b of bundles) progress(`${b.worker.padEnd(14)} ${(b.minifiedBytes / 1024).toFixed(1)} KiB minified, ${(b.gzipBytes / 1024).toFixed(1)} KiB gzip, cold start +${b.startupMs} ms`);

  const results: BenchResults = {
    when: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` },
    settings: { durationS, concurrency: levels, purchases },
    endpoints: figures,
    list1M: scale,
    bundles,
    ...(deliveryFigures ?? {}),
    ...(atDistance.length > 0 ? { atDistance } : {}),
  };
  if (values.only) progress('--only: the report is not written');
  else await writeReport(results, progress);
} finally {
  await running.stop();
}
