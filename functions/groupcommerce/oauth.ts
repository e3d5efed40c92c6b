/**
 * Verifies a publisher's OAuth 1.0a request (RFC 5849, HMAC-SHA1, two-legged: no token): protocol
 * parameters, the timestamp window and the signature here; the nonce is spent in the database
 * (private.oauth_spend_nonce, the first step of every publisher RPC), once per consumer.
 */
import type { Context } from 'hono';
import { checkCredentialTag, refuseUnverified } from '../../shared/app/admission.ts';
import { databaseSettings } from '../../shared/app/authenticate.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
import type { WorkerEnv } from '../../shared/env/index.ts';
import {
  hmacSha1Signature,
  parseOAuthHeader,
  signatureBaseString,
  timingSafeEqual,
  type PresentedCredential,
} from '../../shared/auth/index.ts';
import { decryptSecret } from '../../shared/crypto/index.ts';
import { connectDatabase } from '../../shared/db/client.ts';
import { callRpc } from '../../shared/db/rpc.ts';
import { ApiError, unavailable } from '../../shared/errors/index.ts';
import { remember } from '../../shared/memory/index.ts';
import { isStorableText } from '../../shared/validation/stored-text.ts';

/** The longest oauth_nonce kept (RFC 5849 sets no bound; clients send 32 to 64 characters). */
export const maxNonceLength = 255;

const requiredParameters = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce'];

/** How far a request's oauth_timestamp may be from now, in seconds, unless OAUTH_TIMESTAMP_WINDOW_SECONDS says otherwise. */
export const defaultTimestampWindowSeconds = 300;

export function timestampWindowSeconds(env: { OAUTH_TIMESTAMP_WINDOW_SECONDS?: string }): number {
  const value = Number(env.OAUTH_TIMESTAMP_WINDOW_SECONDS);
  return Number.isInteger(value) && value > 0 ? value : defaultTimestampWindowSeconds;
}

/**
 * The URI the client signed (RFC 5849 section 3.4.1.2). Behind a proxy the request URL is not the
 * public one, so PUBLIC_BASE_URL (scheme, host and port clients use) replaces its origin.
 */
export function signedUrl(requestUrl: string, publicBaseUrl: string | undefined): URL {
  const url = new URL(requestUrl);
  if (!publicBaseUrl) return url;
  const base = new URL(publicBaseUrl);
  return new URL(`${base.origin}${base.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`);
}

export interface VerifiedOAuthRequest {
  credential: PresentedCredential;
  nonce: string;
  timestamp: number;
}

export interface GroupCommerceEnv extends WorkerEnv {
  /** The public origin (and any path prefix) clients sign requests for, when a proxy is in front. */
  PUBLIC_BASE_URL?: string;
  /** Seconds an oauth_timestamp may differ from the server's time (default 300). */
  OAUTH_TIMESTAMP_WINDOW_SECONDS?: string;
  /** The card processor orders are charged through: "stripe", or "test" (the built-in test processor). */
  PAYMENT_PROCESSOR?: string;
  /** Stripe's secret key (sk_live_… or sk_test_…), with PAYMENT_PROCESSOR=stripe. */
  STRIPE_SECRET_KEY?: string;
  /** Another Stripe API base (the local Stripe-compatible server under npm start); default Stripe's own. */
  STRIPE_API_BASE?: string;
}

function badRequest(message: string, reason: string): never {
  throw new ApiError('invalid_input', message, { reason });
}

function unauthorized(message: string, reason: string): never {
  throw new ApiError('unauthenticated', message, { reason });
}

