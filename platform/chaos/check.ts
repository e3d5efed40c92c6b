/**
 * What a chaos run checks once its faults stopped and the platform drained: the ledger against
 * what the clients were told, the money at the Stripe server against the orders, and what is left
 * undelivered.
 */
import pg from 'pg';
import Stripe from 'stripe';
import { toCents } from '../../shared/money/index.ts';
import type { Write } from './clients.ts';
import type { Receivers } from './receivers.ts';

export interface Findings {
  acknowledged: number;
  refused: number;
  unknown: number;
  /** Told success, not in the ledger. */
  lost: number;
  /** In the ledger more than once. */
  duplicated: number;
  /** Told nothing was done (a 4xx), yet in the ledger. */
  phantom: number;
  /** Consumers whose charges kept at Stripe (charged less refunded) are not what their orders charged; and money kept for attempts the ledger no longer has. */
  moneyMismatches: number;
  /** Card charges neither placed, refunded nor found uncharged. */
  unsettledCharges: number;
  /** Emails and webhooks neither delivered, dead nor held. */
  stuckDeliveries: number;
  /** Events that arrived under more than one webhook-id, or webhook-ids carrying more than one event. */
  webhookIdMismatches: number;
  /** The first few of each problem, to start from. */
  examples: string[];
}

/** What is still on its way: charges unsettled, emails and webhooks pending. */
export async function inFlight(db: pg.Pool): Promise<{ charges: number; emails: number; webhooks: number }> {
  const { rows } = await db.query<{ charges: number; emails: number; webhooks: number }>(
    `select (select count(*)::int from ledger.charge_attempts where status in ('pending', 'refunding')) as charges,
            (select count(*)::int from ledger.email_outbox where state = 'pending') as emails,
            (select count(*)::int from ledger.webhook_deliveries where state = 'pending') as webhooks`,
  );
  return rows[0]!;
}

/** How many times each identity is in the ledger, per API. */
async function ledgerCounts(db: pg.Pool, writes: Write[]): Promise<Map<string, number>> {
  const ids = (api: Write['api']) => writes.filter((w) => w.api === api && w.identity).map((w) => w.identity!);
  const counts = new Map<string, number>();
  const queries: Array<[string, string[]]> = [
    [`select external_id as id, count(*)::int as n from ledger.purchases where source = 'lumen' and external_id = any($1) group by 1`, ids('lumen')],
    [`select external_id as id, count(*)::int as n from ledger.purchases where source = 'kit' and external_id = any($1) group by 1`, ids('kit')],
    [`select description as id, count(*)::int as n from ledger.purchases where source = 'operations' and description = any($1) group by 1`, ids('operations')],
    [`select c.user_key as id, count(*)::int as n from ledger.publisher_orders o join ledger.customers c on c.id = o.customer_id
      where c.user_key = any($1) group by 1`, ids('groupcommerce')],
  ];
  for (const [sql, values] of queries) {
    for (const row of (await db.query<{ id: string; n: number }>(sql, [values])).rows) counts.set(row.id, row.n);
  }
  return counts;
}

/**
 * Per consumer, cents charged and kept at the Stripe server (succeeded less refunded); under `null`,
 * what is kept for attempts the ledger no longer has (an attempt is removed only when its charge
 * took nothing, so any such money is kept with no order to show for it).
 */
