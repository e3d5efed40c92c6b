/**
 * The publisher worker: the Group Commerce publisher API (app.ts) and, on its cron trigger, the
 * reconciliation of card charges whose outcome no request learned (reconcile.ts).
 */
import { createLogger } from '../../shared/logging/index.ts';
import { app } from './app.ts';
import type { GroupCommerceEnv } from './oauth.ts';
import { reconcileCharges } from './reconcile.ts';

// The class name wrangler.toml binds.
export { RateLimiter } from '../../shared/rate-limit/index.ts';

const log = createLogger({ service: 'groupcommerce' });

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: GroupCommerceEnv): Promise<void> {
    try {
      await reconcileCharges(env, log);
    } catch (error) {
      log.log('error', 'charge reconciliation could not run; the next cron tries again', { error });
    }
  },
} satisfies ExportedHandler<GroupCommerceEnv>;
