/**
 * The delivery worker: relays the outbox (emails and webhooks written by the database) through
 * Cloudflare Queues. It serves no API; /health answers for monitoring. See relay.ts.
 */
import { createLogger } from '../../shared/logging/index.ts';
import type { DeliveryEnv, OutboxNudge } from './env.ts';
import type { ClaimedMessage } from './messages.ts';
import { queueNames } from './queues.ts';
import { bury, deliver, sweep } from './relay.ts';

const log = createLogger({ service: 'delivery' });

async function sweepLogged(env: DeliveryEnv, why: string): Promise<void> {
  const queued = await sweep(env);
  if (queued > 0 && env.LOG_REQUESTS === 'true') log.log('info', 'queued messages for delivery', { queued, why });
}

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return Response.json({ status: 'ok', service: 'delivery' });
    return Response.json({ error: 'not_found', message: `There is no ${request.method} ${pathname} on the delivery worker.` }, { status: 404 });
  },

  /** The cron trigger: picks up what no nudge announced (a lost nudge, an expired lease, a redrive). */
  async scheduled(_controller: ScheduledController, env: DeliveryEnv): Promise<void> {
    await sweepLogged(env, 'sweep');
  },

  async queue(batch: MessageBatch<ClaimedMessage | OutboxNudge>, env: DeliveryEnv): Promise<void> {
    switch (batch.queue) {
      case queueNames.outbox:
        // However many nudges came in the batch, one sweep serves them all.
        await sweepLogged(env, 'nudge');
        batch.ackAll();
        return;
      case queueNames.deliveries:
        return deliver(batch as MessageBatch<ClaimedMessage>, env, log);
      case queueNames.dead:
        return bury(batch as MessageBatch<ClaimedMessage>, env, log);
      default:
        log.log('error', 'a batch from an unknown queue; retried', { queue: batch.queue });
        batch.retryAll();
    }
  },
} satisfies ExportedHandler<DeliveryEnv, ClaimedMessage | OutboxNudge>;
