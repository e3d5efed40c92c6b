/** Channels, each with a currency, and which companies may use them. */
import type { QueryResultRow } from 'pg';
import { currencyCodes } from '../../shared/validation/index.ts';
import { CommandError, UsageError, type CommandContext } from '../context.ts';
import { requireText, requireUuid } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

export const channelCreate: AdminCommand = {
  summary: 'create a channel with its currency',
  usage: `admin channel create --name NAME --currency CODE

  --name NAME       display name
  --currency CODE   ISO 4217 code of the channel's amounts, e.g. USD`,
  options: { name: { type: 'string' }, currency: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const name = requireText(values.name, '--name');
    const currency = typeof values.currency === 'string' ? values.currency.toUpperCase() : '';
    if (!currencyCodes.has(currency)) throw new UsageError('--currency must be an ISO 4217 code in circulation, e.g. USD');
    const { rows } = await ctx.db.query<{ id: string }>(
      'insert into ledger.channels (name, currency) values ($1, $2) returning id',
      [name, currency],
    );
    ctx.print(`created channel ${rows[0]!.id} (${name}, ${currency})`, { id: rows[0]!.id, name, currency });
  },
};

export const channelList: AdminCommand = {
  summary: 'list channels with the companies that have access',
  usage: 'admin channel list',
  options: {},
  positionals: 0,
  async run(ctx) {
    const { rows } = await ctx.db.query<{ id: string; name: string; currency: string; companies: string[] }>(
      `select ch.id, ch.name, ch.currency,
              coalesce(array_agg(co.slug order by co.slug) filter (where co.slug is not null), '{}') as companies
       from ledger.channels ch
       left join ledger.channel_access a on a.channel_id = ch.id
       left join ledger.companies co on co.id = a.company_id
       group by ch.id order by ch.name`,
    );
    ctx.printList(rows, 'no channels', (r) => `${r.id}  ${r.currency}  ${r.name}  [${r.companies.join(', ')}]`);
  },
};

export async function channelExists(ctx: CommandContext, id: string): Promise<void> {
  const { rowCount } = await ctx.db.query('select 1 from ledger.channels where id = $1', [id]);
  if (!rowCount) throw new CommandError(`no channel ${id} (see: admin channel list)`);
}

/** The rows `sql` finds for the channel `--channel` names (`$1` is its id). */
export async function channelRows<Row extends QueryResultRow>(ctx: CommandContext, channel: unknown, sql: string): Promise<Row[]> {
  const channelId = requireUuid(channel, '--channel');
  await channelExists(ctx, channelId);
  return (await ctx.db.query<Row>(sql, [channelId])).rows;
}

export const channelGrant: AdminCommand = {
  summary: 'give a company access to a channel',
  usage: 'admin channel grant --channel ID --company SLUG',
  options: { channel: { type: 'string' }, company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const channelId = requireUuid(values.channel, '--channel');
    const companyId = await companyIdOf(ctx, values.company);
    await channelExists(ctx, channelId);
    await ctx.db.query(
      'insert into ledger.channel_access (company_id, channel_id) values ($1, $2) on conflict do nothing',
      [companyId, channelId],
    );
    ctx.print(`${values.company} has access to channel ${channelId}`, { channel: channelId, company: values.company, access: true });
  },
};

export const channelRevoke: AdminCommand = {
  summary: "take a company's access to a channel away",
  usage: 'admin channel revoke --channel ID --company SLUG',
  options: { channel: { type: 'string' }, company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const channelId = requireUuid(values.channel, '--channel');
    const companyId = await companyIdOf(ctx, values.company);
    const { rowCount } = await ctx.db.query(
      'delete from ledger.channel_access where company_id = $1 and channel_id = $2',
      [companyId, channelId],
    );
    if (!rowCount) throw new CommandError(`${values.company} had no access to channel ${channelId}`);
    ctx.print(`${values.company} no longer has access to channel ${channelId}`, { channel: channelId, company: values.company, access: false });
  },
};


