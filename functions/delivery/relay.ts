/**
 * The relay: from the outbox in the database to the deliveries queue, then to the mail provider or
 * the receiver, and back to the database with what happened.
 *
 *   sweep     leases pending messages no one holds (new ones, and ones whose lease ran out because
 *             a relay died with them) and puts each on the deliveries queue. Runs on every nudge
 *             from the API workers and on the cron trigger.
 *   deliver   one batch from the deliveries queue: reads the messages, delivers them side by side,
 *             records every outcome in one call, then acks or retries each message with backoff.
 *             Queues dead-letters a message after max_retries.
 *   bury      the dead-letter queue's batches: each message recorded dead (re-drivable from the
 *             admin CLI).
 */
import { callTypedRpc, connectAsRole, relayRole, type Db } from '../../shared/db/index.ts';
import { readDatabaseSettings } from '../../shared/env/index.ts';
import type { Logger } from '../../shared/logging/index.ts';
import { deliverySettings, retryDelaySeconds, type DeliveryEnv, type DeliverySettings } from './env.ts';
import { claimRpc, messagesRpc, recordRpc, type ClaimedMessage, type Outcome, type RecordedOutcome, type RelayMessage } from './messages.ts';
import { renderEmail } from './mail/render.ts';
import { resendApiUrl, sendWithResend } from './mail/resend.ts';
import { sendWebhook } from './webhook.ts';

/** Most messages one claim leases of each kind; a sweep claims again while claims come back full. */
const claimSize = 100;
/** Queues takes at most 100 messages per sendBatch. */
const sendBatchSize = 100;

export async function relayDatabase(env: DeliveryEnv): Promise<Db> {
  const settings = readDatabaseSettings(env);
  if ('missing' in settings) throw new Error(`the delivery worker lacks ${settings.missing.join(', ')}`);
  if ('publicSecrets' in settings) throw new Error(`refusing to relay: ${settings.publicSecrets.join(', ')} hold the public local defaults`);
  return connectAsRole(settings, relayRole);
}

/** Leases every pending message and queues it for delivery; returns how many were queued. */
export async function sweep(env: DeliveryEnv): Promise<number> {
  const { leaseSeconds } = deliverySettings(env);
  const db = await relayDatabase(env);
  let queued = 0;
  for (let round = 0; round < 20; round++) {
    const claimed = await callTypedRpc(db, claimRpc, { max_messages: claimSize, lease_seconds: leaseSeconds });
    for (let start = 0; start < claimed.length; start += sendBatchSize) {
      await env.DELIVERIES.sendBatch(claimed.slice(start, start + sendBatchSize).map((body) => ({ body })));
    }
    queued += claimed.length;
    if (claimed.length < claimSize) break;
  }
  return queued;
}

async function deliverOne(message: RelayMessage, env: DeliveryEnv, settings: DeliverySettings): Promise<Outcome> {
  if (message.kind === 'webhook') return sendWebhook(message, env, settings);
  let email;
  try {
    email = renderEmail(message, {
      mailFromDomain: env.MAIL_FROM_DOMAIN || 'purchases.invalid',
      downloadBaseUrl: env.DOWNLOAD_BASE_URL || 'https://downloads.purchases.invalid',
    });
  } catch (error) {
    return { outcome: 'dead', attempted: false, error: `cannot render: ${(error as Error).message}` };
  }
  return sendWithResend(email, message.id, {
    apiUrl: env.RESEND_API_URL || resendApiUrl,
    apiKey: env.RESEND_API_KEY,
    timeoutMs: settings.webhookTimeoutMs,
  });
}

export async function deliver(batch: MessageBatch<ClaimedMessage>, env: DeliveryEnv, log: Logger): Promise<void> {
  const settings = deliverySettings(env);
  const { retryBaseSeconds, leaseSeconds } = settings;
  let db: Db;
  let messages: RelayMessage[];
  try {
    db = await relayDatabase(env);
    messages = await callTypedRpc(db, messagesRpc, { messages: batch.messages.map((m) => m.body) });
  } catch (error) {
    log.log('error', 'cannot read the messages to deliver; the batch is retried', { error, messages: batch.messages.length });
    batch.retryAll({ delaySeconds: retryBaseSeconds });
    return;
  }
  const byId = new Map(messages.map((m) => [m.id, m]));
  const settled = await Promise.all(
    batch.messages.map(async (queued) => {
      const message = byId.get(queued.body.id);
      // Delivered or dead meanwhile (a redelivered queue message, a second lease): nothing to do.
      if (!message || message.state !== 'pending') return { queued, recorded: null };
      const outcome = await deliverOne(message, env, settings).catch(
        (error: unknown): Outcome => ({ outcome: 'retry', attempted: false, error: `the relay failed: ${error instanceof Error ? error.message : String(error)}` }),
      );
      const recorded: RecordedOutcome = {
        id: message.id,
        kind: message.kind,
        ...outcome,
        ...(outcome.outcome === 'retry' ? { next_attempt_seconds: retryDelaySeconds(queued.attempts, retryBaseSeconds) } : {}),
      };
      return { queued, recorded };
    }),
  );
  const results = settled.flatMap(({ recorded }) => (recorded ? [recorded] : []));
  if (results.length > 0) {
    try {
      await callTypedRpc(db, recordRpc, { results, lease_seconds: leaseSeconds });
    } catch (error) {
      // Delivered but not recorded: the queue tries again, and the receiver sees the same id twice
      // (mail: the provider's idempotency key keeps it to one email).
      log.log('error', 'cannot record deliveries; the batch is retried', { error, messages: results.length });
      batch.retryAll({ delaySeconds: retryBaseSeconds });
      return;
    }
  }
  for (const { queued, recorded } of settled) {
    if (recorded?.outcome === 'retry') {
      log.log('warn', 'delivery failed; retrying', { id: recorded.id, kind: recorded.kind, attempt: queued.attempts, error: recorded.error, retryInSeconds: recorded.next_attempt_seconds });
      queued.retry({ delaySeconds: recorded.next_attempt_seconds });
    } else {
      if (recorded?.outcome === 'dead') log.log('error', 'message dead-lettered', { id: recorded.id, kind: recorded.kind, error: recorded.error });
      queued.ack();
    }
  }
}

/** Messages Queues gave up on after max_retries: recorded dead. */
export async function bury(batch: MessageBatch<ClaimedMessage>, env: DeliveryEnv, log: Logger): Promise<void> {
  const { leaseSeconds, retryBaseSeconds } = deliverySettings(env);
  const results: RecordedOutcome[] = batch.messages.map((m) => ({
    id: m.body.id,
    kind: m.body.kind,
    outcome: 'dead',
    attempted: false,
    error: 'every retry failed: dead-lettered',
  }));
  try {
    await callTypedRpc(await relayDatabase(env), recordRpc, { results, lease_seconds: leaseSeconds });
  } catch (error) {
    log.log('error', 'cannot record dead-lettered messages; retried', { error });
    batch.retryAll({ delaySeconds: retryBaseSeconds });
    return;
  }
  for (const result of results) log.log('error', 'message dead-lettered', { id: result.id, kind: result.kind });
  batch.ackAll();
}
