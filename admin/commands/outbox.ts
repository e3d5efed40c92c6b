/** The email outbox: what was sent, what waits, what was dead-lettered or held, and sending it (again). */
import { UsageError, type CommandContext } from '../context.ts';
import { requireUuid, wholeNumber } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

export const outboxList: AdminCommand = {
  summary: 'list emails in the outbox, newest first',
  usage: `admin outbox list [--company SLUG] [--state pending|delivered|dead|held] [--limit N]

  --limit N   how many (1-1000, default 20)`,
  options: { company: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = values.company === undefined ? null : await companyIdOf(ctx, values.company);
    if (values.state !== undefined && !['pending', 'delivered', 'dead', 'held'].includes(String(values.state))) {
      throw new UsageError('--state is pending, delivered, dead or held');
    }
    const limit = wholeNumber(values.limit, '--limit', 1000) ?? 20;
    const { rows } = await ctx.db.query<{
      id: string; company: string; to_address: string; template: string; state: string; attempts: number; last_error: string | null; created_at: Date; sent_at: Date | null;
    }>(
      `select o.id, c.slug as company, o.to_address, o.template, o.state, o.attempts, o.last_error, o.created_at, o.sent_at
       from ledger.email_outbox o join ledger.companies c on c.id = o.company_id
       where ($1::uuid is null or o.company_id = $1) and ($2::text is null or o.state = $2)
       order by o.created_at desc limit $3`,
      [companyId, values.state ?? null, limit],
    );
    const json = rows.map((r) => ({
      id: r.id, company: r.company, to: r.to_address, template: r.template, state: r.state, attempts: r.attempts,
      lastError: r.last_error, createdAt: r.created_at, sentAt: r.sent_at,
    }));
    const human = json.length
      ? json.map((r) => `${r.id}  ${r.company.padEnd(12)} ${r.template.padEnd(30)} to ${r.to}  ${r.state}${r.lastError ? ` (${r.lastError})` : ''}`).join('\n')
      : 'no emails';
    ctx.print(human, json);
  },
};

/**
 * Makes emails in state `from` pending again (one by id, or all, or a company's): the relay's next
 * sweep sends them. Returns their ids.
 */
async function makePending(ctx: CommandContext, from: 'dead' | 'held', which: { id?: string; companyId?: string | null }): Promise<string[]> {
  const { rows } = await ctx.db.query<{ id: string }>(
    `update ledger.email_outbox set state = 'pending', lease_until = null, dead_at = null
     where state = $1 and ($2::uuid is null or id = $2) and ($3::uuid is null or company_id = $3) returning id`,
    [from, which.id ?? null, which.companyId ?? null],
  );
  return rows.map((r) => r.id);
}

export const outboxRedrive: AdminCommand = {
  summary: 'send a dead-lettered email (or all of them) again',
  usage: `admin outbox redrive --id EMAIL
admin outbox redrive --dead [--company SLUG]

The emails become pending: the relay's next sweep sends them (the mail provider's idempotency key
is the email's id, so one the provider already accepted is not sent twice within 24 hours).`,
  options: { id: { type: 'string' }, dead: { type: 'boolean' }, company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    let redriven: string[];
    if (values.id !== undefined) {
      redriven = await makePending(ctx, 'dead', { id: requireUuid(values.id, '--id') });
    } else if (values.dead) {
      redriven = await makePending(ctx, 'dead', { companyId: values.company === undefined ? null : await companyIdOf(ctx, values.company) });
    } else {
      throw new UsageError('give --id EMAIL, or --dead [--company SLUG]');
    }
    ctx.print(`${redriven.length} email(s) pending again; the relay's next sweep sends them`, { redriven });
  },
};

export const outboxRelease: AdminCommand = {
  summary: "send emails held over a company's hourly mail quota",
  usage: `admin outbox release --id EMAIL
admin outbox release --company SLUG

Mail a company's requests cause past its quota (admin company set --mail-quota) is held, never
sent, until released here; see it with admin outbox list --state held. Released emails become
pending: the relay's next sweep sends them.`,
  options: { id: { type: 'string' }, company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    let released: string[];
    if (values.id !== undefined) {
      released = await makePending(ctx, 'held', { id: requireUuid(values.id, '--id') });
    } else if (values.company !== undefined) {
      released = await makePending(ctx, 'held', { companyId: await companyIdOf(ctx, values.company) });
    } else {
      throw new UsageError('give --id EMAIL or --company SLUG');
    }
    ctx.print(`${released.length} held email(s) released; the relay's next sweep sends them`, { released });
  },
};