async function keptAtStripe(db: pg.Pool, stripe: Stripe): Promise<Map<string | null, bigint>> {
  const succeeded: Stripe.PaymentIntent[] = [];
  for await (const intent of stripe.paymentIntents.list({ limit: 100 })) if (intent.status === 'succeeded') succeeded.push(intent);
  const attempts = succeeded.map((intent) => intent.metadata?.attempt ?? '').filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const { rows } = await db.query<{ id: string; user_key: string }>('select id::text, user_key from ledger.charge_attempts where id = any($1::uuid[])', [attempts]);
  const consumerOf = new Map(rows.map((r) => [r.id, r.user_key]));
  const kept = new Map<string | null, bigint>();
  const intentConsumer = new Map<string, string | null>();
  for (const intent of succeeded) {
    const consumer = consumerOf.get(intent.metadata?.attempt ?? '') ?? null;
    intentConsumer.set(intent.id, consumer);
    kept.set(consumer, (kept.get(consumer) ?? 0n) + BigInt(intent.amount));
  }
  for await (const refund of stripe.refunds.list({ limit: 100 })) {
    const intent = String(refund.payment_intent);
    if (!intentConsumer.has(intent) || (refund.status !== 'succeeded' && refund.status !== 'pending')) continue;
    const consumer = intentConsumer.get(intent)!;
    kept.set(consumer, (kept.get(consumer) ?? 0n) - BigInt(refund.amount));
  }
  return kept;
}

export async function check(db: pg.Pool, stripe: Stripe, receivers: Receivers, writes: Write[]): Promise<Findings> {
  const examples: string[] = [];
  const example = (line: string) => void (examples.length < 20 && examples.push(line));
  const counts = await ledgerCounts(db, writes);
  let lost = 0;
  let duplicated = 0;
  let phantom = 0;
  for (const write of writes) {
    if (!write.identity) continue;
    const n = counts.get(write.identity) ?? 0;
    if (n > 1) (duplicated++, example(`duplicated: ${write.api} ${write.identity} is in the ledger ${n} times`));
    if (write.outcome === 'success' && n === 0) (lost++, example(`lost: ${write.api} ${write.identity} was acknowledged and is not in the ledger`));
    if (write.outcome === 'refused' && n > 0) (phantom++, example(`phantom: ${write.api} ${write.identity} was refused (${write.lastStatus}) and is in the ledger`));
  }

  const consumers = writes.filter((w) => w.api === 'groupcommerce' && w.payment !== 'off-platform').map((w) => w.identity!);
  const kept = await keptAtStripe(db, stripe);
  const { rows: charged } = await db.query<{ user_key: string; charged: string }>(
    `select c.user_key, sum(o.charge_amount)::text as charged from ledger.publisher_orders o join ledger.customers c on c.id = o.customer_id
     where c.user_key = any($1) and o.transaction_id is not null group by 1`,
    [consumers],
  );
  const chargedBy = new Map(charged.map((r) => [r.user_key, toCents(r.charged)]));
  let moneyMismatches = 0;
  for (const consumer of consumers) {
    const atStripe = kept.get(consumer) ?? 0n;
    const inLedger = chargedBy.get(consumer) ?? 0n;
    if (atStripe !== inLedger) (moneyMismatches++, example(`money: ${consumer} kept ${atStripe} cents at Stripe, its orders charged ${inLedger}`));
  }
  const orphaned = kept.get(null) ?? 0n;
  if (orphaned !== 0n) (moneyMismatches++, example(`money: ${orphaned} cents kept at Stripe for charge attempts the ledger no longer has`));

  const waiting = await inFlight(db);
  if (waiting.charges) example(`unsettled: ${waiting.charges} card charges neither placed, refunded nor found uncharged`);
  if (waiting.emails + waiting.webhooks) example(`stuck: ${waiting.emails} emails and ${waiting.webhooks} webhook deliveries still pending`);

  let webhookIdMismatches = 0;
  for (const [event, ids] of receivers.idsOfEvent) if (ids.size > 1) (webhookIdMismatches++, example(`webhook-id: one event arrived as ${[...ids].join(', ')} (${event})`));
  for (const [id, events] of receivers.seen) if (events.size > 1) (webhookIdMismatches++, example(`webhook-id: ${id} carried ${events.size} different events`));

  return {
    acknowledged: writes.filter((w) => w.outcome === 'success').length,
    refused: writes.filter((w) => w.outcome === 'refused').length,
    unknown: writes.filter((w) => w.outcome === 'unknown').length,
    lost,
    duplicated,
    phantom,
    moneyMismatches,
    unsettledCharges: waiting.charges,
    stuckDeliveries: waiting.emails + waiting.webhooks,
    webhookIdMismatches,
    examples,
  };
}
