/** The running platform as scripts see it: .local/stack.json, the gateway, the workers' health. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { apiNames } from '../platform/stack/config.ts';
import { demoCompanies } from '../platform/demo.ts';
import { stack } from './helpers.ts';

describe('stack.json', () => {
  it('names every API, the Supabase URL and key, the database and the demo credentials', async () => {
    const written = JSON.parse(await readFile(join(inject('localDir'), 'stack.json'), 'utf8'));
    expect(written).toEqual(stack());
    expect(Object.keys(written.apis)).toEqual([...apiNames]);
    expect(written.supabase).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), anonKey: expect.any(String) });
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
    const outside = await fetch(`${stack().supabase.url}/auth/v1/health`);
    expect(outside.status).toBe(404);
  });

  it('counts what it forwards', async () => {
    const before = ((await (await fetch(`${stack().supabase.url}/_platform/stats`)).json()) as { forwarded: number }).forwarded;
    await fetch(`${stack().supabase.url}/rest/v1/`);
    const after = ((await (await fetch(`${stack().supabase.url}/_platform/stats`)).json()) as { forwarded: number }).forwarded;
    expect(after).toBeGreaterThan(before);
  });
});

describe('the workers', () => {
  it.each(apiNames)('%s answers /health in workerd', async (api) => {
    const res = await fetch(`${stack().apis[api]}/health`);
    expect(await res.json()).toEqual({ status: 'ok', service: api });
  });
});
