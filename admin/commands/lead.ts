/** Leads: the people who arrive through a channel. */
import { email as emailSchema } from '../../shared/validation/index.ts';
import { UsageError } from '../context.ts';
import { requireUuid } from './args.ts';
import { channelExists, channelRows } from './channel.ts';
import type { AdminCommand } from './types.ts';

export const leadCreate: AdminCommand = {
  summary: 'add a lead to a channel',
  usage: `admin lead create --channel ID [--name NAME] [--email EMAIL]`,
  options: { channel: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const channelId = requireUuid(values.channel, '--channel');
    const email = typeof values.email === 'string' ? values.email : null;
    if (email !== null && !emailSchema.safeParse(email).success) throw new UsageError('--email must be an email address');
    const name = typeof values.name === 'string' ? values.name : null;
    if (name !== null && name.length > 200) throw new UsageError('--name is at most 200 characters');
    await channelExists(ctx, channelId);
    const { rows } = await ctx.db.query<{ id: string }>(
      'insert into ledger.leads (channel_id, name, email) values ($1, $2, $3) returning id',
      [channelId, name, email],
    );
    ctx.print(`created lead ${rows[0]!.id}`, { id: rows[0]!.id, channel: channelId, name, email });
  },
};

export const leadList: AdminCommand = {
  summary: "list a channel's leads",
  usage: 'admin lead list --channel ID',
  options: { channel: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const rows = await channelRows<{ id: string; name: string | null; email: string | null }>(
      ctx,
      values.channel,
      'select id, name, email from ledger.leads where channel_id = $1 order by created_at, id',
    );
    ctx.printList(rows, 'no leads', (r) => `${r.id}  ${r.name ?? ''} ${r.email ? `<${r.email}>` : ''}`);
  },
};
