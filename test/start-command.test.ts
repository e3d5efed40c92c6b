/**
 * `npm start` as a person meets it: ready banner, a second start refused, README's and docs/'s
 * examples and `npm run try` for every API answering as written on the fresh platform, SIGTERM and
 * SIGINT to npm's own pid leaving nothing behind, a port in use or an unreachable database named
 * in one line.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCompanies } from '../platform/demo.ts';
import { apiNames } from '../platform/stack/config.ts';
import { freePortBlock } from '../platform/stack/preflight.ts';
import { portMover, runTry, sendDocumentedExamples, tryPromises } from './first-hour.ts';
import { stack, superuser } from './helpers.ts';

const localDir = resolve('.local', 'test-start');
const ports = await freePortBlock(11);
const portEnv: Record<string, number> = {
  POSTGRES_PORT: ports[0]!,
  POSTGREST_PORT: ports[1]!,
  GATEWAY_PORT: ports[2]!,
  EDGE_PORT: ports[3]!,
  MAIL_PORT: ports[4]!,
  STRIPE_PORT: ports[5]!,
  ...Object.fromEntries(apiNames.map((api, i) => [`${api.toUpperCase()}_PORT`, ports[6 + i]!])),
};

/** `npm start` itself (npm, the shell it runs the script in, then the platform), as a script or a process manager starts it. */
function npmStart(): ReturnType<typeof start> {
  const npm = process.env.npm_execpath;
  return start({}, [], npm && /\.[cm]?js$/.test(npm) ? [process.execPath, npm] : ['npm']);
}

function start(extra: Record<string, string> = {}, args: string[] = [], through?: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const [command, ...prefix] = through ? [...through, 'start', '--', '--quiet'] : [process.execPath, 'platform/start.ts', '--quiet'];
  const child = spawn(command!, [...prefix, ...args], {
    env: { ...process.env, DATABASE_URL: '', LOCAL_DIR: localDir, ...Object.fromEntries(Object.entries(portEnv).map(([k, v]) => [k, String(v)])), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exit };
}

/**
 * Stops a start that failed its test, so the next test finds the ports free: SIGTERM (npm passes it
 * on; SIGKILL would leave the platform running without npm), then SIGKILL if it is still there.
 */
async function stopAfterFailure(run: ReturnType<typeof start>): Promise<void> {
  run.child.kill('SIGTERM');
  const stopped = await Promise.race([run.exit.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), 15_000))]);
  if (!stopped) run.child.kill('SIGKILL');
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const portIsFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

afterAll(async () => rm(localDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('on a fresh platform: ready, a second start refused, every documented example and try as written, then SIGTERM to npm\'s pid stops everything', async () => {
    await rm(localDir, { recursive: true, force: true });
    const first = npmStart();
    try {
      await until(() => first.output().includes('Platform ready'), 90_000);
      for (const api of apiNames) expect(first.output()).toContain(`http://127.0.0.1:${portEnv[`${api.toUpperCase()}_PORT`]}`);
      expect(first.output()).toContain(`edge           http://127.0.0.1:${portEnv.EDGE_PORT}`);
      expect(first.output()).toContain('Try an API from another terminal: npm run try -- lumen | operations | dpd | kit | groupcommerce');
      expect(existsSync(join(localDir, 'stack.json'))).toBe(true);

      const second = start();
      expect(await second.exit).toBe(1);
      expect(second.output()).toMatch(/the platform is already running from .*test-start \(process \d+\)/);

      // README and docs/, as written, on the platform as it started.
      const { sent, problems } = await sendDocumentedExamples(portMover(portEnv));
      expect(problems).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(10);
      for (const api of apiNames) {
        const run = await runTry(localDir, api);
        expect(run.code, run.output).toBe(0);
        for (const promise of tryPromises[api]!) expect(run.output).toMatch(promise);
      }
      // Against a deployed edge, what writes waits for --write.
      const credentials = join(localDir, 'try-credentials.json');
      await writeFile(credentials, JSON.stringify({ kit: { token: demoCompanies.acme!.kit.token } }));
      const edge = `http://127.0.0.1:${portEnv.EDGE_PORT}`;
      const remote = await runTry(localDir, 'kit', '--base', edge, '--credentials', credentials);
      expect(remote.code, remote.output).toBe(0);
      expect(remote.output).toContain(`── kit · create: the reference's example purchase\n(not sent: it writes to ${edge}; add --write to send it)`);
      expect(remote.output).toMatch(/── kit · list[\s\S]*?\n← 200\b/);
      // The seeded limits are the ones docs/limits.md shows.
      const limits = await promisify(execFile)(process.execPath, ['admin/index.ts', 'limit', 'list', '--company', 'acme'], { env: { ...process.env, LOCAL_DIR: localDir } });
      const documented = await readFile('docs/limits.md', 'utf8');
      for (const line of limits.stdout.trim().split('\n')) expect(documented).toContain(line);
    } catch (error) {
      await stopAfterFailure(first);
      throw error;
    }
    const sentAt = Date.now();
    // Exactly what a script, a process manager or a CI step does: the one pid, not the group.
    first.child.kill('SIGTERM');
    await first.exit;
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(localDir, 'platform.pid'))).toBe(false);
  }, 300_000);

  it('stops everything within seconds when SIGINT is sent to the pid npm start was started as', async () => {
    const run = npmStart();
    try {
      await until(() => run.output().includes('Platform ready'), 90_000);
    } catch (error) {
      await stopAfterFailure(run);
      throw error;
    }
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    await run.exit;
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(localDir, 'platform.pid'))).toBe(false);
  }, 120_000);

  it('names a port in use and starts nothing', async () => {
    const blocker = createServer().listen(portEnv.GATEWAY_PORT!, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const run = start();
      expect(await run.exit).toBe(1);
      expect(run.output()).toContain(`port ${portEnv.GATEWAY_PORT!} (GATEWAY_PORT) is in use by another program`);
      expect(run.output()).toContain('free it or set GATEWAY_PORT');
      expect(await portIsFree(portEnv.POSTGRES_PORT!)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('names an unreachable DATABASE_URL and leaves nothing running', async () => {
    const run = start({ DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none' });
    expect(await run.exit).toBe(1);
    expect(run.output()).toMatch(/npm start: cannot connect to the database: .*\n {2}→ check DATABASE_URL/);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });

  it('seeds a database given by DATABASE_URL only when asked (--seed): its demo credentials are public', async () => {
    const db = await superuser();
    const names = [`start_seedless_${process.pid}`, `start_seeded_${process.pid}`];
    try {
      for (const name of names) await db.query(`drop database if exists ${name}`).then(() => db.query(`create database ${name}`));
      for (const [name, args] of [[names[0]!, []], [names[1]!, ['--seed']]] as const) {
        const url = new URL(stack().databaseUrl);
        url.pathname = `/${name}`;
        const run = start({ DATABASE_URL: url.toString() }, [...args]);
        try {
          await until(() => run.output().includes('Platform ready'), 90_000);
        } finally {
          run.child.kill('SIGTERM');
        }
        await run.exit;
        const target = new pg.Client({ connectionString: url.toString() });
        await target.connect();
        try {
          const { rows } = await target.query('select count(*)::int as n from ledger.companies');
          expect(rows[0].n, `${name} ${args.join(' ')}`).toBe(args.length === 0 ? 0 : 2);
        } finally {
          await target.end();
        }
      }
    } finally {
      for (const name of names) await db.query(`drop database if exists ${name} with (force)`);
      await db.end();
    }
  }, 240_000);
});
