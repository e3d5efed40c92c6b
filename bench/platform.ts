/**
 * The benchmark's platform, in a process of its own so the load generator does not share an event
 * loop with the gateway: started from the environment (LOCAL_DIR, the *_PORT variables), it prints
 * "ready" once every service answers and stops everything on SIGINT or SIGTERM.
 */
import { readPlatformConfig } from '../platform/stack/config.ts';
import { LogSink } from '../platform/stack/errors.ts';
import { startPlatform } from '../platform/stack/index.ts';

const config = readPlatformConfig();
const log = new LogSink(config.localDir);
const platform = await startPlatform(config, { log, onProgress: (message) => process.stderr.write(`· ${message}\n`) });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await platform.stop();
  await log.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdout.write('ready\n');
