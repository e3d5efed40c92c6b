/** Group Commerce offers: an offer, its options with prices, the segments it is sold in, and promo codes. */
import type pg from 'pg';
import { currencyCodes } from '../../shared/validation/index.ts';
import { CommandError, UsageError } from '../context.ts';
import { requireDecimal, requireText } from './args.ts';
import { changeCompanyRow, companyIdOf, companyRows } from './company.ts';
import type { AdminCommand } from './types.ts';

async function offerOf(db: pg.Client, companyId: string, offerId: unknown) {
  if (typeof offerId !== 'string' || !/^\d{1,9}$/.test(offerId)) throw new UsageError('--offer must be an OfferId (a whole number)');
  const { rows } = await db.query<{ id: string; name: string }>('select id, name from ledger.offers where company_id = $1 and number = $2', [companyId, Number(offerId)]);
  if (!rows[0]) throw new CommandError(`the company has no offer ${offerId} (see: admin offer list)`);
  return rows[0];
}

export const offerCreate: AdminCommand = {
  summary: 'create an offer (the OfferId is printed)',
  usage: `admin offer create --company SLUG --name NAME [--requires-shipping yes|no] [--currency CODE]

  --requires-shipping  whether orders of it carry a shipping address (default no)
  --currency           ISO 4217 code of its prices (default USD)`,
  options: { company: { type: 'string' }, name: { type: 'string' }, 'requires-shipping': { type: 'string' }, currency: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const name = requireText(values.name, '--name');
    const ships = values['requires-shipping'] ?? 'no';
    if (ships !== 'yes' && ships !== 'no') throw new UsageError('--requires-shipping takes yes or no');
    const currency = typeof values.currency === 'string' ? values.currency.toUpperCase() : 'USD';
    if (!currencyCodes.has(currency)) throw new UsageError('--currency must be an ISO 4217 code in circulation, e.g. USD');
    const { rows } = await ctx.db.query<{ number: number }>(
      'insert into ledger.offers (company_id, name, requires_shipping, currency) values ($1, $2, $3, $4) returning number',
      [companyId, name, ships === 'yes', currency],
    );
    ctx.print(`created offer ${rows[0]!.number} (${name})`, { offerId: rows[0]!.number, name, requiresShipping: ships === 'yes', currency });
  },
};

export const offerAddOption: AdminCommand = {
  summary: 'add a purchasable option (with its price) to an offer',
  usage: `admin offer add-option --company SLUG --offer OFFER_ID --name NAME --price AMOUNT [--promotional-price AMOUNT]`,
  options: { company: { type: 'string' }, offer: { type: 'string' }, name: { type: 'string' }, price: { type: 'string' }, 'promotional-price': { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const offer = await offerOf(ctx.db, companyId, values.offer);
    const name = requireText(values.name, '--name');
    const price = requireDecimal(values.price, '--price', 2);
    const promotional = values['promotional-price'] === undefined ? null : requireDecimal(values['promotional-price'], '--promotional-price', 2);
    // Each option is a product of the ledger, so orders of it are line items like any other.
    const { rows } = await ctx.db.query<{ number: number }>(
      `with product as (
         insert into ledger.products (company_id, name) values ($1, $2 || ' — ' || $3) returning id
       )
       insert into ledger.offer_options (offer_id, company_id, name, price, promotional_price, product_id)
       select $4, $1, $3, $5::numeric, $6::numeric, id from product returning number`,
      [companyId, offer.name, name, offer.id, price, promotional],
    );
    ctx.print(`added option ${rows[0]!.number} (${name}, ${price}) to offer ${String(values.offer)}`, {
      offerId: Number(values.offer), offerOptionId: rows[0]!.number, name, price, promotionalPrice: promotional,
    });
  },
};

export const offerAddSegment: AdminCommand = {
  summary: 'sell an offer in a segment (e.g. new-york)',
  usage: 'admin offer add-segment --company SLUG --offer OFFER_ID --segment KEY',
  options: { company: { type: 'string' }, offer: { type: 'string' }, segment: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const offer = await offerOf(ctx.db, companyId, values.offer);
    const segment = requireText(values.segment, '--segment', 100);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(segment)) throw new UsageError('--segment: lower-case letters, digits and dashes, e.g. new-york');
    await ctx.db.query('insert into ledger.offer_segments (offer_id, company_id, segment_key) values ($1, $2, $3) on conflict do nothing', [offer.id, companyId, segment]);
    ctx.print(`offer ${String(values.offer)} is sold in ${segment}`, { offerId: Number(values.offer), segmentKey: segment });
  },
};

