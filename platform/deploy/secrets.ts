/**
 * The deployed workers' secrets: which worker needs which, reading the one secrets file (.env
 * format, as `wrangler deploy --secrets-file` takes), and refusing a file that is incomplete or
 * holds a public local default.
 */
import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { apiNames, type ApiName } from '../stack/config.ts';
import { parseSigningKey } from '../../shared/env/index.ts';
import { publicLocalSecrets, publicLocalSigningKeyD } from '../../shared/env/local-defaults.ts';

export const secretNames = [
  'SUPABASE_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_JWT_SIGNING_KEY',
  'SUPABASE_JWT_SECRET',
  'OAUTH_CONSUMER_SECRET_KEY',
  'CREDENTIAL_TAG_KEY',
  'WEBHOOK_SECRET_KEY',
  'RESEND_API_KEY',
  'STRIPE_SECRET_KEY',
] as const;
export type SecretName = (typeof secretNames)[number];

/**
 * Optional secrets: absent means not used (no Stripe key: card orders are answered 503; the legacy
 * JWT secret only where there is no signing key, checked below).
 */
const optional = new Set<SecretName>(['SUPABASE_JWT_SIGNING_KEY', 'SUPABASE_JWT_SECRET', 'STRIPE_SECRET_KEY']);

const database: SecretName[] = ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_JWT_SIGNING_KEY', 'SUPABASE_JWT_SECRET'];

/**
 * Each worker gets only the secrets it reads: the API workers check credential tags; the OAuth key opens consumer secrets and the Stripe key
 * charges cards (the publisher API's alone); the webhook key and the mail provider's key are the
 * delivery worker's.
 */
export const secretsOfWorker: Record<ApiName | 'delivery', SecretName[]> = {
  ...(Object.fromEntries(
    apiNames.map((api) => [api, [...database, 'CREDENTIAL_TAG_KEY', ...(api === 'groupcommerce' ? (['OAUTH_CONSUMER_SECRET_KEY', 'STRIPE_SECRET_KEY'] as const) : [])]]),
  ) as Record<ApiName, SecretName[]>),
  delivery: [...database, 'WEBHOOK_SECRET_KEY', 'RESEND_API_KEY'],
};

/** Secrets earlier versions of the platform set, which no worker reads any more. */
const retiredSecretNames = ['SUPABASE_JWT_KEY_ID'];

/**
 * The platform's secrets a deployed worker must not keep: each it is not given this time (one it
 * does not read, or an optional one left empty) and the retired ones. `wrangler deploy
 * --secrets-file` only adds and replaces, so these are deleted after it.
 */
export function secretsToRemove(worker: ApiName | 'delivery', given: Partial<Record<SecretName, string>>): string[] {
  const kept = secretsOfWorker[worker].filter((name) => given[name]);
  return [...secretNames, ...retiredSecretNames].filter((name) => !(kept as string[]).includes(name));
}

export class SecretsError extends Error {}

/** Values only the providers give (the Supabase project, the mail account): a dry run can do without them. */
const fromProviders = new Set<SecretName>(['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'RESEND_API_KEY']);

/**
 * Reads and checks the secrets file: every required secret set, none a public local default, the
 * URL https. With `dryRun`, a provider's value left empty (or a URL not yet https) is a warning
 * passed to `warn` instead, so the dry run can be tried before any account exists.
 */
export async function readSecrets(path: string, options: { dryRun?: boolean; warn?: (warning: string) => void } = {}): Promise<Partial<Record<SecretName, string>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new SecretsError(`no secrets file at ${path}: write one with npm run keys -- --out ${path}, then fill it in`);
  }
  const values = parseEnv(text) as Record<string, string | undefined>;
  const secrets: Partial<Record<SecretName, string>> = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  // What a dry run may go without is a warning there, a refusal for a deployment.
  const lacking = (name: SecretName, problem: string) => (options.dryRun && fromProviders.has(name) ? warnings : problems).push(problem);
  for (const name of secretNames) {
    const value = values[name]?.trim() ?? '';
    if (!value) {
      if (!optional.has(name)) lacking(name, `${name} is empty`);
      continue;
    }
    secrets[name] = value;
  }
  if (!secrets.SUPABASE_JWT_SIGNING_KEY && !secrets.SUPABASE_JWT_SECRET) {
    problems.push('SUPABASE_JWT_SIGNING_KEY is empty (npm run keys generates one; or give the legacy SUPABASE_JWT_SECRET)');
  }
  if (secrets.SUPABASE_JWT_SIGNING_KEY && !parseSigningKey(secrets.SUPABASE_JWT_SIGNING_KEY)) {
    problems.push('SUPABASE_JWT_SIGNING_KEY is not a private EC P-256 JWK with its kid (npm run keys writes one)');
  }
  if (
    secrets.SUPABASE_JWT_SECRET === publicLocalSecrets.jwtSecret ||
    secrets.SUPABASE_JWT_SIGNING_KEY?.includes(publicLocalSigningKeyD) ||
    secrets.OAUTH_CONSUMER_SECRET_KEY === publicLocalSecrets.oauthConsumerSecretKey ||
    secrets.CREDENTIAL_TAG_KEY === publicLocalSecrets.credentialTagKey ||
    secrets.WEBHOOK_SECRET_KEY === publicLocalSecrets.webhookSecretKey ||
    secrets.RESEND_API_KEY === publicLocalSecrets.resendApiKey ||
    secrets.STRIPE_SECRET_KEY === publicLocalSecrets.stripeSecretKey
  ) {
    problems.push('a secret holds the public local default (it is in this repository); generate your own with npm run keys');
  }
  if (secrets.SUPABASE_JWT_SECRET && secrets.SUPABASE_JWT_SECRET.length < 32) problems.push('SUPABASE_JWT_SECRET is shorter than 32 characters');
  for (const name of ['OAUTH_CONSUMER_SECRET_KEY', 'CREDENTIAL_TAG_KEY', 'WEBHOOK_SECRET_KEY'] as const) {
    if (secrets[name] && Buffer.from(secrets[name], 'base64').length !== 32) problems.push(`${name} is not 32 bytes in base64`);
  }
  if (secrets.SUPABASE_ANON_KEY?.startsWith('sb_secret_')) problems.push('SUPABASE_ANON_KEY holds a secret key (sb_secret_...): give the publishable key (sb_publishable_...)');
  if (secrets.RESEND_API_KEY && !secrets.RESEND_API_KEY.startsWith('re_')) problems.push('RESEND_API_KEY is not a Resend API key (re_...)');
  if (secrets.STRIPE_SECRET_KEY && !/^(sk|rk)_(live|test)_/.test(secrets.STRIPE_SECRET_KEY)) problems.push('STRIPE_SECRET_KEY is not a Stripe secret or restricted key (sk_live_..., rk_live_...)');
  if (secrets.SUPABASE_URL && !/^https:\/\/[^/]+/.test(secrets.SUPABASE_URL)) lacking('SUPABASE_URL', 'SUPABASE_URL is not an https:// URL');
  const unknown = Object.keys(values).filter((name) => !(secretNames as readonly string[]).includes(name));
  if (unknown.length > 0) problems.push(`unknown names: ${unknown.join(', ')} (the workers read ${secretNames.join(', ')})`);
  if (problems.length > 0) throw new SecretsError(`${path}: ${problems.join('; ')}`);
  for (const warning of warnings) options.warn?.(`${warning}: fill it in before a real deployment (the dry run uploads nothing)`);
  return secrets;
}
