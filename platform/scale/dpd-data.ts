/**
 * A million DPD purchases and the DPD list's filters timed over them, inside the database as the
 * workers' role with their plans read through auto_explain. Shared by `npm run scale:dpd` and the
 * benchmark (`npm run bench`).
 */
import type pg from 'pg';
import type { CredentialClaims } from '../../shared/auth/credentials.ts';
import { workerAudience } from '../../shared/db/client.ts';

export interface FilterTiming {
  filter: string;
  /** The DPD query string that asks for the same filter through the API. */
  query: string;
  p50Ms: number;
  p95Ms: number;
  seqScan: boolean;
  plansSeen: number;
}

/** Generates `total` purchases (with items, customers, storefronts, shipments) for `company`. */
export async function generateDpdPurchases(db: pg.Client, company: string, total: number, step: (message: string) => void): Promise<void> {
  step(`generating ${total.toLocaleString('en')} purchases with items, customers, storefronts and shipments`);
  const started = Date.now();
  await db.query(`
    insert into ledger.storefronts (company_id, name) select $1, 'Store ' || g from generate_series(1, 10) g;
    insert into ledger.products (company_id, name, code) select $1, 'Product ' || g, 'P-' || g from generate_series(1, 100) g;
    insert into ledger.customers (company_id, email, first_name, last_name)
      select $1, 'buyer' || g || '@example.com', (array['Ada','Ben','Cleo','Dora','Eli'])[1 + g % 5] || g, 'Last' || g
      from generate_series(1, 20000) g;`.replace(/\$1/g, `'${company}'`));
  const batch = 100_000;
  for (let offset = 0; offset < total; offset += batch) {
    await db.query(`
      with s as (select array_agg(id order by number) ids from ledger.storefronts where company_id = $1),
           c as (select array_agg(id order by number) ids from ledger.customers where company_id = $1)
      insert into ledger.purchases (company_id, source, status, currency, total, storefront_id, customer_id, created_at, requires_shipping)
      select $1, 'dpd', (array['paid','paid','paid','pending','refunded','error','canceled','held'])[1 + g % 8], 'USD',
             round((g % 50000)::numeric / 100, 2), s.ids[1 + g % 10], c.ids[1 + g % 20000],
             now() - make_interval(secs => ($2::bigint - g) * 60), g % 5 = 0
      from generate_series($3::bigint + 1, $3::bigint + $4) g, s, c`, [company, total, offset, Math.min(batch, total - offset)]);
    step(`  ${Math.min(offset + batch, total).toLocaleString('en')} purchases`);
  }
  await db.query(`
    insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price)
    select p.id, p.company_id, pr.ids[1 + p.number % 100], 1, p.total
    from ledger.purchases p, (select array_agg(id order by number) ids from ledger.products where company_id = $1) pr
    where p.company_id = $1;
    insert into ledger.shipments (company_id, purchase_id, status)
    select company_id, id, case when number % 3 = 0 then 'shipped' else 'pending' end
    from ledger.purchases where company_id = $1 and requires_shipping;`.replace(/\$1/g, `'${company}'`));
  // Autovacuum would do this in time; the check wants the steady state (visibility map set).
  await db.query('vacuum analyze');
  step(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The filters of the DPD list, with the numbers of `company`'s generated data. */
export async function dpdFilters(db: pg.Client, company: string): Promise<Array<{ name: string; args: string; query: string }>> {
  const numbers = (await db.query(`
    select (select number from ledger.storefronts where company_id = $1 order by number limit 1) as storefront,
           (select number from ledger.customers where company_id = $1 order by number offset 500 limit 1) as customer,
           (select number from ledger.products where company_id = $1 order by number offset 7 limit 1) as product`, [company])).rows[0];
  return [
    { name: '(none: first page)', args: '', query: '' },
    { name: 'status', args: `status => 'refunded'`, query: 'status=RFD' },
    { name: 'product_id', args: `product_number => ${numbers.product}`, query: `product_id=${numbers.product}` },
    { name: 'storefront_id', args: `storefront_number => ${numbers.storefront}`, query: `storefront_id=${numbers.storefront}` },
    { name: 'customer_id', args: `customer_number => ${numbers.customer}`, query: `customer_id=${numbers.customer}` },
    { name: 'customer_email', args: `email_prefix => 'buyer1234'`, query: 'customer_email=buyer1234' },
    { name: 'customer_first_name', args: `first_name_prefix => 'cleo12'`, query: 'customer_first_name=cleo12' },
    { name: 'customer_last_name', args: `last_name_prefix => 'last777'`, query: 'customer_last_name=last777' },
    {
      name: 'date_min/date_max',
      args: `created_from => extract(epoch from now() - interval '3 days')::bigint, created_to => extract(epoch from now() - interval '2 days')::bigint`,
      query: `date_min=${encodeURIComponent('3 days ago')}&date_max=${encodeURIComponent('2 days ago')}`,
    },
    { name: 'total', args: 'total => 123.45', query: 'total=123.45' },
    { name: 'total_op=gt', args: `total => 499.90, total_comparison => 'gt'`, query: 'total=499.90&total_op=gt' },
    { name: 'ship', args: 'unshipped => true', query: 'ship=1' },
  ];
}

/** The p-th percentile of ascending `sorted` (nearest rank); 0 for none. */
export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Times each filter `samples` times inside the database as purchases_api acting for `claims`, and
 * reads the plans of the statements inside the RPC (auto_explain, nested statements).
 */
export async function timeDpdFilters(
  db: pg.Client,
  claims: CredentialClaims,
  filters: Array<{ name: string; args: string; query: string }>,
  options: { samples?: number; onPlan?: (filter: string, plan: string) => void } = {},
): Promise<FilterTiming[]> {
  const samples = options.samples ?? 20;
  const plans: string[] = [];
  const collect = (notice: { message?: string }) => {
    if (notice.message?.includes('"Plan"') || notice.message?.includes('Query Text')) plans.push(notice.message);
  };
  db.on('notice', collect);
  await db.query(`load 'auto_explain'`);
  await db.query('begin');
  try {
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ aud: workerAudience, ...claims })]);
    await db.query('set local role purchases_api');
    const results: FilterTiming[] = [];
    for (const { name, args, query } of filters) {
      const call = `select public.dpd_list_purchases(${args})`;
      await db.query(call); // warm the caches
      const timings: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t = process.hrtime.bigint();
        await db.query(call);
        timings.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      timings.sort((a, b) => a - b);
      plans.length = 0;
      // auto_explain's settings are the superuser's to change: step out of the role to flip them.
      await db.query(`reset role; set local auto_explain.log_min_duration = 0; set local auto_explain.log_nested_statements = on;
        set local auto_explain.log_format = 'json'; set local auto_explain.log_level = 'notice'; set local role purchases_api`);
      await db.query(call);
      await db.query(`reset role; set local auto_explain.log_min_duration = -1; set local role purchases_api`);
      await new Promise((r) => setImmediate(r));
      const seqScan = plans.some((plan) => /"Node Type":\s*"Seq Scan"[^{}]*"Relation Name":\s*"purchases"/.test(plan));
      results.push({
        filter: name, query, p50Ms: Number(percentile(timings, 50).toFixed(2)), p95Ms: Number(percentile(timings, 95).toFixed(2)), seqScan, plansSeen: plans.length,
      });
      for (const plan of plans) options.onPlan?.(name, plan);
    }
    return results;
  } finally {
    await db.query('rollback');
    db.off('notice', collect);
  }
}

