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
import { dpdFilters, generateDpdPurchases, timeDpdFilters } from './dpd-data.ts';

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

  await generateDpdPurchases(db, company, total, step);
  const results = await timeDpdFilters(db, claims, await dpdFilters(db, company), {
    onPlan: values.plans ? (name, plan) => console.error(`--- ${name}\n${plan}`) : undefined,
  });
  failed = results.some((r) => r.seqScan || r.p50Ms >= limitMs || r.plansSeen === 0);

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
