/**
 * `npm run chaos`: faults under load, checked (platform/chaos/run.ts). Exit 0 when nothing
 * acknowledged was lost, nothing is in the ledger twice, nothing refused was written, the money
 * adds up, nothing is left undelivered, and at least five kinds of fault were injected.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { mustBeZero, runChaos, type ChaosSummary } from './chaos/run.ts';

const help = `Usage: npm run chaos [-- --duration S] [-- --seed N] [-- --json]

Starts a platform of its own (in .local/chaos, on free ports, cards charged through the local
Stripe server) and runs a mixed load of writes on all five APIs through the edge, each client
retrying as its API's reference allows, with webhook endpoints listening, while faults are
injected on a seeded schedule, overlapping: PostgreSQL, PostgREST and workerd killed (the platform
restarts them), database sessions terminated, the Stripe server down, slow, and losing its
answers after charging, the mail server down, webhook receivers answering 500 and timing out.
Then the faults stop, the platform drains, and the ledger, the Stripe server and the receivers
are checked. docs/testing.md says what each figure means.

Options:
  --duration S   seconds of load and faults (default 300)
  --seed N       the schedule's seed (default: a random one, printed; the same seed, the same schedule)
  --clients N    clients writing at once (default 6)
  --drain S      longest wait for the platform to settle afterwards (default 180)
  --json         end with the summary as one JSON object on the last line
  --help         show this text

Exit status: 0 when lost, duplicated, phantom, moneyMismatches, unsettledCharges, stuckDeliveries
and webhookIdMismatches are all 0 and at least five kinds of fault were injected; 1 otherwise.`;

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`--${name} takes a whole number above 0, not ${raw}`);
    process.exit(2);
  }
  return value;
}

function report(summary: ChaosSummary): string {
  const zeros = mustBeZero.map((name) => `${name} ${summary[name]}`).join(', ');
  return [
    `${summary.writes} writes in ${summary.durationSeconds} s (${Object.entries(summary.writesByApi).map(([api, n]) => `${api} ${n}`).join(', ')}):`,
    `  ${summary.acknowledged} acknowledged, ${summary.refused} refused, ${summary.unknown} unknown to their clients`,
    `  ${summary.faults.length} faults of ${summary.faultKinds} kinds; drained in ${summary.drainedSeconds} s`,
    `  ${zeros}`,
    ...summary.examples.map((line) => `  ${line}`),
  ].join('\n');
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        duration: { type: 'string' },
        seed: { type: 'string' },
        clients: { type: 'string' },
        drain: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help}`);
    process.exit(2);
  }
})();
if (values.help) {
  console.log(help);
  process.exit(0);
}

const summary = await runChaos({
  durationSeconds: positiveInteger(values.duration, 'duration', 300),
  seed: values.seed === undefined ? randomInt(2 ** 31) : positiveInteger(values.seed, 'seed', 1),
  clients: positiveInteger(values.clients, 'clients', 6),
  drainSeconds: positiveInteger(values.drain, 'drain', 180),
  progress: (line) => console.log(`· ${line}`),
}).catch((error: Error) => {
  console.error(`npm run chaos: ${error.message}`);
  process.exit(1);
});
console.log(report(summary));
const passed = mustBeZero.every((name) => summary[name] === 0) && summary.faultKinds >= 5;
console.log(passed ? 'chaos: every check held' : 'chaos: a check failed (above)');
if (values.json) console.log(JSON.stringify(summary));
process.exit(passed ? 0 : 1);
