/**
 * Charge reconciliation, on the publisher worker's cron (it holds the processor's key): settles
 * the charge attempts no request settled (ledger.charge_attempts; orders.ts says how they arise).
 * For each attempt quiet for RECONCILE_QUIET_SECONDS, the processor is asked what became of it:
 *
 *   nothing charged              → failed
 *   charged and refunded         → refunded
 *   charged                      → the order is placed with that charge if it still can be (the
 *                                  same checks and price as when it was charged), else refunded.
 *
 * The database decides under the consumer's lock (reconcile_settle), so a request and a sweep
 * never both place or both refund; refunds are keyed by the charge, so none is given twice. Each
 * settlement is logged and listed by `npm run admin -- payments reconcile`.
 */
import { callTypedRpc, connectAsRole, reconcilerRole, type Db } from '../../shared/db/index.ts';
import type * as z from 'zod/mini';
import { readDatabaseSettings } from '../../shared/env/index.ts';
import { unixSeconds } from '../../shared/ledger/timestamps.ts';
import type { Logger } from '../../shared/logging/index.ts';
import type { FoundCharge, PaymentProcessor } from '../../shared/payments/index.ts';
import type { GroupCommerceEnv } from './oauth.ts';
import { paymentProcessorFor } from './orders.ts';
import { reconcileClaimRpc, reconcileSettleRpc } from './rpcs.ts';

type ClaimedAttempt = z.output<typeof reconcileClaimRpc.result>[number];

/** How long an attempt must be left alone before it is reconciled: past any request still charging it. */
export function quietSeconds(env: GroupCommerceEnv): number {
  const value = Number(env.RECONCILE_QUIET_SECONDS);
  return Number.isInteger(value) && value > 0 ? value : 300;
}

/** Most attempts one run takes; the next cron takes the rest. */
const batchSize = 50;

export async function reconcileCharges(env: GroupCommerceEnv, log: Logger): Promise<Record<string, number>> {
  const processor = paymentProcessorFor(env, log);
  const counts: Record<string, number> = {};
  if (!processor) return counts;
  const settings = readDatabaseSettings(env);
  if ('missing' in settings) throw new Error(`reconciliation lacks ${settings.missing.join(', ')}`);
  if ('publicSecrets' in settings) throw new Error(`refusing to reconcile: ${settings.publicSecrets.join(', ')} hold the public local defaults`);
  const db = await connectAsRole(settings, reconcilerRole);
  const claimed = await callTypedRpc(db, reconcileClaimRpc, { quiet_seconds: quietSeconds(env), max_attempts: batchSize, lease_seconds: 300 });
  for (const attempt of claimed) {
    const outcome = await reconcileOne(db, processor, attempt, log).catch((error: unknown) => {
      log.log('error', 'a charge attempt could not be reconciled now; the next run tries again', { attempt: attempt.id, error });
      return 'deferred';
    });
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

async function reconcileOne(db: Db, processor: PaymentProcessor, attempt: ClaimedAttempt, log: Logger): Promise<string> {
  const found: FoundCharge = await processor.findCharge(attempt.id, { createdAt: unixSeconds(attempt.created_at), touchedAt: unixSeconds(attempt.touched_at) });
  if ('unknown' in found) {
    log.log('warn', 'the processor cannot say yet what became of a charge attempt; the next run asks again', { attempt: attempt.id, problem: found.unknown });
    return 'deferred';
  }
  const charge = found.charged
    ? { transaction_id: found.transactionId, refunded: found.refunded, billing_card_type: found.card.brand, billing_card_last4: found.card.last4 }
    : null;
  let settled = await callTypedRpc(db, reconcileSettleRpc, { attempt_id: attempt.id, charge });
  if (settled.outcome === 'refund' && charge) {
    const refunded = await processor.refund(charge.transaction_id);
    if (!refunded.ok) throw new Error(`the refund failed: ${refunded.message}`);
    settled = await callTypedRpc(db, reconcileSettleRpc, { attempt_id: attempt.id, charge: { ...charge, refunded: true } });
  }
  if (settled.outcome !== 'unchanged') {
    log.log('warn', 'charge attempt reconciled', {
      attempt: attempt.id,
      outcome: settled.outcome,
      amount: attempt.amount,
      currency: attempt.currency,
      ...(charge ? { transactionId: charge.transaction_id } : {}),
      ...('number' in settled ? { orderId: settled.number } : {}),
    });
  }
  return settled.outcome;
}
