/** What travels on the queues and what the relay RPCs answer (supabase/migrations/*_deliveries.sql). */
import * as z from 'zod/mini';
import { answersNothing, defineRpc } from '../../shared/db/index.ts';

const messageKind = z.enum(['email', 'webhook']);
const messageState = z.enum(['pending', 'delivered', 'dead']);

/** A message the relay leased, on the deliveries queue: only its id and kind (the rest is read fresh). */
export const claimedMessage = z.object({ id: z.string(), kind: messageKind });
export type ClaimedMessage = z.output<typeof claimedMessage>;

/** What every message read for delivery says of itself. */
const messageHead = { id: z.string(), state: messageState, attempts: z.number() };

export const emailMessage = z.object({
  ...messageHead,
  kind: z.literal('email'),
  company: z.object({ slug: z.string(), name: z.string(), email_from: z.nullable(z.string()) }),
  to: z.string(),
  template: z.string(),
  // Each template's content is checked where it is rendered (mail/render.ts).
  content: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type EmailMessage = z.output<typeof emailMessage>;

export const webhookMessage = z.object({
  ...messageHead,
  kind: z.literal('webhook'),
  event_id: z.string(),
  payload: z.object({ type: z.string(), timestamp: z.string(), data: z.unknown() }),
  endpoint: z.object({ id: z.string(), url: z.string(), state: z.enum(['active', 'disabled']), sealed_secret: z.string() }),
});
export type WebhookMessage = z.output<typeof webhookMessage>;

export const relayMessage = z.discriminatedUnion('kind', [emailMessage, webhookMessage]);
export type RelayMessage = z.output<typeof relayMessage>;

/** What one attempt came to; `retry` waits for the queue's next attempt, `dead` ends the message. */
export type Outcome = {
  outcome: 'delivered' | 'retry' | 'dead';
  /** Whether a provider or receiver was called (false: refused before, or dead-lettered by the queue). */
  attempted: boolean;
  error?: string;
  status?: number;
  response?: string;
  duration_ms?: number;
};

/** One settled message, as relay_record takes it. */
export type RecordedOutcome = Outcome & {
  id: string;
  kind: ClaimedMessage['kind'];
  next_attempt_seconds?: number;
};

export const claimRpc = defineRpc('relay_claim', z.array(claimedMessage));
export const messagesRpc = defineRpc('relay_messages', z.array(relayMessage));
export const recordRpc = defineRpc('relay_record', answersNothing);
