/**
 * The counts the DPD list reads instead of counting (ledger.purchase_counts by status,
 * ledger.purchase_filter_counts by storefront and awaiting shipment) follow every change of a
 * purchase: recorded, shipped, moved to another storefront, deleted.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuser } from '../../test/helpers.ts';

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

/** What the counters say and what counting says, for one company. */
async function countsOf(company: string) {
  const kept = await db.query(
    `select filter, key, sum(n)::int as n from ledger.purchase_filter_counts where company_id = $1
     group by filter, key having sum(n) <> 0 order by filter, key`,
    [company],
  );
  const counted = await db.query(
    `select 'awaiting_shipment' as filter, '' as key, count(*)::int as n from ledger.purchases where company_id = $1 and awaiting_shipment having count(*) > 0
     union all
     select 'storefront', storefront_id::text, count(*)::int from ledger.purchases where company_id = $1 and storefront_id is not null group by storefront_id
     order by filter, key`,
    [company],
  );
  return { kept: kept.rows, counted: counted.rows };
}

describe('purchase filter counts', () => {
  it('follow purchases as they are recorded, shipped, moved and deleted', async () => {
    await db.query('begin');
    try {
      const company = (await db.query(`insert into ledger.companies (slug, name) values ('filter-counts', 'Filter Counts') returning id`)).rows[0].id as string;
      const [s1, s2] = (await db.query(`insert into ledger.storefronts (company_id, name) values ($1, 'One'), ($1, 'Two') returning id`, [company])).rows.map((r) => r.id as string) as [string, string];
      const purchase = async (storefront: string | null, shipping: boolean) =>
        (await db.query(`insert into ledger.purchases (company_id, source, status, currency, total, storefront_id, requires_shipping) values ($1, 'dpd', 'paid', 'USD', 1, $2, $3) returning id`, [company, storefront, shipping])).rows[0].id as string;
      const a = await purchase(s1, true);
      const b = await purchase(s1, true);
      const c = await purchase(s2, false);
      await purchase(null, false);
      await db.query(`insert into ledger.shipments (company_id, purchase_id, status) values ($1, $2, 'pending'), ($1, $3, 'pending')`, [company, a, b]);
      let counts = await countsOf(company);
      expect(counts.kept).toEqual(counts.counted);
      const n = (filter: string, key: string) => counts.kept.find((r) => r.filter === filter && r.key === key)?.n;
      expect([n('awaiting_shipment', ''), n('storefront', s1), n('storefront', s2)]).toEqual([2, 2, 1]);

      await db.query(`update ledger.shipments set status = 'shipped' where purchase_id = $1`, [a]);
      await db.query(`update ledger.purchases set storefront_id = $2 where id = $1`, [b, s2]);
      await db.query(`update ledger.purchases set storefront_id = null where id = $1`, [c]);
      counts = await countsOf(company);
      expect(counts.kept).toEqual(counts.counted);
      expect([n('awaiting_shipment', ''), n('storefront', s1), n('storefront', s2)]).toEqual([1, 1, 1]);

      await db.query(`delete from ledger.shipments where purchase_id = $1`, [b]);
      await db.query(`delete from ledger.purchases where id = $1`, [b]);
      counts = await countsOf(company);
      expect(counts.kept).toEqual(counts.counted);
      expect([n('awaiting_shipment', ''), n('storefront', s1), n('storefront', s2)]).toEqual([undefined, 1, undefined]);
    } finally {
      await db.query('rollback');
    }
  });
});
