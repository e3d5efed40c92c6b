/**
 * The registry of the APIs (shared/apis.ts) and the places that cannot read it agree: the
 * database's lists (a purchase's source, a request limit's API, a credential's kind) and the
 * workers' configs (each worker's name, the edge's service bindings), and each worker's routes
 * (functions/<api>/route-table.ts) lie in the paths the edge sends it.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTables } from '../../functions/route-tables.ts';
import { apiNames, apis, apiOfPath } from '../../shared/apis.ts';
import { superuser } from '../../test/helpers.ts';

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

/** The values a column's check constraint allows (`col = any (array['a', 'b'])`, as the catalog writes `in (...)`). */
async function allowed(table: string, column: string): Promise<string[]> {
  const { rows } = await db.query<{ definition: string }>(
    `select pg_get_constraintdef(c.oid) as definition from pg_constraint c
     where c.conrelid = $1::regclass and c.contype = 'c' and pg_get_constraintdef(c.oid) ~ ('\\m' || $2 || '\\M = ANY')`,
    [table, column],
  );
  expect(rows, `a check constraint listing ${table}.${column}`).toHaveLength(1);
  return [...rows[0]!.definition.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]!).sort();
}

describe('the API registry', () => {
  it('names the sources a purchase may have, the APIs a company limit may be for, and the credential kinds', async () => {
    expect(await allowed('ledger.purchases', 'source')).toEqual([...apiNames].sort());
    expect(await allowed('ledger.request_limits', 'api')).toEqual(apiNames.filter((api) => apis[api].companyLimit).sort());
    expect(await allowed('ledger.credentials', 'kind')).toEqual(apiNames.map((api) => apis[api].credential).sort());
  });

  it("names each worker as its wrangler.toml does, and the edge binds each by the registry's binding", async () => {
    for (const api of apiNames) {
      const config = parseToml(await readFile(`functions/${api}/wrangler.toml`, 'utf8')) as { name: string };
      expect(config.name, api).toBe(apis[api].worker);
    }
    const edge = parseToml(await readFile('wrangler.toml', 'utf8')) as { services: Array<{ binding: string; service: string }> };
    expect(edge.services.map(({ binding, service }) => [binding, service]).sort()).toEqual(apiNames.map((api) => [apis[api].binding, apis[api].worker]).sort());
  });

  it('routes each vendor path to its API, and none to anything else', () => {
    expect(['/partners/v1/purchases', '/functions/v1/openapi-operations', '/functions/v1/openapi-operations/', '/', '/purchases', '/purchases/1002/reactivate', '/v2/purchases', '/v4/purchases/7', '/api/v3/publisher/order/validate'].map(apiOfPath))
      .toEqual(['lumen', 'operations', 'operations', 'dpd', 'dpd', 'dpd', 'dpd', 'kit', 'groupcommerce']);
    expect(['/docs', '/partners', '/functions/v1/openapi-operations/x', '/v40', '/purchasesx', '/api/v3'].map(apiOfPath)).toEqual([null, null, null, null, null, null]);
  });

  it("sends every route an API's worker declares to that worker, under /v2 too for DPD", () => {
    for (const api of apiNames) {
      const paths = Object.values(routeTables[api]).map((route) => route.path.replace(/:[a-z]+/g, '1'));
      expect(paths.length, api).toBeGreaterThan(0);
      for (const path of [...paths, ...(api === 'dpd' ? paths.map((path) => `/v2${path === '/' ? '' : path}`) : [])]) {
        expect(apiOfPath(path), path).toBe(api);
      }
    }
  });
});
