/**
 * `npm run scale:dpd`: the DPD list at a million purchases. Starts a throwaway PostgreSQL with
 * the migrations, generates 1,000,000 purchases for one company in SQL, then, acting as the
 * workers' role with that company's credential, times every filter and the unfiltered first page
 * inside the database and reads their plans. Fails (exit 1) if any plan scans the purchases table
 * sequentially or any filter takes 50 ms or more.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { credentialClaims } from '../../shared/auth/credentials.ts';
import { readPlatformConfig } from '../stack/config.ts';
import { LogSink } from '../stack/errors.ts';
import { migrate } from '../stack/migrate.ts';
import { startPostgres } from '../stack/postgres.ts';
import { freePortBlock } from '../stack/preflight.ts';

const help = `Usage: npm run scale:dpd [-- --purchases N] [-- --json] [-- --plans]

Generates N purchases (default 1000000) for one company in a throwaway database and checks that
every DPD list filter is served by an index in under 50 ms. Takes a few minutes on 2 cores.
`;

const { values } = parseArgs({ options: { purchases: { type: 'string' }, json: { type: 'boolean' }, plans: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(help);
  process.exit(0);
}
const total = Number(values.purchases ?? 1_000_000);
const limitMs = 50;
const step = (message: string) => console.error(`· ${message}`);

const localDir = await mkdtemp(join(tmpdir(), 'dpd-scale-'));
const [port] = await freePortBlock(1);
const config = { ...readPlatformConfig({ ...process.env, DATABASE_URL: '' }), localDir, postgresPort: port! };
const log = new LogSink(localDir);
step('starting a throwaway PostgreSQL');
const server = await startPostgres(config, log);
const db = new pg.Client({ connectionString: server.url });
let failed = false;
try {
  await migrate(server.url, { prepareSupabaseRoles: true, authenticatorPassword: config.authenticatorPassword, seed: false, onProgress: step });
  await db.connect();
  const password = 'scale-password';
  const claims = await credentialClaims({ kind: 'dpd_basic', keyId: 'scale', secret: password });
  const company = (await db.query(`insert into ledger.companies (slug, name) values ('scale', 'Scale') returning id`)).rows[0].id;
  await db.query(`insert into ledger.credentials (company_id, kind, key_id, secret_digest) values ($1, 'dpd_basic', 'scale', $2)`, [company, claims.cred_digest]);

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

  const numbers = (await db.query(`
    select (select number from ledger.storefronts where company_id = $1 order by number limit 1) as storefront,
           (select number from ledger.customers where company_id = $1 order by number offset 500 limit 1) as customer,
           (select number from ledger.products where company_id = $1 order by number offset 7 limit 1) as product`, [company])).rows[0];
  const filters: Array<[string, string]> = [
    ['(none: first page)', ''],
    ['status', `status => 'refunded'`],
    ['product_id', `product_number => ${numbers.product}`],
    ['storefront_id', `storefront_number => ${numbers.storefront}`],
    ['customer_id', `customer_number => ${numbers.customer}`],
    ['customer_email', `email_prefix => 'buyer1234'`],
    ['customer_first_name', `first_name_prefix => 'cleo12'`],
    ['customer_last_name', `last_name_prefix => 'last777'`],
    ['date_min/date_max', `created_from => extract(epoch from now() - interval '3 days')::bigint, created_to => extract(epoch from now() - interval '2 days')::bigint`],
    ['total', `total => 123.45`],
    ['total_op=gt', `total => 499.90, total_op => 'gt'`],
    ['ship', `unshipped => true`],
  ];

  // Plans of the statements inside the RPC come back as notices through auto_explain.
  const plans: string[] = [];
  db.on('notice', (notice) => {
    if (notice.message?.includes('"Plan"') || notice.message?.includes('Query Text')) plans.push(notice.message);
  });
  await db.query(`load 'auto_explain'`);
  await db.query('begin');
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
  await db.query('set local role purchases_api');
  const results = [];
  for (const [name, args] of filters) {
    const call = `select public.dpd_list_purchases(${args})`;
    await db.query(call); // warm the caches
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
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
    const p50 = timings[2]!;
    const p95 = timings[4]!;
    results.push({ filter: name, p50Ms: Number(p50.toFixed(2)), p95Ms: Number(p95.toFixed(2)), seqScan, plansSeen: plans.length });
    if (seqScan || p50 >= limitMs || plans.length === 0) failed = true;
    if (values.plans) for (const plan of plans) console.error(`--- ${name}\n${plan}`);
  }
  await db.query('rollback');

  if (values.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\nDPD list over ${total.toLocaleString('en')} purchases (inside the database, as purchases_api):`);
    console.log('filter                 p50 ms   p95 ms   seq scan of purchases');
    for (const r of results) console.log(`${r.filter.padEnd(22)} ${String(r.p50Ms).padStart(7)}  ${String(r.p95Ms).padStart(7)}   ${r.seqScan ? 'YES' : 'no'}`);
  }
  console.log(failed ? `\nFAILED: a filter scanned purchases sequentially or took ${limitMs} ms or more.` : `\nok: every filter under ${limitMs} ms, no sequential scan of purchases.`);
} finally {
  await db.end().catch(() => {});
  await server.stop();
  await log.close();
  await rm(localDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
