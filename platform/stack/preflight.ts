/** Checks made before anything starts: one platform per folder, and every port free. */
import { readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { apiNames, type PlatformConfig } from './config.ts';
import { PlatformError } from './errors.ts';

/** Refuses when a live process other than this one holds `<localDir>/platform.pid`. */
export async function assertNotRunning(localDir: string): Promise<void> {
  const holder = Number.parseInt(await readFile(join(localDir, 'platform.pid'), 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new PlatformError(
      `the platform is already running from ${localDir} (process ${holder})`,
      `use that one, or stop it with Ctrl-C in its terminal (or kill ${holder})`,
    );
  }
}

/** Takes `<localDir>/platform.pid`; refuses when a live process holds it. Returns the release. */
export async function acquireLock(localDir: string): Promise<() => Promise<void>> {
  const path = join(localDir, 'platform.pid');
  await assertNotRunning(localDir);
  await writeFile(path, `${process.pid}\n`);
  const release = () => {
    const current = Number.parseInt(readFileSafe(path), 10);
    if (current === process.pid) rmSync(path, { force: true });
  };
  // Released on any exit, including one forced by a signal handler elsewhere.
  process.once('exit', release);
  return async () => {
    process.off('exit', release);
    release();
  };
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Fails with the port's variable name when another program already listens on it. */
export async function assertPortsFree(config: PlatformConfig): Promise<void> {
  const ports: Array<[string, number]> = [
    ['POSTGREST_PORT', config.postgrestPort],
    ['GATEWAY_PORT', config.gatewayPort],
    ['EDGE_PORT', config.edgePort],
    ['MAIL_PORT', config.mailPort],
    ...(config.paymentProcessor === 'stripe' ? ([['STRIPE_PORT', config.stripePort]] as Array<[string, number]>) : []),
    ...apiNames.map((api): [string, number] => [`${api.toUpperCase()}_PORT`, config.workerPorts[api]]),
  ];
  if (!config.databaseUrl) ports.unshift(['POSTGRES_PORT', config.postgresPort]);
  const seen = new Map<number, string>();
  for (const [name, port] of ports) {
    const twin = seen.get(port);
    if (twin) throw new PlatformError(`${name} and ${twin} are both ${port}`, 'give each service its own port');
    seen.set(port, name);
    if (!(await canListen(config.host, port))) {
      throw new PlatformError(`port ${port} (${name}) is in use by another program`, `free it or set ${name}`);
    }
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports below Linux's ephemeral range (32768+), so that ports the system
 * hands out at random to other sockets (workerd's own, clients') cannot collide with them later.
 */
export async function freePortBlock(count: number, host = '127.0.0.1'): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const free = await Promise.all(ports.map((port) => canListen(host, port)));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found between 20000 and 32000`);
}

/**
 * The *_PORT variables (readPlatformConfig's) of a free port block for a whole platform, so that
 * a second platform (the tests', the benchmark's) runs beside a developer's `npm start`.
 */
export async function freePortEnvironment(): Promise<Record<string, string>> {
  const [postgres, postgrest, gateway, edge, mail, stripe, ...workers] = await freePortBlock(6 + apiNames.length);
  return {
    POSTGRES_PORT: String(postgres),
    POSTGREST_PORT: String(postgrest),
    GATEWAY_PORT: String(gateway),
    EDGE_PORT: String(edge),
    MAIL_PORT: String(mail),
    STRIPE_PORT: String(stripe),
    ...Object.fromEntries(apiNames.map((api, i) => [`${api.toUpperCase()}_PORT`, String(workers[i])])),
  };
}
