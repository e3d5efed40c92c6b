/**
 * The commands around the edge as an operator uses them: `npm run smoke` against the running
 * edge (and failing on a bad credential), and `npm run dev:edge` serving the whole edge under
 * wrangler dev against the running platform.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePortBlock } from '../platform/stack/preflight.ts';
import { demo, sampleOrderForm, stack } from './helpers.ts';
import { oauthHeader } from './oauth-client.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-commands-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function smoke(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['platform/smoke.ts', ...args], { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('npm run smoke', () => {
  it('passes every check of the local edge with credentials for the five APIs', async () => {
    const credentials = join(dir, 'credentials.json');
    await writeFile(credentials, JSON.stringify(demo('acme')));
    const result = await smoke('--base', stack().apis.edge, '--credentials', credentials);
    expect(result.code, result.output).toBe(0);
    expect(result.output.match(/^✓/gm)).toHaveLength(1 + 5 * 3);
    expect(result.output).toContain('smoke: every check passed');
  });

  it('fails, naming the check, when a credential is refused', async () => {
    const credentials = join(dir, 'wrong.json');
    await writeFile(credentials, JSON.stringify({ ...demo('acme'), kit: { token: 'kit_at_not-a-token' } }));
    const result = await smoke('--base', stack().apis.edge, '--credentials', credentials);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^✗ kit: GET \/v4\/purchases: answered 401/m);
    expect(result.output).toContain('smoke: 1 check(s) failed');
  });

  it('fails when nothing answers, and refuses a base that is not an origin', async () => {
    const [port] = await freePortBlock(1);
    const down = await smoke('--base', `http://127.0.0.1:${port}`, '--timeout', '2000');
    expect(down.code).toBe(1);
    expect((await smoke('--base', 'not a url')).code).toBe(2);
  });
});

describe('npm run dev:edge', () => {
  it('serves the five APIs on one origin under wrangler dev, against the running platform', async () => {
    const [port] = await freePortBlock(1);
    const child = spawn(process.execPath, ['platform/dev-edge.ts', '--port', String(port)], {
      env: { ...process.env, LOCAL_DIR: inject('localDir'), WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const origin = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 90_000;
      while (!/Ready on/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await (await fetch(`${origin}/health?deep=1`)).json()).toMatchObject({ status: 'ok' });
      const kit = await fetch(`${origin}/v4/purchases`, { headers: { Authorization: `Bearer ${demo('acme').kit.token}` } });
      expect(kit.status).toBe(200);
      // A publisher order signed for wrangler dev's origin verifies there.
      const url = `${origin}/api/v3/publisher/order`;
      const body = new URLSearchParams(sampleOrderForm()).toString();
      const order = await fetch(url, {
        method: 'POST',
        headers: { Authorization: oauthHeader(demo('acme').groupcommerce, url, 'POST', body), 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(order.status, await order.clone().text()).toBe(200);
    } finally {
      // wrangler dev runs workerd as a child of its own: stop the whole group.
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        // already gone
      }
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  }, 150_000);
});
