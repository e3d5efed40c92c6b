/** Lumen partnerships: enabled fulfillment models, rate limit, granted products, agreed audience segments. */
import type pg from 'pg';
import { CommandError, UsageError } from '../context.ts';
import { requireText, wholeNumber } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

function yesNo(value: unknown, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'yes' || value === 'true') return true;
  if (value === 'no' || value === 'false') return false;
  throw new UsageError(`${option} takes yes or no`);
}

async function partnershipOf(db: pg.Client, companyId: string, slug: unknown) {
  const { rows } = await db.query<{ lumen_fulfilled: boolean; partner_fulfilled: boolean; rate_limit: number; rate_window_seconds: number }>(
    'select lumen_fulfilled, partner_fulfilled, rate_limit, rate_window_seconds from ledger.lumen_partnerships where company_id = $1',
    [companyId],
  );
  if (!rows[0]) throw new CommandError(`${String(slug)} has no Lumen partnership yet (see: admin partnership set)`);
  const grants = await db.query<{ code: string | null; id: string }>(
    `select p.code, p.id from ledger.lumen_product_grants g join ledger.products p on p.id = g.product_id
     where g.company_id = $1 order by p.code`,
    [companyId],
  );
  const segments = await db.query<{ segment: string }>(
    'select segment from ledger.lumen_audience_segments where company_id = $1 order by segment',
    [companyId],
  );
  const row = rows[0];
  return {
    company: slug,
    lumenFulfilled: row.lumen_fulfilled,
    partnerFulfilled: row.partner_fulfilled,
    rateLimit: { limit: row.rate_limit, windowSeconds: row.rate_window_seconds },
    productIds: grants.rows.map((g) => g.code),
    audienceSegments: segments.rows.map((s) => s.segment),
  };
}

function describePartnership(p: Awaited<ReturnType<typeof partnershipOf>>): string {
  return [
    `Lumen partnership of ${String(p.company)}`,
    `  Lumen-fulfilled (fulfillment: true):   ${p.lumenFulfilled ? 'enabled' : 'disabled'}`,
    `  partner-fulfilled (fulfillment: false): ${p.partnerFulfilled ? 'enabled' : 'disabled'}`,
    `  rate limit: ${p.rateLimit.limit} requests per ${p.rateLimit.windowSeconds} s`,
    `  granted products: ${p.productIds.join(', ') || '(none)'}`,
    `  audience segments: ${p.audienceSegments.join(', ') || '(none)'}`,
  ].join('\n');
}

export const partnershipSet: AdminCommand = {
  summary: "create or change a company's Lumen partnership",
  usage: `admin partnership set --company SLUG [--lumen-fulfilled yes|no] [--partner-fulfilled yes|no]
                       [--rate-limit N] [--rate-window SECONDS]

  --lumen-fulfilled    whether purchases with fulfillment: true are accepted (default no)
  --partner-fulfilled  whether purchases with fulfillment: false are accepted (default no)
  --rate-limit N       requests allowed per window (default 60)
  --rate-window S      the window in seconds (default 60)

Options left out keep their current value. A changed limit applies from the partner's next request.`,
  options: {
    company: { type: 'string' },
    'lumen-fulfilled': { type: 'string' },
    'partner-fulfilled': { type: 'string' },
    'rate-limit': { type: 'string' },
    'rate-window': { type: 'string' },
  },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const lumen = yesNo(values['lumen-fulfilled'], '--lumen-fulfilled');
    const partner = yesNo(values['partner-fulfilled'], '--partner-fulfilled');
    const limit = wholeNumber(values['rate-limit'], '--rate-limit', 100_000);
    const window = wholeNumber(values['rate-window'], '--rate-window', 86_400);
    await ctx.db.query(
      `insert into ledger.lumen_partnerships as p (company_id, lumen_fulfilled, partner_fulfilled, rate_limit, rate_window_seconds)
       values ($1, coalesce($2, false), coalesce($3, false), coalesce($4, 60), coalesce($5, 60))
       on conflict (company_id) do update set
         lumen_fulfilled = coalesce($2, p.lumen_fulfilled),
         partner_fulfilled = coalesce($3, p.partner_fulfilled),
         rate_limit = coalesce($4, p.rate_limit),
         rate_window_seconds = coalesce($5, p.rate_window_seconds)`,
      [companyId, lumen ?? null, partner ?? null, limit ?? null, window ?? null],
    );
    const partnership = await partnershipOf(ctx.db, companyId, values.company);
    ctx.print(describePartnership(partnership), partnership);
  },
};

