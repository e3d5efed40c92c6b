/** Group Commerce credit rules: the credits a publisher awards on each order, to the consumer or to the referrer. */
import { CommandError, UsageError } from '../context.ts';
import { requireDecimal, requireText } from './args.ts';
import { companyIdOf, companyRows } from './company.ts';
import type { AdminCommand } from './types.ts';

const triggers = { 'next-purchase': 'for_next_purchase', 'after-next-purchase': 'after_next_purchase' } as const;

export const creditRuleCreate: AdminCommand = {
  summary: 'award credits on every order (the rule id is printed)',
  usage: `admin credit-rule create --company SLUG --name NAME (--money AMOUNT | --percent PERCENT)
                          [--usable next-purchase|after-next-purchase] [--to consumer|referrer]

  --money / --percent  a fixed amount in the order's currency, or a percentage of the order's value
                       after promo codes (rounded to the cent, halves away from zero)
  --usable             next-purchase: spendable from the consumer's next purchase on (default);
                       after-next-purchase: spendable once the consumer has made one more purchase
  --to                 consumer: the buyer (default); referrer: the consumer named by
                       ReferredByUserKey, on the order that creates the referred consumer`,
  options: {
    company: { type: 'string' }, name: { type: 'string' }, money: { type: 'string' }, percent: { type: 'string' },
    usable: { type: 'string' }, to: { type: 'string' },
  },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const name = requireText(values.name, '--name');
    if ((values.money === undefined) === (values.percent === undefined)) throw new UsageError('give exactly one of --money and --percent');
    const amountType = values.money !== undefined ? 'money' : 'percent';
    const amount = requireDecimal(values.money ?? values.percent, amountType === 'money' ? '--money' : '--percent', 2);
    if (/^0+(\.0+)?$/.test(amount) || (amountType === 'percent' && Number(amount) > 100)) {
      throw new UsageError(amountType === 'money' ? '--money must be more than 0' : '--percent must be more than 0 and at most 100');
    }
    const usable = (values.usable ?? 'next-purchase') as string;
    if (!(usable in triggers)) throw new UsageError('--usable takes next-purchase or after-next-purchase');
    const beneficiary = (values.to ?? 'consumer') as string;
    if (beneficiary !== 'consumer' && beneficiary !== 'referrer') throw new UsageError('--to takes consumer or referrer');
    const { rows } = await ctx.db.query<{ id: string; amount: string }>(
      `insert into ledger.credit_rules (company_id, name, trigger_type, beneficiary, amount_type, amount)
       values ($1, $2, $3, $4, $5, $6::numeric) returning id, amount::text`,
      [companyId, name, triggers[usable as keyof typeof triggers], beneficiary, amountType, amount],
    );
    const { id, amount: stored } = rows[0]!;
    const what = amountType === 'money' ? stored : `${stored} %`;
    ctx.print(`created credit rule ${id} (${what} to the ${beneficiary}, usable ${usable.replace(/-/g, ' ')})`, {
      id, name, amountType, amount: stored, usable, beneficiary,
    });
  },
};

export const creditRuleList: AdminCommand = {
  summary: "list a company's credit rules",
  usage: 'admin credit-rule list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const rows = await companyRows<{ id: string; name: string; amountType: string; amount: string; triggerType: string; beneficiary: string; active: boolean }>(
      ctx,
      values.company,
      `select id, name, amount_type as "amountType", amount::text, trigger_type as "triggerType", beneficiary, active
       from ledger.credit_rules where company_id = $1 order by created_at`,
    );
    ctx.printList(rows, 'no credit rules', (r) =>
      `${r.id}  ${r.name}  ${r.amountType === 'money' ? r.amount : `${r.amount} %`} to the ${r.beneficiary}, ${r.triggerType.replace(/_/g, ' ')}${r.active ? '' : '  (inactive)'}`);
  },
};

export const creditRuleDeactivate: AdminCommand = {
  summary: 'stop a credit rule awarding credits (credits already awarded stay)',
  usage: 'admin credit-rule deactivate --company SLUG RULE_ID',
  options: { company: { type: 'string' } },
  positionals: 1,
  async run(ctx, values, positionals) {
    const companyId = await companyIdOf(ctx, values.company);
    const id = positionals[0]!;
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('RULE_ID must be a rule id (see: admin credit-rule list)');
    const { rowCount } = await ctx.db.query('update ledger.credit_rules set active = false where company_id = $1 and id = $2', [companyId, id]);
    if (!rowCount) throw new CommandError(`the company has no credit rule ${id}`);
    ctx.print(`deactivated credit rule ${id}`, { id, active: false });
  },
};
