/**
 * The third floor, for the publisher's ValidateOrder only: the least a worker must do in workerd to
 * serve it, written as plainly as possible, with none of our structure (no Hono, no zod, no
 * limiter, no request id, no log). It reads the form into JS, checks the OAuth 1.0a signature
 * (HMAC-SHA1, WebCrypto), checks the timestamp and that the fields it maps are there, builds the
 * ledger's order as JSON, makes the one RPC with a database token it signs once a minute, reads
 * the answer and writes Group Commerce's JSON. The pass-through does none of that work in JS.
 *
 * So, per request: pass-through → protocol floor is what the protocol's own work costs in workerd
 * (any implementation pays it), protocol floor → our worker is what our structure costs.
 * Measured by `npm run bench` beside the pass-through (`protocolFloor*` figures); not a worker we
 * deploy, and it answers only the benchmark's well-formed requests correctly.
 */
import { startBenchWorker } from './pass-through.ts';

const script = `
const encoder = new TextEncoder();
const percent = (value) => encodeURIComponent(value).replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
const base64url = (text) => btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const bytesToBinary = (bytes) => { let out = ''; for (const b of bytes) out += String.fromCharCode(b); return out; };
let signingKey = null;
let databaseToken = { minute: -1, token: '' };

async function hmac(key, text) {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

async function tokenFor(env) {
  const minute = Math.floor(Date.now() / 60000);
  if (databaseToken.minute === minute) return databaseToken.token;
  const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(env.CONSUMER_SECRET)))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const iat = minute * 60;
  const claims = { role: 'purchases_api', aud: 'purchases-workers', iat, exp: iat + 180, cred_kind: 'oauth_consumer', cred_id: env.CONSUMER_KEY, cred_digest: digest };
  const unsigned = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })) + '.' + base64url(JSON.stringify(claims));
  const key = await crypto.subtle.importKey('raw', encoder.encode(env.JWT_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const token = unsigned + '.' + base64url(bytesToBinary(await hmac(key, unsigned)));
  databaseToken = { minute, token };
  return token;
}

const refuse = (status, message) => Response.json({ errors: [{ code: 'Refused', message }], success: false, version: '3' }, { status });

export default {
  async fetch(request, env) {
    const form = new URLSearchParams(await request.text());
    const oauth = new Map();
    for (const [, name, value] of (request.headers.get('Authorization') ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)) oauth.set(name, decodeURIComponent(value));
    const timestamp = Number(oauth.get('oauth_timestamp'));
    if (!(Math.abs(Date.now() / 1000 - timestamp) <= 300)) return refuse(401, 'timestamp');
    const url = new URL(request.url);
    const signed = [...form, ...[...oauth].filter(([name]) => name !== 'oauth_signature' && name !== 'realm')]
      .map(([name, value]) => [percent(name), percent(value)])
      .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([name, value]) => name + '=' + value)
      .join('&');
    const baseString = ['POST', env.SIGNED_ORIGIN + url.pathname, signed].map(percent).join('&');
    signingKey ??= await crypto.subtle.importKey('raw', encoder.encode(percent(env.CONSUMER_SECRET) + '&'), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    if (btoa(bytesToBinary(await hmac(signingKey, baseString))) !== oauth.get('oauth_signature')) return refuse(401, 'signature');
    const field = (name) => form.get(name);
    for (const name of ['ConsumerInfo.UserKey', 'ConsumerInfo.Email', 'OrderDetails[0].OfferId', 'OrderDetails[0].Quantity']) if (!field(name)) return refuse(400, name);
    const ordered = {
      customer: { no_email: false, user_key: field('ConsumerInfo.UserKey'), first_name: field('ConsumerInfo.FirstName'), last_name: field('ConsumerInfo.LastName'), email: field('ConsumerInfo.Email') },
      payment: 'new_card', store_card: false, spend_credits: true, promo_codes: [], use_promotional_price: false, allow_duplicate: false, send_email: true, tracking_fields: [],
      lines: [{ offer_number: Number(field('OrderDetails[0].OfferId')), option_number: Number(field('OrderDetails[0].OfferOptionId')), quantity: Number(field('OrderDetails[0].Quantity')), segment_key: field('OrderDetails[0].SegmentKey'), is_gift: false }],
    };
    const answer = await fetch(env.GATEWAY_ORIGIN + '/rest/v1/rpc/gc_order', {
      method: 'POST',
      headers: { apikey: env.ANON_KEY, Authorization: 'Bearer ' + (await tokenFor(env)), 'Content-Type': 'application/json' },
      body: JSON.stringify({ nonce: oauth.get('oauth_nonce'), signed_at: timestamp, window_seconds: 300, ordered, place: false }),
    });
    const outcome = await answer.json();
    if (!answer.ok) return refuse(answer.status >= 500 ? 503 : 400, outcome.message ?? 'refused');
    return Response.json({
      errors: [], lastPublished: '/Date(' + Date.now() + ')/', success: true, version: '3',
      chargeAmount: Number(outcome.charge_amount), creditValueUsed: Number(outcome.credit_value_used), currencySymbol: '$',
      duplicateOrderId: outcome.duplicate_number ?? null, isoCurrencyCode: outcome.currency, pendingCreditValueAwarded: Number(outcome.credits_awarded),
    });
  },
};
`;

export interface ProtocolFloorSettings {
  gatewayOrigin: string;
  anonKey: string;
  jwtSecret: string;
  consumerKey: string;
  consumerSecret: string;
  /** The origin the benchmark's requests are signed for (the publisher worker's). */
  signedOrigin: string;
}

export function startProtocolFloor(host: string, port: number, settings: ProtocolFloorSettings): Promise<{ url: string; stop: () => Promise<void> }> {
  const bindings = {
    GATEWAY_ORIGIN: settings.gatewayOrigin,
    ANON_KEY: settings.anonKey,
    JWT_SECRET: settings.jwtSecret,
    CONSUMER_KEY: settings.consumerKey,
    CONSUMER_SECRET: settings.consumerSecret,
    SIGNED_ORIGIN: settings.signedOrigin,
  };
  return startBenchWorker('protocol-floor', script, bindings, 'groupcommerce', host, port);
}
