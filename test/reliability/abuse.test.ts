/**
 * What an attack on the running platform found, each kept as a test through the full stack: pages
 * of other sites sending changes, deep health checks as a door to the database, replays spending
 * a publisher's allowance, a card charged for an order the database would refuse, odd input
 * answered 500, error answers larger than the request, mail to anyone, webhook addresses written
 * to slip past the checks, and the admin CLI's idea of local development. (Limits on made-up
 * credentials per client, IPv6 and shared addresses: abuse-limits.test.ts, on workers of its own.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publicLocalSecrets } from '../../shared/env/local-defaults.ts';
import type { StackInfo } from '../../platform/stack/index.ts';
import { startReceiver, until } from '../deliveries-helpers.ts';
import { admin, companyFootprint, roundTrips, stack, superuser } from '../helpers.ts';
import { oauthHeader } from '../oauth-client.ts';
import { cli, createTestCompany, type TestCompany } from './company.ts';
import { endpoints, isErrorShape } from './requests.ts';
import { record } from './report.ts';

let db: pg.Client;
let company: TestCompany;
let footprint: () => Promise<number>;

beforeAll(async () => {
  db = await superuser();
  company = await createTestCompany('abuse', 'Abuse Test Co');
  footprint = async () => Object.values(await companyFootprint(db, company.id)).reduce((sum, n) => sum + n, 0);
}, 120_000);
afterAll(async () => db?.end());

/** The company as requests.ts's endpoints take it (the shape of a demo company's block). */
function asDemo(c: TestCompany): StackInfo['demo'][string] {
  return {
    lumen: { apiKey: c.lumenKey, productIds: [c.lumenProduct] },
    operations: { apiKey: c.opsKey, leadIds: [c.leadId], productIds: [c.productId] },
    dpd: { username: c.dpdUser, password: c.dpdPassword, purchaseIds: [c.purchaseNumber] },
    kit: { token: c.kitToken },
    groupcommerce: { consumerKey: c.consumerKey, consumerSecret: c.consumerSecret },
  } as unknown as StackInfo['demo'][string];
}

/** The stack with every API reached through the edge entry (vendor paths are the same there). */
function throughEdge(): StackInfo {
  const s = stack();
  return { ...s, apis: Object.fromEntries(Object.keys(s.apis).map((api) => [api, s.apis.edge])) as StackInfo['apis'] };
}

const offSiteOrder = (extra: Record<string, string> = {}) => ({
  'ConsumerInfo.UserKey': `abuse-${randomUUID()}`, 'ConsumerInfo.Email': `abuse-${randomUUID()}@example.com`, 'ConsumerInfo.FirstName': 'Ab', 'ConsumerInfo.LastName': 'User',
  'BillingInfo.PaymentCapturedOffSite': 'True',
  'OrderDetails[0].OfferId': String(company.offerId), 'OrderDetails[0].OfferOptionId': String(company.optionId),
  'OrderDetails[0].Quantity': '1', 'OrderDetails[0].SegmentKey': company.segment,
  ...extra,
});

function signedPost(path: string, form: Record<string, string> | string, headers: Record<string, string> = {}, nonce?: string) {
  const url = `${stack().apis.groupcommerce}${path}`;
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const authorization = oauthHeader({ consumerKey: company.consumerKey, consumerSecret: company.consumerSecret }, url, 'POST', body, undefined, nonce);
  return { url, init: { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body } };
}

