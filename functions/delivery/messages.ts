/** What travels on the queues and what the relay RPCs answer (supabase/migrations/*_deliveries.sql). */

/** A message the relay leased, on the deliveries queue: only its id and kind (the rest is read fresh). */
export interface ClaimedMessage {
  id: string;
  kind: 'email' | 'webhook';
}

export type MessageState = 'pending' | 'delivered' | 'dead';

export interface EmailMessage {
  id: string;
  kind: 'email';
  state: MessageState;
  attempts: number;
  company: { slug: string; name: string; email_from: string | null };
  to: string;
  template: string;
  content: Record<string, unknown>;
  created_at: string;
}

export interface WebhookMessage {
  id: string;
  kind: 'webhook';
  state: MessageState;
  attempts: number;
  event_id: string;
  payload: { type: string; timestamp: string; data: unknown };
  endpoint: { id: string; url: string; state: 'active' | 'disabled'; sealed_secret: string };
}

export type RelayMessage = EmailMessage | WebhookMessage;

/** What one attempt came to; `retry` waits for the queue's next attempt, `dead` ends the message. */
export interface Outcome {
  outcome: 'delivered' | 'retry' | 'dead';
  /** Whether a provider or receiver was called (false: refused before, or dead-lettered by the queue). */
  attempted: boolean;
  error?: string;
  status?: number;
  response?: string;
  duration_ms?: number;
}

/** One settled message, as relay_record takes it. */
export interface RecordedOutcome extends Outcome {
  id: string;
  kind: ClaimedMessage['kind'];
  next_attempt_seconds?: number;
}
