/** The delivery worker's bindings (wrangler.toml vars, `wrangler secret put` secrets, `.dev.vars` locally) and the settings read from them. */
import type { OutboxNudge } from '../../shared/app/outbox.ts';
import type { WorkerEnv } from '../../shared/env/index.ts';
import type { ClaimedMessage } from './messages.ts';

export interface DeliveryEnv extends WorkerEnv {
  /** Base64 AES-256 key that opens the webhook endpoints' signing secrets (the admin CLI seals with it). */
  WEBHOOK_SECRET_KEY?: string;
  /** The mail provider's API key (Resend: re_...). Without it every email waits, retried, until it is set. */
  RESEND_API_KEY?: string;
  /** Resend's API base (default https://api.resend.com); npm start points it at the local mail catcher. */
  RESEND_API_URL?: string;
  /** The domain a company's mail is sent from when it has no address of its own: <slug>@MAIL_FROM_DOMAIN. */
  MAIL_FROM_DOMAIN?: string;
  /** Where a DPD delivery's download links point: <base>/<purchase salt>/<item number>. */
  DOWNLOAD_BASE_URL?: string;
  /** The first retry's delay in seconds; each next one doubles, up to Queues' 12-hour maximum. */
  RETRY_BASE_SECONDS?: string;
  /** How long past its next expected attempt a message stays leased before the sweep takes it back. */
  LEASE_SECONDS?: string;
  /** How long a webhook receiver has to answer (default 10000 ms). */
  WEBHOOK_TIMEOUT_MS?: string;
  /** DNS-over-HTTPS resolver (JSON API) that checks what a webhook host resolves to before each delivery. */
  DNS_RESOLVER_URL?: string;
  /** The deliveries queue's producer: one message per email or webhook delivery. */
  DELIVERIES: Queue<ClaimedMessage>;
}

export type { OutboxNudge };

export interface DeliverySettings {
  retryBaseSeconds: number;
  leaseSeconds: number;
  webhookTimeoutMs: number;
  local: boolean;
}

function positive(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function deliverySettings(env: DeliveryEnv): DeliverySettings {
  return {
    retryBaseSeconds: positive(env.RETRY_BASE_SECONDS, 30),
    leaseSeconds: positive(env.LEASE_SECONDS, 300),
    webhookTimeoutMs: positive(env.WEBHOOK_TIMEOUT_MS, 10_000),
    local: env.LOCAL_DEVELOPMENT === 'true',
  };
}

/** Cloudflare Queues' longest delay for a retried message (12 hours). */
export const maxRetryDelaySeconds = 43_200;

/**
 * The delay before attempt `attempts + 1`: base, 2×base, 4×base… capped at 12 hours. With the
 * deployed base (30 s) and max_retries 12 the schedule spans about a day before a message is
 * dead-lettered: 30 s, 1, 2, 4, 8, 16, 32 min, 1.1, 2.1, 4.3, 8.5, 12 h.
 */
export function retryDelaySeconds(attempts: number, baseSeconds: number): number {
  return Math.min(Math.round(baseSeconds * 2 ** Math.max(0, attempts - 1)), maxRetryDelaySeconds);
}