describe('cross-site requests', () => {
  const crossSite = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };

  it('refuse every state-changing route of every API with a 403 in its shape, directly and through the edge, writing nothing', async () => {
    const writes = endpoints.filter((e) => e.write);
    expect(new Set(writes.map((e) => e.api))).toEqual(new Set(['lumen', 'operations', 'kit', 'dpd', 'groupcommerce']));
    let refused = 0;
    for (const target of [stack(), throughEdge()]) {
      for (const endpoint of writes) {
        for (const headers of [crossSite, { Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'same-site' }] as Array<Record<string, string>>) {
          const before = await footprint();
          const res = await endpoint.send(target, asDemo(company), { headers });
          const text = await res.text();
          expect(res.status, `${endpoint.api} ${endpoint.name} ${JSON.stringify(headers)}: ${text}`).toBe(403);
          expect(isErrorShape(endpoint.api, text), text).toBe(true);
          expect(text).toMatch(/another site/);
          expect(await footprint()).toBe(before);
          refused++;
        }
      }
    }
    record('abuse', { attack: 'cross-site', refused });
  });

  it("mails nothing to the attacker: DPD's reactivate from another site's form", async () => {
    const attacker = `attacker-${randomUUID()}@evil.example`;
    const url = `${stack().apis.dpd}/purchases/${company.purchaseNumber}/reactivate?customer_email=${encodeURIComponent(attacker)}&refulfill=true`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...crossSite, Authorization: `Basic ${btoa(`${company.dpdUser}:${company.dpdPassword}`)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect([res.status, await res.json()]).toEqual([403, { status: 'FORBIDDEN', message: expect.stringMatching(/another site/) }]);
    expect((await db.query('select count(*)::int as n from ledger.email_outbox where to_address = $1', [attacker])).rows[0].n).toBe(0);
  });

  it("let servers (no Origin), the API's own pages and the edge's own origin through", async () => {
    const lumen = endpoints.find((e) => e.api === 'lumen')!;
    expect((await lumen.send(stack(), asDemo(company))).status).toBe(201);
    expect((await lumen.send(stack(), asDemo(company), { headers: { Origin: new URL(stack().apis.lumen).origin, 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(201);
    expect((await lumen.send(throughEdge(), asDemo(company), { headers: { Origin: new URL(stack().apis.edge).origin } })).status).toBe(201);
    // Reads are not changes: a cross-site GET is answered as any other.
    const kit = endpoints.find((e) => e.api === 'kit' && !e.write)!;
    expect((await kit.send(stack(), asDemo(company), { headers: crossSite })).status).toBe(200);
  });
});

describe('deep health checks', () => {
  it('cost the database a few round trips however many are asked, and each address has a bucket at the edge', async () => {
    const address = `198.51.100.${Math.floor(Math.random() * 200) + 20}`;
    const statuses: number[] = [];
    let trips = 0;
    for (let i = 0; i < 40; i++) {
      const requestId = `deep-${randomUUID()}`;
      const res = await fetch(`${stack().apis.edge}/health?deep=1`, { headers: { 'CF-Connecting-IP': address, 'X-Request-Id': requestId } });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
      await res.arrayBuffer();
      trips += await roundTrips(requestId);
    }
    // 30 a minute per address (wrangler.toml); each worker asks the database at most every 5 s.
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    expect(trips).toBeLessThanOrEqual(10);
    // Another address still has its own bucket.
    expect((await fetch(`${stack().apis.edge}/lumen/health?deep=1`, { headers: { 'CF-Connecting-IP': '198.51.100.7' } })).status).toBe(200);
    // A worker asked directly reuses its check as well.
    let direct = 0;
    for (let i = 0; i < 20; i++) {
      const requestId = `deep-direct-${randomUUID()}`;
      expect((await fetch(`${stack().apis.kit}/health?deep=1`, { headers: { 'X-Request-Id': requestId } })).status).toBe(200);
      direct += await roundTrips(requestId);
    }
    expect(direct).toBeLessThanOrEqual(2);
    record('abuse', { attack: 'deep health', asked: 60, databaseRoundTrips: trips + direct, refusedAtEdge: 10 });
  });
});

describe('replays', () => {
  it("give back the permit they took: 20 replays of a signed order leave the publisher's allowance as it was", async () => {
    const { url, init } = signedPost('/api/v3/publisher/order', offSiteOrder());
    const first = await fetch(url, init);
    expect(first.status).toBe(200);
    const remaining = Number(first.headers.get('RateLimit-Remaining'));
    for (let i = 0; i < 20; i++) {
      const replay = await fetch(url, init);
      expect(replay.status).toBe(401);
      expect(await replay.text()).toMatch(/already used/);
    }
    // The permits come back after the answers (waitUntil): the next signed request sees them.
    await new Promise((r) => setTimeout(r, 300));
    const next = signedPost('/api/v3/publisher/order/validate', offSiteOrder());
    const after = await fetch(next.url, next.init);
    expect(after.status).toBe(200);
    expect(Number(after.headers.get('RateLimit-Remaining'))).toBe(remaining - 1);
    record('abuse', { attack: 'replay', replays: 20, allowanceSpent: remaining - Number(after.headers.get('RateLimit-Remaining')) });
  });
});

describe('what the database would refuse', () => {
  it('is refused before a card is charged: a stored card expiring in 2300', async () => {
    const before = await footprint();
    const { url, init } = signedPost('/api/v3/publisher/order', {
      ...offSiteOrder(),
      'BillingInfo.PaymentCapturedOffSite': 'False',
      'BillingInfo.NameOnCard': 'Ab User', 'BillingInfo.CardNumber': '4242424242424242', 'BillingInfo.CVV': '123',
      'BillingInfo.ExpirationMonth': '12', 'BillingInfo.ExpirationYear': '2300', 'BillingInfo.StoreCreditCard': 'True',
      'BillingInfo.BillingAddress': '1 Way', 'BillingInfo.BillingCity': 'Town', 'BillingInfo.BillingState': 'ST', 'BillingInfo.BillingZip': '12345',
    });
    const res = await fetch(url, init);
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(res.status).toBe(400);
    expect(body.errors.map((e) => e.message)).toEqual(['BillingInfo.ExpirationYear: is more than 50 years away; no card expires so late']);
    expect(await footprint()).toBe(before);
  });

  it('is a 400 naming the field, never a 500: a long OAuth nonce, a lone surrogate in free-form properties', async () => {
    const before = await footprint();
    const { url, init } = signedPost('/api/v3/publisher/order/validate', offSiteOrder(), {}, 'n'.repeat(300));
    const nonce = await fetch(url, init);
    expect(nonce.status).toBe(400);
    expect(await nonce.text()).toContain('oauth_nonce must be at most 255 characters');

    const lumen = endpoints.find((e) => e.api === 'lumen')!;
    const valid = JSON.parse(lumen.validBody(asDemo(company))!);
    for (const [raw, field] of [
      ['{"note":"\\ud800"}', 'properties.note'],
      ['{"\\udfff":"x"}', 'properties.\ufffd'],
      ['{"list":["ok","\\u0000"]}', 'properties.list[1]'],
    ] as const) {
      const body = JSON.stringify({ ...valid, properties: '@@' }).replace('"@@"', raw);
      const res = await lumen.send(stack(), asDemo(company), { body });
      const answer = (await res.json()) as { error: { code: string; details: Array<{ field: string; message: string }> } };
      expect(res.status, JSON.stringify(answer)).toBe(400);
      expect(answer.error.code).toBe('INVALID_INPUT');
      expect(answer.error.details.map((d) => d.field)).toEqual([expect.stringContaining(field)]);
    }
    expect(await footprint()).toBe(before);
  });
});

describe('error answers', () => {
  it('stay small: a 60 KB body of unknown keys gets at most 20 problems and a count of the rest, on every API', async () => {
    const unknownKeys = Object.fromEntries(Array.from({ length: 2900 }, (_, i) => [`unknown_${String(i).padStart(4, '0')}_${'k'.repeat(4)}`, 1]));
    const sizes: Record<string, number> = {};
    for (const endpoint of endpoints.filter((e) => e.write && e.contentType === 'application/json')) {
      const valid = JSON.parse(endpoint.validBody(asDemo(company))!);
      const body = JSON.stringify({ ...valid, ...unknownKeys });
      expect(body.length).toBeGreaterThan(58_000);
      expect(body.length).toBeLessThan(64 * 1024);
      const res = await endpoint.send(stack(), asDemo(company), { body });
      const text = await res.text();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(isErrorShape(endpoint.api, text)).toBe(true);
      expect(text).toMatch(/more problems not listed/);
      sizes[`${endpoint.api} ${endpoint.name}`] = text.length;
      expect(text.length, `${endpoint.api}: ${text.length} bytes`).toBeLessThan(6_000);
    }
    const form = new URLSearchParams(offSiteOrder());
    // The form's own bound is 500 fields: 400 long unknown names make the 60 KB.
    for (let i = 0; i < 400; i++) form.append(`Unknown${i}${'x'.repeat(140)}`, '1');
    expect(form.toString().length).toBeGreaterThan(58_000);
    const { url, init } = signedPost('/api/v3/publisher/order/validate', form.toString());
    const order = await (await fetch(url, init)).text();
    expect(order).toMatch(/more problems not listed/);
    expect(order.length).toBeLessThan(6_000);
    sizes['groupcommerce order'] = order.length;
    record('abuse', { attack: 'amplification', answerBytes: sizes });
  });
});

describe('mail', () => {
  it('is bounded per company: past its hourly quota it is held, the answer unchanged, until an operator releases it', async () => {
    const to = (n: number) => `quota-${n}-${randomUUID()}@example.com`;
    const recipients = [to(1), to(2), to(3)];
    const already = (await db.query(`select count(*)::int as n from ledger.email_outbox where company_id = $1 and created_at > now() - interval '1 hour'`, [company.id])).rows[0].n;
    // Room for two more this hour: set the quota to what the company already sent plus two.
    await cli('company', 'set', '--slug', company.slug, '--mail-quota', String(already + 2));
    for (const address of recipients) {
      const res = await fetch(`${stack().apis.dpd}/purchases/${company.purchaseNumber}/reactivate?customer_email=${encodeURIComponent(address)}`, {
        method: 'POST',
        headers: { Authorization: `Basic ${btoa(`${company.dpdUser}:${company.dpdPassword}`)}` },
      });
      expect([res.status, await res.json()]).toEqual([200, { status: 'OK' }]);
    }
    const states = async () =>
      (await db.query(`select to_address, state from ledger.email_outbox where to_address = any($1) order by to_address`, [recipients])).rows.map((r) => [r.to_address, r.state]);
    expect((await states()).find(([address]) => address === recipients[2])).toEqual([recipients[2], 'held']);
    // The worker says so in its error log.
    await until('the held mail logged', async () =>
      (await readFile(join(inject('localDir'), 'logs', 'worker-dpd.log'), 'utf8')).split('\n').some((line) => line.includes('"level":"error"') && line.includes('mail held')),
    );
    const held = JSON.parse((await admin('outbox', 'list', '--company', company.slug, '--state', 'held', '--json')).stdout) as Array<{ to: string }>;
    expect(held.map((h) => h.to)).toEqual([recipients[2]]);
    // Held is terminal: the relay's sweeps leave it alone.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await states()).find(([address]) => address === recipients[2])![1]).toBe('held');
    const released = JSON.parse((await admin('outbox', 'release', '--company', company.slug, '--json')).stdout) as { released: string[] };
    expect(released.released).toHaveLength(1);
    await until('the released mail delivered', async () => (await states()).every(([, state]) => state === 'delivered'), 20_000);
    await cli('company', 'set', '--slug', company.slug, '--mail-quota', '500');
    record('abuse', { attack: 'mail to anyone', quota: already + 2, held: 1, releasedAndDelivered: 1 });
  });

  it("sends a gift's free text as the giver's words: plain, escaped, no link of ours, naming the sending company", async () => {
    const friend = `friend-${randomUUID()}@example.com`;
    const message = 'Claim it <a href="https://evil.example/login">here</a> or at https://evil.example/x';
    const { url, init } = signedPost('/api/v3/publisher/order', offSiteOrder({
      'OrderDetails[0].IsGift': 'True', 'OrderDetails[0].EmailAddress': friend, 'OrderDetails[0].FirstName': 'Fay', 'OrderDetails[0].Message': message,
    }));
    expect((await fetch(url, init)).status).toBe(200);
    const [notice] = await until('the gift notice', async () => {
      const mail = (await (await fetch(`${stack().mail.messagesUrl}?to=${encodeURIComponent(friend)}`)).json()) as Array<{ subject: string; text: string; html: string }>;
      return mail.length > 0 && mail;
    });
    expect(notice!.text).toContain(`Ab User wrote: “${message}”`);
    expect(notice!.text).toContain('Abuse Test Co sent this email for Ab User');
    expect(notice!.html).toContain('Claim it &lt;a href=&quot;https://evil.example/login&quot;&gt;here&lt;/a&gt; or at https://evil.example/x');
    expect(notice!.html).not.toMatch(/<a [^>]*evil\.example/);
    expect(notice!.subject).toContain('Abuse Test Co');
  });
});

describe('webhook endpoints', () => {
  // 10.0.0.1 written five ways, and ranges that reach private space through a translator or relay.
  it.each([
    'https://[::10.0.0.1]/hook', 'https://[::ffff:0:a00:1]/hook', 'https://[64:ff9b:1::a00:1]/hook', 'https://[2002:a00:1::]/hook', 'https://[fec0::1]/hook',
    'https://167772161/hook', 'https://012.0.0.1/hook', 'https://0xa.0.0.1/hook',
  ])('refuses %s, however the address is written', async (url) => {
    const added = await admin('webhook', 'add', '--company', company.slug, '--url', url);
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(/private|NAT64|6to4|site-local/);
  });
});

describe('webhook redirects', () => {
  it('are not followed: a receiver that redirects elsewhere gets its delivery retried, and the other address nothing', async () => {
    const elsewhere = await startReceiver();
    const redirecting = await startReceiver(() => ({ status: 307, headers: { Location: elsewhere.url } }));
    try {
      const { id } = await cli('webhook', 'add', '--company', company.slug, '--url', redirecting.url, '--events', 'purchase.created');
      const lumen = endpoints.find((e) => e.api === 'lumen')!;
      expect((await lumen.send(stack(), asDemo(company))).status).toBe(201);
      const attempt = await until('a delivery attempt', async () =>
        (await db.query(
          `select a.status, a.error from ledger.webhook_attempts a join ledger.webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1`,
          [id],
        )).rows[0],
      );
      expect(attempt).toMatchObject({ status: 307, error: expect.stringMatching(/redirects are not followed/) });
      expect(redirecting.requests.length).toBeGreaterThanOrEqual(1);
      expect(elsewhere.requests).toEqual([]);
      await cli('webhook', 'disable', '--id', id);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });
});

describe('the admin CLI outside local development', () => {
  const exec = promisify(execFile);
  async function run(env: Record<string, string>, ...args: string[]) {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['admin/index.ts', ...args, '--database-url', stack().databaseUrl], { env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  }

  it("seals nothing with the public local keys unless the database is npm start's own, or --local says so", async () => {
    // Another folder's stack.json (none): this database is not the local platform's.
    const elsewhere = { LOCAL_DIR: await mkdtemp(join(tmpdir(), 'admin-remote-')), OAUTH_CONSUMER_SECRET_KEY: '', CREDENTIAL_TAG_KEY: '', WEBHOOK_SECRET_KEY: '' };
    const unset = await run(elsewhere, 'credential', 'issue', 'groupcommerce', '--company', company.slug);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/is not set and this is not the local platform's database/);
    const leaked = await run({ ...elsewhere, CREDENTIAL_TAG_KEY: publicLocalSecrets.credentialTagKey }, 'credential', 'issue', 'kit', '--company', company.slug);
    expect(leaked.code).toBe(1);
    expect(leaked.stderr).toMatch(/CREDENTIAL_TAG_KEY holds the public local default/);
    // Commands that seal nothing need no key; a local receiver is no webhook endpoint there.
    expect((await run(elsewhere, 'company', 'list')).code).toBe(0);
    const webhook = await run(elsewhere, 'webhook', 'add', '--company', company.slug, '--url', 'http://127.0.0.1:9/hook');
    expect([webhook.code, webhook.stderr]).toEqual([1, expect.stringMatching(/not https/)]);
    // Said explicitly, it is local development.
    expect((await run(elsewhere, 'credential', 'issue', 'kit', '--company', company.slug, '--local')).code).toBe(0);
    // And the test platform's own stack.json makes it local, as npm start's does.
    expect((await run({ LOCAL_DIR: inject('localDir') }, 'credential', 'issue', 'kit', '--company', company.slug)).code).toBe(0);
  });
});

describe('credentials issued before tagging', () => {
  it('keep working, and admin credential rotate replaces them with tagged ones', async () => {
    const slug = `rotate-${Date.now()}`;
    const { id: companyId } = await cli('company', 'create', '--slug', slug, '--name', 'Rotate Co');
    // A Kit token and a DPD password as the platform issued them before tagging.
    const legacyToken = `kit_at_${randomUUID().replace(/-/g, '')}abcdefghijk`;
    const legacyPassword = `dpd_pw_${randomUUID().replace(/-/g, '')}abcdefghijk`;
    const sha = async (text: string) => (await db.query(`select encode(sha256(convert_to($1, 'UTF8')), 'hex') as d`, [text])).rows[0].d as string;
    await db.query(
      `insert into ledger.credentials (company_id, kind, key_id, secret_digest) values ($1, 'kit_token', $2, $2), ($1, 'dpd_basic', $3, $4)`,
      [companyId, await sha(legacyToken), `rotate-${Date.now()}`, await sha(legacyPassword)],
    );
    const kit = (token: string) => fetch(`${stack().apis.kit}/v4/purchases`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await kit(legacyToken)).status).toBe(200);
    const listed = await cli('credential', 'list', '--company', slug);
    expect((listed as unknown as Array<{ tagged: boolean }>).map((c) => c.tagged)).toEqual([false, false]);

    const rotated = (await cli('credential', 'rotate', '--company', slug)) as { rotated: Array<{ api: string; token?: string; username?: string; password?: string }> };
    expect(rotated.rotated.map((r) => r.api).sort()).toEqual(['dpd', 'kit']);
    const newToken = rotated.rotated.find((r) => r.api === 'kit')!.token!;
    const newDpd = rotated.rotated.find((r) => r.api === 'dpd')!;
    expect(newToken).toMatch(/^kit_at_v2_/);
    expect((await kit(legacyToken)).status).toBe(401);
    expect((await kit(newToken)).status).toBe(200);
    const dpd = await fetch(`${stack().apis.dpd}/purchases`, { headers: { Authorization: `Basic ${btoa(`${newDpd.username}:${newDpd.password}`)}` } });
    expect(dpd.status).toBe(200);
    const after = (await cli('credential', 'list', '--company', slug)) as unknown as Array<{ tagged: boolean }>;
    expect(after.map((c) => c.tagged)).toEqual([true, true]);
    // Nothing left to rotate.
    expect(((await cli('credential', 'rotate', '--company', slug)) as { rotated: unknown[] }).rotated).toEqual([]);
  });
});