export const offerList: AdminCommand = {
  summary: "list a company's offers with their options and segments",
  usage: 'admin offer list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    type Option = { offerOptionId: number; name: string; price: string; promotionalPrice: string | null };
    const rows = await companyRows<{ offerId: number; name: string; requiresShipping: boolean; currency: string; options: Option[]; segments: string[] }>(
      ctx,
      values.company,
      `select o.number as "offerId", o.name, o.requires_shipping as "requiresShipping", o.currency,
              coalesce((select json_agg(json_build_object('offerOptionId', op.number, 'name', op.name, 'price', op.price::text,
                 'promotionalPrice', op.promotional_price::text) order by op.number) from ledger.offer_options op where op.offer_id = o.id), '[]') as options,
              coalesce((select json_agg(s.segment_key order by s.segment_key) from ledger.offer_segments s where s.offer_id = o.id), '[]') as segments
       from ledger.offers o where o.company_id = $1 order by o.number`,
    );
    ctx.printList(rows, 'no offers', (o) =>
      `${o.offerId}  ${o.name}${o.requiresShipping ? ' (ships)' : ''}  [${o.segments.join(', ')}]\n` +
      o.options.map((op) => `    option ${op.offerOptionId}  ${op.name}  ${op.price} ${o.currency}${op.promotionalPrice ? ` (promotional ${op.promotionalPrice})` : ''}`).join('\n'));
  },
};

export const promoCreate: AdminCommand = {
  summary: 'create a promo code: money off or a percentage off',
  usage: 'admin promo create --company SLUG --code CODE (--money-off AMOUNT | --percent-off PERCENT)',
  options: { company: { type: 'string' }, code: { type: 'string' }, 'money-off': { type: 'string' }, 'percent-off': { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const code = requireText(values.code, '--code', 50);
    if (!/^[A-Za-z0-9_-]+$/.test(code)) throw new UsageError('--code: letters, digits, _ and -');
    if ((values['money-off'] === undefined) === (values['percent-off'] === undefined)) throw new UsageError('give exactly one of --money-off and --percent-off');
    const type = values['money-off'] !== undefined ? 'money' : 'percent';
    const amount = requireDecimal(values['money-off'] ?? values['percent-off'], type === 'money' ? '--money-off' : '--percent-off', 2);
    if (type === 'percent' && Number(amount) > 100) throw new UsageError('--percent-off is at most 100');
    await ctx.db
      .query('insert into ledger.promo_codes (company_id, code, discount_type, amount) values ($1, $2, $3, $4::numeric)', [companyId, code, type, amount])
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw new CommandError(`the company already has the promo code ${code}`);
        throw error;
      });
    ctx.print(`created promo code ${code} (${type === 'money' ? `${amount} off` : `${amount} % off`})`, { code, discountType: type, amount });
  },
};

export const promoList: AdminCommand = {
  summary: "list a company's promo codes",
  usage: 'admin promo list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const rows = await companyRows<{ code: string; discountType: string; amount: string; active: boolean }>(
      ctx,
      values.company,
      'select code, discount_type as "discountType", amount::text, active from ledger.promo_codes where company_id = $1 order by code',
    );
    ctx.printList(rows, 'no promo codes', (p) => `${p.code}  ${p.discountType === 'money' ? `${p.amount} off` : `${p.amount} % off`}${p.active ? '' : '  (inactive)'}`);
  },
};

export const promoDeactivate: AdminCommand = {
  summary: 'stop a promo code being accepted',
  usage: 'admin promo deactivate --company SLUG CODE',
  options: { company: { type: 'string' } },
  positionals: 1,
  async run(ctx, values, positionals) {
    const code = positionals[0]!;
    await changeCompanyRow(ctx, values.company, 'update ledger.promo_codes set active = false where company_id = $1 and upper(code) = upper($2)', [code], `the company has no promo code ${code}`);
    ctx.print(`deactivated promo code ${code}`, { code, active: false });
  },
};
