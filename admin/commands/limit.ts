/**
 * Request limits per credential, by company and API. Lumen's is the partnership's own limit (as
 * Lumen's reference has it), so `limit set --api lumen` changes the partnership; the other four
 * APIs keep theirs in ledger.request_limits and fall back to the API's default.
 */
import type pg from 'pg';
import { apiNames, type ApiName } from '../../shared/apis.ts';
import { CommandError, UsageError } from '../context.ts';
import { wholeNumber } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

const limitedApis = apiNames;
type LimitedApi = ApiName;

function apiOf(value: unknown): LimitedApi {
  if (typeof value !== 'string' || !(limitedApis as readonly string[]).includes(value)) {
    throw new UsageError(`--api must be one of ${limitedApis.join(', ')}`);
  }
  return value as LimitedApi;
}

interface LimitRow {
  api: LimitedApi;
  requests: number;
  windowSeconds: number;
  /** Where the limit comes from: the company's own setting, or the API's default. */
  source: 'company' | 'partnership' | 'default';
}

/** Every API's limit for the company, as the workers will read it (public.caller_request_limit). */
async function limitsOf(db: pg.Client, companyId: string): Promise<LimitRow[]> {
  const { rows } = await db.query<{ api: LimitedApi; requests: number; window_seconds: number; source: LimitRow['source'] }>(
    `select a.api,
            coalesce(l.requests, p.rate_limit, (private.default_request_limit(a.api) ->> 'requests')::int) as requests,
            coalesce(l.window_seconds, p.rate_window_seconds, (private.default_request_limit(a.api) ->> 'window_seconds')::int) as window_seconds,
            case when l.api is not null then 'company' when p.company_id is not null then 'partnership' else 'default' end as source
     from unnest($2::text[]) with ordinality as a(api, n)
     left join ledger.request_limits l on l.company_id = $1 and l.api = a.api
     left join ledger.lumen_partnerships p on p.company_id = $1 and a.api = 'lumen'
     order by a.n`,
    [companyId, limitedApis],
  );
  return rows.map((row) => ({ api: row.api, requests: row.requests, windowSeconds: row.window_seconds, source: row.source }));
}

function describeLimits(slug: unknown, rows: LimitRow[]): string {
  return [
    `Request limits per credential of ${String(slug)}`,
    ...rows.map((row) => `  ${row.api.padEnd(14)} ${String(row.requests).padStart(6)} requests per ${row.windowSeconds} s (${row.source})`),
  ].join('\n');
}

export const limitSet: AdminCommand = {
  summary: "set a company's request limit per credential for one API",
  usage: `admin limit set --company SLUG --api API --requests N [--window SECONDS]

  --api API        lumen, operations, kit, dpd or groupcommerce
  --requests N     requests one credential may make per window (1 to 100000)
  --window S       the window in seconds (1 to 86400; default 60)

The limit holds from each credential's next minute of requests (the workers re-read it at least
once a minute). For lumen it is the partnership's limit (as admin partnership set --rate-limit).`,
  options: { company: { type: 'string' }, api: { type: 'string' }, requests: { type: 'string' }, window: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const api = apiOf(values.api);
    const requests = wholeNumber(values.requests, '--requests', 100_000);
    if (requests === undefined) throw new UsageError('--requests is required');
    const window = wholeNumber(values.window, '--window', 86_400) ?? 60;
    if (api === 'lumen') {
      const { rowCount } = await ctx.db.query(
        'update ledger.lumen_partnerships set rate_limit = $2, rate_window_seconds = $3 where company_id = $1',
        [companyId, requests, window],
      );
      if (rowCount === 0) throw new CommandError(`${String(values.company)} has no Lumen partnership yet (see: admin partnership set)`);
    } else {
      await ctx.db.query(
        `insert into ledger.request_limits (company_id, api, requests, window_seconds) values ($1, $2, $3, $4)
         on conflict (company_id, api) do update set requests = excluded.requests, window_seconds = excluded.window_seconds, updated_at = now()`,
        [companyId, api, requests, window],
      );
    }
    const rows = await limitsOf(ctx.db, companyId);
    ctx.print(describeLimits(values.company, rows), { company: values.company, limits: rows });
  },
};

export const limitList: AdminCommand = {
  summary: "show a company's request limits for the five APIs",
  usage: 'admin limit list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const rows = await limitsOf(ctx.db, await companyIdOf(ctx, values.company));
    ctx.print(describeLimits(values.company, rows), { company: values.company, limits: rows });
  },
};

export const limitClear: AdminCommand = {
  summary: "return a company's limit for one API to the API's default",
  usage: `admin limit clear --company SLUG --api API

  --api API        operations, kit, dpd or groupcommerce (Lumen's limit is the partnership's)`,
  options: { company: { type: 'string' }, api: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const api = apiOf(values.api);
    if (api === 'lumen') throw new UsageError("Lumen's limit is the partnership's: change it with admin limit set --api lumen");
    await ctx.db.query('delete from ledger.request_limits where company_id = $1 and api = $2', [companyId, api]);
    const rows = await limitsOf(ctx.db, companyId);
    ctx.print(describeLimits(values.company, rows), { company: values.company, limits: rows });
  },
};
