/** The simulated distance: a delaying proxy on loopback in front of a real HTTP server. */
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayingProxy, type DelayingProxy } from './distance.ts';

let server: Server;
let origin: string;
let proxy: DelayingProxy;
// Keep-alive, as workerd keeps its connections to the gateway: the delay is charged per exchange, not per connection.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => res.end(`${req.method} ${req.url} ${body.length}`));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address() as { port: number };
  origin = `http://127.0.0.1:${address.port}/rest`;
  proxy = await startDelayingProxy(origin, '127.0.0.1');
});

afterAll(async () => {
  agent.destroy();
  await proxy.stop();
  await new Promise((done) => server.close(done));
});

/** One exchange through the proxy on the kept connection: its answer and how long it took. */
function exchange(body = ''): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const req = request(`${proxy.url}/rpc/x`, { method: 'POST', agent }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done({ text, ms: performance.now() - started }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('startDelayingProxy', () => {
  it("keeps the service's path and answers as the service does", async () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rest$/);
    expect(proxy.url).not.toBe(origin);
    expect((await exchange('{"a":1}')).text).toBe('POST /rest/rpc/x 7');
  });

  it('charges a round trip per exchange, on a kept connection, and none at zero', async () => {
    await exchange();
    proxy.setRtt(60);
    const far = [await exchange(), await exchange(), await exchange()];
    proxy.setRtt(0);
    const near = await exchange();
    for (const { ms } of far) {
      expect(ms).toBeGreaterThanOrEqual(59);
      expect(ms).toBeLessThan(120);
    }
    expect(near.ms).toBeLessThan(30);
  });

  it('delivers a large body whole and in order', async () => {
    proxy.setRtt(20);
    const body = 'x'.repeat(2_000_000);
    const { text } = await exchange(body);
    proxy.setRtt(0);
    expect(text).toBe(`POST /rest/rpc/x ${body.length}`);
  });
});
