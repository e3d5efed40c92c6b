/** Card charges: what charge reconciliation settled, and what it has yet to. */
import { wholeNumber } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

interface AttemptRow {
  id: string;
  company: string;
  user_key: string;
  status: string;
  amount: string;
  currency: string;
  transaction_id: string | null;
  order_number: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export const paymentsReconcile: AdminCommand = {
  summary: 'list card charges settled by reconciliation, and those it has yet to settle',
  usage: `admin payments reconcile [--company SLUG] [--limit N]

A card charge whose outcome its order's request could not learn (the processor's answer lost, the
database unreachable after the charge) is left to reconciliation: the publisher worker's cron asks
the processor what became of it and places the order with the charge, or refunds it, or finds
nothing was charged. Listed here:
  unsettled    charges it has yet to settle (pending: outcome unknown; refunding: to be given back)
  reconciled   charges it settled, newest first: placed (with the order's number), refunded, failed

  --limit N   how many reconciled charges (1-1000, default 20)`,
  options: { company: { type: 'string' }, limit: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = values.company === undefined ? null : await companyIdOf(ctx, values.company);
    const limit = wholeNumber(values.limit, '--limit', 1000) ?? 20;
    const select = `select a.id, c.slug as company, a.user_key, a.status, a.amount::text, a.currency, a.transaction_id,
        p.number::text as order_number, a.created_at, a.settled_at
      from ledger.charge_attempts a join ledger.companies c on c.id = a.company_id
      left join ledger.purchases p on p.id = a.purchase_id`;
    const unsettled = await ctx.db.query<AttemptRow>(
      `${select} where a.status in ('pending', 'refunding') and ($1::uuid is null or a.company_id = $1) order by a.created_at`,
      [companyId],
    );
    const reconciled = await ctx.db.query<AttemptRow>(
      `${select} where a.settled_by = 'reconciliation' and a.settled_at is not null and ($1::uuid is null or a.company_id = $1)
       order by a.settled_at desc limit $2`,
      [companyId, limit],
    );
    const shape = (r: AttemptRow) => ({
      attempt: r.id, company: r.company, consumer: r.user_key, status: r.status, amount: r.amount, currency: r.currency,
      transactionId: r.transaction_id, orderId: r.order_number === null ? null : Number(r.order_number), createdAt: r.created_at, settledAt: r.settled_at,
    });
    const json = { unsettled: unsettled.rows.map(shape), reconciled: reconciled.rows.map(shape) };
    const line = (r: ReturnType<typeof shape>) =>
      `${r.attempt}  ${r.company.padEnd(12)} ${`${r.amount} ${r.currency}`.padStart(14)}  ${r.status.padEnd(9)}` +
      `${r.transactionId ? ` ${r.transactionId}` : ''}${r.orderId !== null ? ` order ${r.orderId}` : ''}  (${r.consumer})`;
    const human = [
      `unsettled: ${json.unsettled.length}`,
      ...json.unsettled.map(line),
      `reconciled: ${json.reconciled.length}${json.reconciled.length === limit ? ` (the newest ${limit})` : ''}`,
      ...json.reconciled.map(line),
    ].join('\n');
    ctx.print(human, json);
  },
};
