/**
 * The benchmark's platform, in a process of its own so the load generator does not share an event
 * loop with the gateway: started from the environment (LOCAL_DIR, the *_PORT variables, and
 * PASS_THROUGH_PORT for the pass-through worker), it prints "ready <pass-through URL>" once every
 * service answers and stops everything on SIGINT or SIGTERM.
 */
import { readPlatformConfig } from '../platform/stack/config.ts';
import { LogSink } from '../platform/stack/errors.ts';
import { liftDemoLimits } from '../platform/stack/demo-limits.ts';
import { startPlatform } from '../platform/stack/index.ts';
import { startPassThrough } from './pass-through.ts';

const config = readPlatformConfig();
const log = new LogSink(config.localDir);
// As deployed, where Cloudflare serves the /docs pages' files outside the workers: no local asset
// router in front of them (workers.ts says what it costs).
const platform = await startPlatform(config, { log, assets: false, onProgress: (message) => process.stderr.write(`· ${message}\n`) });
// The load sends far more than the demo companies' limits allow; the limiter's counting still runs.
await liftDemoLimits(platform.stack.databaseUrl);
const passThrough = await startPassThrough(config.host, Number(process.env.PASS_THROUGH_PORT), platform.stack.supabase.url);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await passThrough.stop();
  await platform.stop();
  await log.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdout.write(`ready ${passThrough.url}\n`);
