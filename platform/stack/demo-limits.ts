/**
 * Lifts the demo companies' request limits and mail quotas out of the way, for the test suite and
 * the benchmark: both send far more than a real integration's requests a minute (and emails an
 * hour) with the same demo credentials, and measure other things than the limiter's refusals
 * (test/limits.test.ts and test/reliability/abuse*.test.ts try the limits).
 */
import pg from 'pg';
import { apiNames, apis } from '../../shared/apis.ts';
import { demoCompanies } from '../demo.ts';

const lifted = { requests: 100_000, windowSeconds: 1, mailPerHour: 1_000_000 };

export async function liftDemoLimits(databaseUrl: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const ids = Object.values(demoCompanies).map((company) => company.companyId);
    await db.query(
      `insert into ledger.request_limits (company_id, api, requests, window_seconds)
       select c.id, a.api, $2, $3 from unnest($1::uuid[]) as c(id) cross join unnest($4::text[]) as a(api)
       on conflict (company_id, api) do update set requests = excluded.requests, window_seconds = excluded.window_seconds`,
      [ids, lifted.requests, lifted.windowSeconds, apiNames.filter((api) => apis[api].companyLimit)],
    );
    await db.query('update ledger.lumen_partnerships set rate_limit = $2, rate_window_seconds = $3 where company_id = any($1::uuid[])', [ids, lifted.requests, lifted.windowSeconds]);
    await db.query('update ledger.companies set mail_quota_per_hour = $2 where id = any($1::uuid[])', [ids, lifted.mailPerHour]);
  } finally {
    await db.end();
  }
}
