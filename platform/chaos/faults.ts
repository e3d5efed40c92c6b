/**
 * The faults a chaos run injects, overlapping, on a seeded schedule: what dies on its own (the
 * platform restarts it, as a host would), what goes down or slow for a while and comes back, and
 * what answers badly (Stripe losing answers after charging, webhook receivers failing).
 */
import pg from 'pg';
import type { RunningPlatform } from '../stack/index.ts';
import type { StripeFaults } from '../stack/stripe-server.ts';
import type { Receivers } from './receivers.ts';

export const faultKinds = [
  'postgres-killed',
  'postgrest-killed',
  'workerd-killed',
  'sessions-terminated',
  'stripe-down',
  'stripe-slow',
  'stripe-loses-answers',
  'mail-down',
  'webhooks-500',
  'webhooks-timeout',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface InjectedFault {
  /** Milliseconds from the start of the load. */
  at: number;
  kind: FaultKind;
  target: string;
  /** How long it lasted (0: a kill, which the platform recovers from by itself). */
  forMs: number;
  /** What went wrong injecting it, if anything (the fault is still listed). */
  problem?: string;
}

/** A small seeded generator (mulberry32): the same seed gives the same schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultTargets {
  platform: RunningPlatform;
  receivers: Receivers;
  stripe: { apiBase: string; secretKey: string };
  databaseUrl: string;
}

async function setStripe(targets: FaultTargets, faults: Partial<StripeFaults>): Promise<void> {
  const res = await fetch(`${targets.stripe.apiBase}/_local/faults`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${targets.stripe.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`the local Stripe server refused the fault: ${res.status}`);
}

/** Starts a fault; resolves to its end (what undoes it), called when its time is up. */
async function begin(kind: FaultKind, targets: FaultTargets): Promise<{ target: string; end: () => Promise<void> }> {
  const none = async () => {};
  switch (kind) {
    case 'postgres-killed':
      await targets.platform.dependencies.postgres.crash();
      return { target: 'PostgreSQL (SIGKILL)', end: none };
    case 'postgrest-killed':
      await targets.platform.dependencies.postgrest.crash();
      return { target: 'PostgREST (SIGKILL)', end: none };
    case 'workerd-killed':
      await targets.platform.dependencies.workers.crash();
      return { target: 'workerd: every worker, Durable Object and queue (SIGKILL)', end: none };
    case 'sessions-terminated': {
      const client = new pg.Client({ connectionString: targets.databaseUrl, connectionTimeoutMillis: 3000 });
      await client.connect();
      try {
        const { rowCount } = await client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where usename = 'authenticator' and pid <> pg_backend_pid()`,
        );
        return { target: `${rowCount ?? 0} PostgREST database sessions`, end: none };
      } finally {
        await client.end().catch(() => {});
      }
    }
    case 'stripe-down':
      await setStripe(targets, { down: true });
      return { target: 'the Stripe server (connections dropped)', end: () => setStripe(targets, { down: false }) };
    case 'stripe-slow':
      await setStripe(targets, { delayMs: 3000 });
      return { target: 'the Stripe server (3 s an answer)', end: () => setStripe(targets, { delayMs: 0 }) };
    case 'stripe-loses-answers':
      // Three: a charge and both of the SDK's retries, so the request cannot learn the outcome.
      await setStripe(targets, { loseAnswers: 3 });
      return { target: 'the Stripe server (the next charge made, its answer lost three times)', end: () => setStripe(targets, { loseAnswers: 0 }) };
    case 'mail-down':
      await targets.platform.dependencies.mail.stop();
      return { target: 'the mail server (Resend API)', end: () => targets.platform.dependencies.mail.start() };
    case 'webhooks-500':
      targets.receivers.mode = 'fail';
      return { target: 'webhook receivers (500)', end: async () => void (targets.receivers.mode = 'ok') };
    case 'webhooks-timeout':
      targets.receivers.mode = 'hang';
      return { target: 'webhook receivers (no answer)', end: async () => void (targets.receivers.mode = 'ok') };
  }
}

/** Kills are instant; the rest last this long, in ms, drawn from [min, max). */
const lasting = { min: 2000, max: 9000 };

/**
 * Runs the schedule until `untilMs` (epoch): a fault every 3–7 s, the first ones each of a
 * different kind (so a short run still has many kinds), overlapping those still under way. The
 * returned promise settles once every fault has ended.
 */
export async function injectFaults(targets: FaultTargets, random: () => number, startedAt: number, untilMs: number, log: (line: string) => void): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  const endings: Array<Promise<void>> = [];
  const order = [...faultKinds].sort(() => random() - 0.5);
  const active = new Set<FaultKind>();
  let index = 0;
  await sleep(2000);
  while (Date.now() + 1000 < untilMs) {
    // A kind still under way is not started again on top of itself.
    let kind = index < order.length ? order[index]! : faultKinds[Math.floor(random() * faultKinds.length)]!;
    index++;
    if (active.has(kind)) kind = faultKinds.find((k) => !active.has(k) && !k.endsWith('-killed')) ?? kind;
    const forMs = kind.endsWith('-killed') || kind === 'sessions-terminated' || kind === 'stripe-loses-answers'
      ? 0
      : Math.min(lasting.min + Math.floor(random() * (lasting.max - lasting.min)), Math.max(0, untilMs - Date.now()));
    const fault: InjectedFault = { at: Date.now() - startedAt, kind, target: '', forMs };
    injected.push(fault);
    try {
      const { target, end } = await begin(kind, targets);
      fault.target = target;
      log(`fault ${kind}: ${target}${forMs ? ` for ${(forMs / 1000).toFixed(1)} s` : ''}`);
      if (forMs > 0) {
        active.add(kind);
        endings.push(
          sleep(forMs).then(async () => {
            await end().catch((error: Error) => (fault.problem = `ending it: ${error.message}`));
            active.delete(kind);
          }),
        );
      } else if (kind === 'stripe-loses-answers') {
        // Its end only clears answers not lost yet, once the load is over.
        endings.push(sleep(Math.max(0, untilMs - Date.now())).then(() => end().catch(() => {})));
      }
    } catch (error) {
      fault.problem = (error as Error).message;
      log(`fault ${kind}: could not be injected (${fault.problem})`);
    }
    await sleep(3000 + Math.floor(random() * 4000));
  }
  await Promise.all(endings);
  return injected;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
