/**
 * `npm run keys`: writes a new secrets file for a deployment, with every key the platform makes
 * itself generated (the database token signing key, the OAuth and webhook sealing keys) and the
 * values only the Supabase project and the mail provider can give left to fill in.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { SigningJwk } from '../../shared/env/index.ts';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const help = `Usage: npm run keys [-- --out FILE]

Writes a new secrets file (default .secrets.env; never overwrites one) for npm run deploy:
  SUPABASE_JWT_SIGNING_KEY   generated: the private key (EC P-256, ES256, as a JWK with its kid)
                             the workers sign database tokens with. Import it in the Supabase
                             dashboard's JWT signing keys, then rotate it to current (see
                             docs/deploying.md); Supabase publishes its public half.
  OAUTH_CONSUMER_SECRET_KEY  generated: the AES-256 key that seals OAuth consumer secrets.
  CREDENTIAL_TAG_KEY         generated: the key that tags issued credentials, so the workers
                             refuse made-up ones without a lookup (the admin CLI needs it too).
  WEBHOOK_SECRET_KEY         generated: the AES-256 key that seals webhook signing secrets.
  SUPABASE_URL, SUPABASE_ANON_KEY
                             to fill in from the project's API settings.
  RESEND_API_KEY             to fill in: a sending API key of the Resend account the mail
                             leaves through (its domain verified for MAIL_FROM_DOMAIN).
  STRIPE_SECRET_KEY          optional: the Stripe account's secret key, with
                             PAYMENT_PROCESSOR = "stripe" in functions/groupcommerce/wrangler.toml.

Options:
  --out FILE   where to write (default .secrets.env)
  --help       show this text
`;

/** A new ES256 signing key as a private JWK, named by a kid of its own. */
export function newSigningKey(): SigningJwk {
  const { x, y, d } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as { x: string; y: string; d: string };
  return { kty: 'EC', crv: 'P-256', x, y, d, kid: `purchases-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`, alg: 'ES256' };
}

export function newSecretsFile(): string {
  return `# Secrets of the deployed workers: npm run deploy uploads each worker's own with
# wrangler deploy --secrets-file. Keep this file out of version control (.gitignore lists it).

# From the Supabase project: Project Settings > Data API (URL) and API Keys: the publishable key
# (sb_publishable_...; the legacy anon key works too), never a secret key.
SUPABASE_URL=
SUPABASE_ANON_KEY=

# The workers sign a short-lived token for every database call with this private key (ES256), and
# PostgREST verifies it with the public half the project publishes. Import it in the dashboard:
# Project Settings > JWT Keys > Create standby key > Import an existing private key, then rotate
# it to current before deploying (docs/deploying.md). Single quotes keep the JSON as it is.
SUPABASE_JWT_SIGNING_KEY='${JSON.stringify(newSigningKey())}'
# The fallback, instead of a signing key: the project's legacy JWT secret (HS256). Leave it empty.
SUPABASE_JWT_SECRET=

# Seals OAuth consumer secrets in the database (AES-256-GCM); the admin CLI needs it too.
OAUTH_CONSUMER_SECRET_KEY=${randomBytes(32).toString('base64')}

# Tags every credential the admin CLI issues (HMAC-SHA-256): the API workers refuse a made-up key
# in the tagged format without asking the database. The admin CLI needs it too.
CREDENTIAL_TAG_KEY=${randomBytes(32).toString('base64')}

# Seals webhook endpoints' signing secrets (AES-256-GCM): the delivery worker opens them to sign,
# the admin CLI seals them (set it in the CLI's environment too).
WEBHOOK_SECRET_KEY=${randomBytes(32).toString('base64')}

# The mail provider (Resend, https://resend.com/docs/api-reference/api-keys): a sending key of the
# account whose verified domain is the delivery worker's MAIL_FROM_DOMAIN.
RESEND_API_KEY=

# Card payments of the publisher API (optional): the Stripe account's secret key
# (https://docs.stripe.com/keys), with PAYMENT_PROCESSOR = "stripe" in
# functions/groupcommerce/wrangler.toml. Empty: card orders are answered 503.
STRIPE_SECRET_KEY=
`;
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    console.error(`npm run keys: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const out = values.out ?? '.secrets.env';
  try {
    await writeFile(out, newSecretsFile(), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      console.error(`npm run keys: ${out} exists; it is left as it is (choose another --out, or remove it first)`);
      return 1;
    }
    throw error;
  }
  console.log(`wrote ${out}: fill in SUPABASE_URL and SUPABASE_ANON_KEY, and import SUPABASE_JWT_SIGNING_KEY in Supabase (see docs/deploying.md)`);
  return 0;
}

if (import.meta.main) process.exit(await main());
