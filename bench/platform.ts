/**
 * The benchmark's platform, in a process of its own so the load generator does not share an event
 * loop with the gateway: started from the environment (LOCAL_DIR, the *_PORT variables, and
 * PASS_THROUGH_PORT for the pass-through worker, PROTOCOL_FLOOR_PORT for the publisher's protocol
 * floor), it prints "ready <pass-through URL> <protocol floor URL>" once every service answers and
 * stops everything on SIGINT or SIGTERM.
 *
 * With BENCH_DISTANCE=1 the workers reach the gateway, the Stripe-compatible server and the mail
 * catcher through delaying proxies (bench/distance.ts), at no delay until a line `rtt <ms>` on
 * stdin sets one; it answers `rtt <ms>` on stdout once set.
 */
import { readPlatformConfig } from '../platform/stack/config.ts';
import { LogSink } from '../platform/stack/errors.ts';
import { liftDemoLimits } from '../platform/stack/demo-limits.ts';
import { startPlatform } from '../platform/stack/index.ts';
import { startDelayingProxy, type DelayingProxy } from './distance.ts';
import { startPassThrough } from './pass-through.ts';
import { startProtocolFloor } from './protocol-floor.ts';

const config = readPlatformConfig();
const log = new LogSink(config.localDir);
const proxies: DelayingProxy[] = [];
const reachThrough = async (_service: string, url: string) => {
  const proxy = await startDelayingProxy(url, config.host);
  proxies.push(proxy);
  return proxy.url;
};
// As deployed, where Cloudflare serves the /docs pages' files outside the workers: no local asset
// router in front of them (workers.ts says what it costs).
const platform = await startPlatform(config, {
  log, assets: false, onProgress: (message) => process.stderr.write(`· ${message}\n`),
  ...(process.env.BENCH_DISTANCE === '1' ? { reachThrough } : {}),
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  for (const [, ms] of text.matchAll(/^rtt (\d+)$/gm)) {
    for (const proxy of proxies) proxy.setRtt(Number(ms));
    process.stdout.write(`rtt ${ms}\n`);
  }
});
// The load sends far more than the demo companies' limits allow; the limiter's counting still runs.
await liftDemoLimits(platform.stack.databaseUrl);
const passThrough = await startPassThrough(config.host, Number(process.env.PASS_THROUGH_PORT), platform.stack.supabase.url);
const acme = platform.stack.demo.acme!;
const protocolFloor = await startProtocolFloor(config.host, Number(process.env.PROTOCOL_FLOOR_PORT), {
  gatewayOrigin: platform.stack.supabase.url, anonKey: platform.stack.supabase.anonKey, jwtSecret: config.jwtSecret,
  consumerKey: acme.groupcommerce.consumerKey, consumerSecret: acme.groupcommerce.consumerSecret, signedOrigin: platform.stack.apis.groupcommerce,
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await passThrough.stop();
  await protocolFloor.stop();
  await platform.stop();
  for (const proxy of proxies) await proxy.stop();
  await log.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// The benchmark that started this process is gone (its end of stdin closed): nothing is left running.
process.stdin.on('end', () => void stop());
process.stdout.write(`ready ${passThrough.url} ${protocolFloor.url}\n`);
