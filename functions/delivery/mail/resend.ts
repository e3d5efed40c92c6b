/**
 * The mail provider: Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email).
 *
 * Why Resend: it is one HTTPS call from a Worker (no SDK, no SMTP socket), it sends to any
 * recipient (Cloudflare's send_email binding only reaches addresses verified in Email Routing),
 * and it honours an Idempotency-Key for 24 hours
 * (https://resend.com/docs/dashboard/emails/idempotency-keys): the relay delivers at least once,
 * so a retry after a lost answer must not mail the buyer twice. The key is the outbox message's id.
 *
 * Which failures are worth retrying follows Resend's error list
 * (https://resend.com/docs/api-reference/errors): 400 and 422 refuse the message itself (a bad
 * address, say), and 409 invalid_idempotent_request says this key already sent another message,
 * which no retry changes: dead at once. 401/403 (key missing or wrong), 409
 * concurrent_idempotent_requests (the same key still in flight), 429 and 5xx are the platform's or
 * the provider's state, retried until they pass.
 */
import type { Outcome } from '../messages.ts';
import type { RenderedEmail } from './render.ts';

export interface ResendSettings {
  apiUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

export const resendApiUrl = 'https://api.resend.com';

export async function sendWithResend(email: RenderedEmail, messageId: string, settings: ResendSettings): Promise<Outcome> {
  if (!settings.apiKey) return { outcome: 'retry', attempted: false, error: 'RESEND_API_KEY is not set on the delivery worker' };
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(`${settings.apiUrl.replace(/\/+$/, '')}/emails`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${settings.apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': `outbox/${messageId}`,
      },
      body: JSON.stringify({
        from: email.from,
        to: [email.to],
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: { 'X-Entity-Ref-ID': messageId },
      }),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : (error as Error).message;
    return { outcome: 'retry', attempted: true, error: `the mail provider could not be reached: ${reason}`, duration_ms: Date.now() - started };
  }
  const duration_ms = Date.now() - started;
  if (response.ok) {
    await response.body?.cancel();
    return { outcome: 'delivered', attempted: true, status: response.status, duration_ms };
  }
  let name: string | undefined;
  const detail = await response.text().then(
    (text) => {
      try {
        const body = JSON.parse(text) as { name?: string; message?: string };
        name = body.name;
        return [body.name, body.message].filter(Boolean).join(': ');
      } catch {
        return text.slice(0, 200);
      }
    },
    () => '',
  );
  const error = `the mail provider answered ${response.status}${detail ? ` (${detail})` : ''}`.slice(0, 500);
  const permanent = response.status === 400 || response.status === 422 || name === 'invalid_idempotent_request';
  return { outcome: permanent ? 'dead' : 'retry', attempted: true, status: response.status, error, duration_ms };
}
