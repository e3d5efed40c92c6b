/** The running platform as scripts see it: .local/stack.json, the gateway, the workers' health. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { apiNames } from '../platform/stack/config.ts';
import { demoCompanies } from '../platform/demo.ts';
import { randomUUID } from 'node:crypto';
import { workerToken } from '../shared/db/client.ts';
import { roundTrips, stack, superuser } from './helpers.ts';

describe('stack.json', () => {
  it('names every API, the Supabase URL and key, the database and the demo credentials', async () => {
    const written = JSON.parse(await readFile(join(inject('localDir'), 'stack.json'), 'utf8'));
    expect(written).toEqual(stack());
    expect(Object.keys(written.apis)).toEqual([...apiNames, 'edge']);
    expect(written.supabase).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), anonKey: expect.stringMatching(/^sb_publishable_/), legacyAnonKey: expect.any(String) });
    expect(written.databaseUrl).toMatch(/^postgresql:\/\//);
    for (const slug of Object.keys(demoCompanies)) {
      expect(Object.keys(written.demo[slug])).toEqual(['companyId', 'lumen', 'operations', 'dpd', 'kit', 'groupcommerce']);
    }
  });
});

describe('the gateway', () => {
  it('serves PostgREST under /rest/v1 and nothing else', async () => {
    const root = await fetch(`${stack().supabase.url}/rest/v1/`, { headers: { apikey: stack().supabase.anonKey } });
    expect(root.status).toBe(200);
    await root.body?.cancel();
    const outside = await fetch(`${stack().supabase.url}/auth/v1/health`);
    expect(outside.status).toBe(404);
  });

  it('counts what it forwards', async () => {
    const before = ((await (await fetch(`${stack().supabase.url}/_platform/stats`)).json()) as { forwarded: number }).forwarded;
    await fetch(`${stack().supabase.url}/rest/v1/`, { headers: { apikey: stack().supabase.anonKey } });
    const after = ((await (await fetch(`${stack().supabase.url}/_platform/stats`)).json()) as { forwarded: number }).forwarded;
    expect(after).toBeGreaterThan(before);
    const counted = await fetch(`${stack().supabase.url}/rest/v1/`, { headers: { apikey: stack().supabase.anonKey, 'X-Request-Id': 'counted-once' } });
    expect(counted.status).toBe(200);
    expect(await (await fetch(`${stack().supabase.url}/_platform/stats?request=counted-once`)).json()).toEqual({ forwarded: expect.any(Number), request: 1 });
  });
  it('wants an API key as the hosted gateway does: the publishable key or the legacy anon key, nothing else, and asks PostgREST nothing otherwise', async () => {
    const call = async (headers: Record<string, string>, query = '') => {
      const res = await fetch(`${stack().supabase.url}/rest/v1/${query}`, { headers: { 'X-Request-Id': `apikey-${randomUUID()}`, ...headers } });
      return { status: res.status, body: (await res.json()) as unknown, trips: await roundTrips(headers['X-Request-Id'] ?? '') };
    };
    expect(stack().supabase.anonKey).toMatch(/^sb_publishable_/);
    expect((await call({ apikey: stack().supabase.anonKey })).status).toBe(200);
    expect((await call({ apikey: stack().supabase.legacyAnonKey })).status).toBe(200);
    expect((await call({}, `?apikey=${stack().supabase.anonKey}`)).status).toBe(200);
    const missing = await fetch(`${stack().supabase.url}/rest/v1/`, { headers: { 'X-Request-Id': 'apikey-missing' } });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
    expect(await roundTrips('apikey-missing')).toBe(0);
    for (const wrong of ['sb_publishable_someone-else', 'sb_secret_guess', await workerToken(inject('jwtSecret'), null)]) {
      const res = await fetch(`${stack().supabase.url}/rest/v1/`, { headers: { apikey: wrong, 'X-Request-Id': `apikey-wrong-${wrong.length}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toBe('Invalid API key');
      expect(await roundTrips(`apikey-wrong-${wrong.length}`)).toBe(0);
    }
  });
});

describe('the workers', () => {
  it.each(apiNames)('%s answers /health in workerd', async (api) => {
    const res = await fetch(`${stack().apis[api]}/health`);
    expect(await res.json()).toEqual({ status: 'ok', service: api });
  });
});

describe('demo data', () => {
  it('the Group Commerce offers and promo codes in stack.json are the seed\'s', async () => {
    const db = await superuser();
    try {
      for (const [slug, demo] of Object.entries(stack().demo)) {
        const { rows } = await db.query(
          `select o.number as "offerId", op.number as "offerOptionId", s.segment_key as "segmentKey",
                  o.requires_shipping as "requiresShipping", op.price::text as price, op.promotional_price::text as "promotionalPrice"
           from ledger.offers o join ledger.companies c on c.id = o.company_id
           join ledger.offer_options op on op.offer_id = o.id join ledger.offer_segments s on s.offer_id = o.id
           where c.slug = $1 order by o.number`,
          [slug],
        );
        expect(rows).toEqual(demo.groupcommerce.offers);
        const codes = await db.query(
          `select p.code from ledger.promo_codes p join ledger.companies c on c.id = p.company_id where c.slug = $1 and p.active order by p.created_at, p.code`,
          [slug],
        );
        expect(codes.rows.map((r) => r.code).sort()).toEqual([...demo.groupcommerce.promoCodes].sort());
      }
    } finally {
      await db.end();
    }
  });
});
