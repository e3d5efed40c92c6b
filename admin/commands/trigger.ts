/** Reward triggers: what a channel pays for a purchase, fixed or as a percentage of its amount. */
import { CommandError, UsageError } from '../context.ts';
import { requireDecimal, requireText, requireUuid } from './args.ts';
import { channelExists, channelRows } from './channel.ts';
import type { AdminCommand } from './types.ts';

export const triggerCreate: AdminCommand = {
  summary: 'add a purchase reward trigger to a channel',
  usage: `admin trigger create --channel ID --name NAME (--fixed AMOUNT | --percentage PERCENT)

  --fixed AMOUNT        reward this amount, in the channel's currency, per purchase (e.g. 25.00)
  --percentage PERCENT  reward this percent of the purchase amount (e.g. 7.5), rounded to the cent,
                        halves away from zero`,
  options: { channel: { type: 'string' }, name: { type: 'string' }, fixed: { type: 'string' }, percentage: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const channelId = requireUuid(values.channel, '--channel');
    const name = requireText(values.name, '--name');
    if ((values.fixed === undefined) === (values.percentage === undefined)) {
      throw new UsageError('give exactly one of --fixed and --percentage');
    }
    const rewardType = values.fixed !== undefined ? 'fixed' : 'percentage';
    const value = rewardType === 'fixed'
      ? requireDecimal(values.fixed, '--fixed', 2)
      : requireDecimal(values.percentage, '--percentage', 4);
    if (rewardType === 'percentage' && Number(value) > 100) throw new UsageError('--percentage is at most 100');
    await channelExists(ctx, channelId);
    const { rows } = await ctx.db.query<{ id: string }>(
      `insert into ledger.reward_triggers (channel_id, name, reward_type, value) values ($1, $2, $3, $4::numeric) returning id`,
      [channelId, name, rewardType, value],
    );
    ctx.print(`created ${rewardType} trigger ${rows[0]!.id} (${name}: ${value}${rewardType === 'percentage' ? ' %' : ''})`, {
      id: rows[0]!.id, channel: channelId, name, rewardType, value,
    });
  },
};

export const triggerList: AdminCommand = {
  summary: "list a channel's reward triggers",
  usage: 'admin trigger list --channel ID',
  options: { channel: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const rows = await channelRows<{ id: string; name: string; reward_type: string; value: string; active: boolean }>(
      ctx,
      values.channel,
      `select id, name, reward_type, value::text as value, active from ledger.reward_triggers
       where channel_id = $1 order by created_at, id`,
    );
    ctx.printList(
      rows,
      'no triggers',
      (r) => `${r.id}  ${r.reward_type.padEnd(10)} ${r.value.padStart(12)}  ${r.name}${r.active ? '' : '  (inactive)'}`,
      rows.map((r) => ({ id: r.id, name: r.name, rewardType: r.reward_type, value: r.value, active: r.active })),
    );
  },
};

export const triggerDeactivate: AdminCommand = {
  summary: 'stop a reward trigger (rewards already earned stay)',
  usage: 'admin trigger deactivate TRIGGER_ID',
  options: {},
  positionals: 1,
  async run(ctx, _values, [id]) {
    const triggerId = requireUuid(id, 'TRIGGER_ID');
    const { rowCount } = await ctx.db.query('update ledger.reward_triggers set active = false where id = $1 and active', [triggerId]);
    if (!rowCount) throw new CommandError(`no active trigger ${triggerId}`);
    ctx.print(`deactivated trigger ${triggerId}`, { id: triggerId, active: false });
  },
};
