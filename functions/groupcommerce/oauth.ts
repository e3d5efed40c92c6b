/**
 * Verifies a publisher's OAuth 1.0a request (RFC 5849, HMAC-SHA1, two-legged: no token) and names
 * the consumer to the database. Timestamp windows and nonce replay are checked by the order RPC.
 */
import type { Context } from 'hono';
import { databaseSettings } from '../../shared/app/authenticate.ts';
import type { WorkerAppEnv } from '../../shared/app/index.ts';
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

const requiredParameters = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce'];

function badRequest(message: string, reason: string): never {
  throw new ApiError('invalid_input', message, { reason });
}

function unauthorized(message: string, reason: string): never {
  throw new ApiError('unauthenticated', message, { reason });
}

/** The request's parameters that count in the signature: query, form body, and the header's oauth_*. */
async function signedParameters(c: Context<WorkerAppEnv>, oauth: Map<string, string>): Promise<Array<[string, string]>> {
  const url = new URL(c.req.url);
  const params: Array<[string, string]> = [...url.searchParams.entries()];
  // spec (RFC 5849 3.4.1.3.1): the body counts only when it is form-encoded.
  const contentType = c.req.header('Content-Type') ?? '';
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    params.push(...new URLSearchParams(await c.req.text()).entries());
  }
  params.push(...oauth.entries());
  return params;
}

/** Checks the signature and returns the credential to present to the database. */
export async function verifyOAuthRequest(c: Context<WorkerAppEnv>): Promise<PresentedCredential> {
  const parsed = parseOAuthHeader(c.req.header('Authorization'));
  if (!parsed) unauthorized('An OAuth 1.0a Authorization header is required.', 'missing_credential');
  if (!parsed.ok) badRequest(parsed.problem, 'parameter_rejected');
  const oauth = parsed.params;
  const missing = requiredParameters.filter((name) => !oauth.get(name));
  if (missing.length > 0) badRequest(`The OAuth parameters ${missing.join(', ')} are missing.`, 'parameter_absent');
  if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') {
    badRequest(`The signature method ${oauth.get('oauth_signature_method')} is not supported; use HMAC-SHA1.`, 'signature_method_rejected');
  }
  if (oauth.has('oauth_version') && oauth.get('oauth_version') !== '1.0') {
    badRequest('The OAuth version must be 1.0.', 'version_rejected');
  }
  const consumerKey = oauth.get('oauth_consumer_key')!;
  const settings = databaseSettings(c);
  const sealed = await callRpc(await connectDatabase(settings, null), 'oauth_consumer_secret', { consumer_key: consumerKey });
  if (!sealed) unauthorized('The consumer key is not known.', 'consumer_key_unknown');

  const key = c.env.OAUTH_CONSUMER_SECRET_KEY;
  let consumerSecret: string;
  try {
    consumerSecret = await decryptSecret(sealed, key ?? '');
  } catch (error) {
    c.get('log').log('error', 'cannot open the OAuth consumer secret; check OAUTH_CONSUMER_SECRET_KEY', { error: error as Error });
    throw unavailable(error);
  }
  const baseString = signatureBaseString(c.req.method, new URL(c.req.url), await signedParameters(c, oauth));
  const expected = await hmacSha1Signature(baseString, consumerSecret);
  if (!timingSafeEqual(expected, oauth.get('oauth_signature')!)) {
    unauthorized('The OAuth signature does not match the request.', 'signature_invalid');
  }
  return { kind: 'oauth_consumer', keyId: consumerKey, secret: consumerSecret };
}