export const partnershipShow: AdminCommand = {
  summary: "show a company's Lumen partnership",
  usage: 'admin partnership show --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const partnership = await partnershipOf(ctx.db, await companyIdOf(ctx, values.company), values.company);
    ctx.print(describePartnership(partnership), partnership);
  },
};

/** The company's product with this Lumen product id (its code). */
async function productByCode(db: pg.Client, companyId: string, code: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('select id from ledger.products where company_id = $1 and code = $2', [companyId, code]);
  if (!rows[0]) throw new CommandError(`the company has no product with code ${code} (see: admin product create --code)`);
  return rows[0].id;
}

export const partnershipGrantProduct: AdminCommand = {
  summary: 'grant a product (by its Lumen product id) to a partnership',
  usage: 'admin partnership grant-product --company SLUG --product CODE',
  options: { company: { type: 'string' }, product: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    await partnershipOf(ctx.db, companyId, values.company);
    const code = requireText(values.product, '--product', 255);
    await ctx.db.query('insert into ledger.lumen_product_grants (company_id, product_id) values ($1, $2) on conflict do nothing', [
      companyId,
      await productByCode(ctx.db, companyId, code),
    ]);
    const partnership = await partnershipOf(ctx.db, companyId, values.company);
    ctx.print(describePartnership(partnership), partnership);
  },
};

export const partnershipRevokeProduct: AdminCommand = {
  summary: 'take a granted product back from a partnership',
  usage: 'admin partnership revoke-product --company SLUG --product CODE',
  options: { company: { type: 'string' }, product: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const code = requireText(values.product, '--product', 255);
    const { rowCount } = await ctx.db.query('delete from ledger.lumen_product_grants where company_id = $1 and product_id = $2', [
      companyId,
      await productByCode(ctx.db, companyId, code),
    ]);
    if (!rowCount) throw new CommandError(`${code} was not granted to ${String(values.company)}`);
    const partnership = await partnershipOf(ctx.db, companyId, values.company);
    ctx.print(describePartnership(partnership), partnership);
  },
};

export const partnershipAddSegment: AdminCommand = {
  summary: 'agree an audience segment with a partner',
  usage: 'admin partnership add-segment --company SLUG --segment NAME',
  options: { company: { type: 'string' }, segment: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    await partnershipOf(ctx.db, companyId, values.company);
    const segment = requireText(values.segment, '--segment', 100);
    await ctx.db.query('insert into ledger.lumen_audience_segments (company_id, segment) values ($1, $2) on conflict do nothing', [companyId, segment]);
    const partnership = await partnershipOf(ctx.db, companyId, values.company);
    ctx.print(describePartnership(partnership), partnership);
  },
};

export const partnershipRemoveSegment: AdminCommand = {
  summary: 'withdraw an agreed audience segment',
  usage: 'admin partnership remove-segment --company SLUG --segment NAME',
  options: { company: { type: 'string' }, segment: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const segment = requireText(values.segment, '--segment', 100);
    const { rowCount } = await ctx.db.query('delete from ledger.lumen_audience_segments where company_id = $1 and segment = $2', [companyId, segment]);
    if (!rowCount) throw new CommandError(`${segment} is not a segment agreed with ${String(values.company)}`);
    const partnership = await partnershipOf(ctx.db, companyId, values.company);
    ctx.print(describePartnership(partnership), partnership);
  },
};