/** The form body's parameters, when the body is form-encoded (RFC 5849 3.4.1.3.1: only then does it count). */
async function formParameters(c: Context<WorkerAppEnv>): Promise<Array<[string, string]>> {
  const contentType = c.req.header('Content-Type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) return [];
  return [...new URLSearchParams(await c.req.text()).entries()];
}

/** The protocol parameters among a list of parameters (their names start with oauth_). */
function protocolParameters(params: Array<[string, string]>, where: string): Map<string, string> {
  const oauth = new Map<string, string>();
  for (const [name, value] of params) {
    if (!name.startsWith('oauth_')) continue;
    if (oauth.has(name)) badRequest(`The OAuth parameter ${name} is given more than once in the ${where}.`, 'parameter_rejected');
    oauth.set(name, value);
  }
  return oauth;
}

/**
 * The request's protocol parameters, from the one place they came in (RFC 5849 3.5: the
 * Authorization header, the form body or the query string), and every parameter that counts in
 * the signature: the query's, the form body's, and the header's oauth_* (3.4.1.3.1).
 */
async function requestParameters(c: Context<WorkerAppEnv>): Promise<{ oauth: Map<string, string>; signed: Array<[string, string]> }> {
  const query = [...new URL(c.req.url).searchParams.entries()];
  const form = await formParameters(c);
  const header = parseOAuthHeader(c.req.header('Authorization'));
  if (header && !header.ok) badRequest(header.problem, 'parameter_rejected');
  const places = [
    { where: 'Authorization header', oauth: header?.ok ? header.params : new Map<string, string>() },
    { where: 'form body', oauth: protocolParameters(form, 'form body') },
    { where: 'query string', oauth: protocolParameters(query, 'query string') },
  ].filter((place) => place.oauth.size > 0);
  if (places.length === 0) unauthorized('OAuth 1.0a parameters are required (in the Authorization header, the form body or the query string).', 'missing_credential');
  if (places.length > 1) {
    badRequest(`The OAuth parameters must come in one place only, not in the ${places.map((p) => p.where).join(' and the ')}.`, 'parameter_rejected');
  }
  const signed = [...query, ...form, ...(header?.ok ? header.params.entries() : [])];
  return { oauth: places[0]!.oauth, signed };
}

/**
 * Opened consumer secrets by consumer key, kept for a minute per isolate so a signed request costs
 * no extra round trip. Safe to keep: every publisher RPC checks the credential again (its digest and
 * that it is not revoked) as it spends the nonce, so a revoked consumer is refused at once.
 */
const secretCache = new Map<string, { secret: string; until: number }>();
const secretCacheMs = 60_000;
const secretCacheSize = 1000;

async function consumerSecretOf(c: Context<WorkerAppEnv<GroupCommerceEnv>>, consumerKey: string): Promise<string> {
  const cached = secretCache.get(consumerKey);
  if (cached && cached.until > Date.now()) return cached.secret;
  // A made-up consumer key in the tagged format is refused for free; an untagged one from a client
  // already refused for failing too often asks the database nothing more.
  const verdict = await checkCredentialTag(c, { kind: 'oauth_consumer', keyId: consumerKey, secret: '' }, 'consumer_key_unknown');
  refuseUnverified(c, verdict);
  const sealed = await callRpc(await connectDatabase(databaseSettings(c), null), 'oauth_consumer_secret', { consumer_key: consumerKey });
  if (!sealed) unauthorized('The consumer key is not known.', 'consumer_key_unknown');
  let secret: string;
  try {
    secret = await decryptSecret(sealed, c.env.OAUTH_CONSUMER_SECRET_KEY ?? '');
  } catch (error) {
    c.get('log').log('error', 'cannot open the OAuth consumer secret; check OAUTH_CONSUMER_SECRET_KEY', { error: error as Error });
    throw unavailable(error);
  }
  remember(secretCache, consumerKey, { secret, until: Date.now() + secretCacheMs }, secretCacheSize);
  return secret;
}

/** Checks the protocol parameters, the timestamp and the signature; the nonce is the database's to spend. */
export async function verifyOAuthRequest(c: Context<WorkerAppEnv<GroupCommerceEnv>>): Promise<VerifiedOAuthRequest> {
  const { oauth, signed } = await requestParameters(c);
  const missing = requiredParameters.filter((name) => !oauth.get(name));
  if (missing.length > 0) badRequest(`The OAuth parameters ${missing.join(', ')} are missing.`, 'parameter_absent');
  if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') {
    badRequest(`The signature method ${oauth.get('oauth_signature_method')!.slice(0, 40)} is not supported; use HMAC-SHA1.`, 'signature_method_rejected');
  }
  if (oauth.has('oauth_version') && oauth.get('oauth_version') !== '1.0') {
    badRequest('The OAuth version must be 1.0.', 'version_rejected');
  }
  // The database keeps each nonce (up to 255 characters) until the window has passed.
  const nonce = oauth.get('oauth_nonce')!;
  if (nonce.length > maxNonceLength || !isStorableText(nonce)) {
    badRequest(`The oauth_nonce must be at most ${maxNonceLength} characters of text.`, 'parameter_rejected');
  }
  const timestampText = oauth.get('oauth_timestamp')!;
  if (!/^\d{1,12}$/.test(timestampText)) badRequest('The oauth_timestamp must be a whole number of seconds.', 'parameter_rejected');
  const timestamp = Number(timestampText);
  const window = timestampWindowSeconds(c.env);
  if (Math.abs(Date.now() / 1000 - timestamp) > window) {
    unauthorized(`The oauth_timestamp is more than ${window} seconds from the server's time.`, 'timestamp_refused');
  }
  const consumerKey = oauth.get('oauth_consumer_key')!;
  const consumerSecret = await consumerSecretOf(c, consumerKey);
  const baseString = signatureBaseString(c.req.method, signedUrl(c.req.url, c.env.PUBLIC_BASE_URL), signed);
  const expected = await hmacSha1Signature(baseString, consumerSecret);
  if (!timingSafeEqual(expected, oauth.get('oauth_signature')!)) {
    unauthorized('The OAuth signature does not match the request.', 'signature_invalid');
  }
  return {
    credential: { kind: 'oauth_consumer', keyId: consumerKey, secret: consumerSecret },
    nonce,
    timestamp,
  };
}
