/**
 * One webhook delivery: the event signed per Standard Webhooks, POSTed to the endpoint with a
 * timeout, redirects not followed, and no more than the first 256 characters of the answer kept.
 * The URL is checked again first, and outside local development so is every address its host
 * resolves to (DNS over HTTPS), so a name that was repointed at a private address is not called.
 */
import { decryptSecret } from '../../shared/crypto/index.ts';
import { remember } from '../../shared/memory/index.ts';
import { addressProblem, endpointUrlProblem, hostToResolve } from '../../shared/webhooks/endpoint-url.ts';
import { signWebhook } from '../../shared/webhooks/signature.ts';
import type { DeliveryEnv, DeliverySettings } from './env.ts';
import type { Outcome, WebhookMessage } from './messages.ts';

/** The `webhook-id` of an event: the same for every endpoint and every attempt, so receivers de-duplicate on it. */
export function webhookMessageId(eventId: string): string {
  return `msg_${eventId.replaceAll('-', '')}`;
}

const responsePrefixLength = 256;

/** Reads at most `limit` characters of a body, then lets the rest go. */
async function bodyPrefix(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off midway: what came is enough for the log.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, limit);
}

/** Resolved addresses by host name, kept for their TTL (at least a minute). */
const resolved = new Map<string, { until: number; addresses: string[] }>();

async function resolveHost(host: string, resolverUrl: string): Promise<string[]> {
  const cached = resolved.get(host);
  if (cached && cached.until > Date.now()) return cached.addresses;
  const answers = await Promise.all(
    ['A', 'AAAA'].map(async (type) => {
      const response = await fetch(`${resolverUrl}?name=${encodeURIComponent(host)}&type=${type}`, {
        headers: { accept: 'application/dns-json' },
        signal: AbortSignal.timeout(3000),
      });
      if (!response.ok) throw new Error(`the resolver answered ${response.status}`);
      const body = (await response.json()) as { Answer?: Array<{ type: number; data: string; TTL: number }> };
      return (body.Answer ?? []).filter((a) => a.type === 1 || a.type === 28);
    }),
  );
  const records = answers.flat();
  const ttl = Math.max(60, Math.min(...records.map((r) => r.TTL), 3600));
  const addresses = records.map((r) => r.data);
  remember(resolved, host, { until: Date.now() + ttl * 1000, addresses }, 1000);
  return addresses;
}

/** Why this endpoint must not be called now, or null. */
async function endpointProblem(url: string, env: DeliveryEnv, settings: DeliverySettings): Promise<string | null> {
  const problem = endpointUrlProblem(url, { local: settings.local });
  if (problem) return problem;
  const host = hostToResolve(url);
  if (settings.local || !host) return null;
  const addresses = await resolveHost(host, env.DNS_RESOLVER_URL || 'https://cloudflare-dns.com/dns-query');
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const address of addresses) {
    const unsafe = addressProblem(address, { local: false });
    if (unsafe) return `${host} resolves to ${unsafe}`;
  }
  return null;
}

export async function sendWebhook(message: WebhookMessage, env: DeliveryEnv, settings: DeliverySettings): Promise<Outcome> {
  const { endpoint } = message;
  if (endpoint.state !== 'active') return { outcome: 'dead', attempted: false, error: 'the endpoint is disabled' };
  let problem: string | null;
  try {
    problem = await endpointProblem(endpoint.url, env, settings);
  } catch (error) {
    return { outcome: 'retry', attempted: false, error: `could not check where the endpoint resolves: ${(error as Error).message}` };
  }
  // An address the platform may not call stays so: the endpoint is disabled with this reason.
  if (problem) return { outcome: 'dead', attempted: false, error: `refused to call the endpoint: ${problem}` };

  let secret: string;
  try {
    secret = await decryptSecret(endpoint.sealed_secret, env.WEBHOOK_SECRET_KEY ?? '');
  } catch (error) {
    return { outcome: 'retry', attempted: false, error: `cannot open the endpoint's signing secret (check WEBHOOK_SECRET_KEY): ${(error as Error).message}` };
  }
  const body = JSON.stringify(message.payload);
  const signature = await signWebhook(secret, webhookMessageId(message.event_id), Math.floor(Date.now() / 1000), body);
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { ...signature, 'Content-Type': 'application/json', 'User-Agent': 'purchases-webhooks/1' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.webhookTimeoutMs),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${settings.webhookTimeoutMs} ms` : (error as Error).message;
    return { outcome: 'retry', attempted: true, error: reason, duration_ms: Date.now() - started };
  }
  const text = await bodyPrefix(response, responsePrefixLength);
  const duration_ms = Date.now() - started;
  if (response.status >= 200 && response.status < 300) {
    return { outcome: 'delivered', attempted: true, status: response.status, response: text, duration_ms };
  }
  const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
  return { outcome: 'retry', attempted: true, status: response.status, response: text, error: `answered ${response.status}${redirect}`, duration_ms };
}
