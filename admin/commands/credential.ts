/** Credentials for the five APIs: issued with the secret shown once, stored as a digest, revoked by id. */
import { encryptSecret, randomSecret, sha256Hex } from '../../shared/crypto/index.ts';
import type { CredentialKind } from '../../shared/auth/credentials.ts';
import { CommandError, UsageError } from '../context.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

/** The API names operators use, and what each issues. */
const kinds: Record<string, { kind: CredentialKind; prefix: string; describe: string }> = {
  lumen: { kind: 'lumen_api_key', prefix: 'lumen_sk_', describe: 'Lumen partner API key (X-Partner-Api-Key)' },
  operations: { kind: 'operations_api_key', prefix: 'ops_sk_', describe: 'operations API key (X-Api-Key)' },
  dpd: { kind: 'dpd_basic', prefix: 'dpd_pw_', describe: 'DPD username and API password (HTTP Basic)' },
  kit: { kind: 'kit_token', prefix: 'kit_at_', describe: 'Kit OAuth access token (Authorization: Bearer)' },
  groupcommerce: { kind: 'oauth_consumer', prefix: 'gcs_', describe: 'Group Commerce OAuth 1.0a consumer key and secret' },
};
const apiOfKind = Object.fromEntries(Object.entries(kinds).map(([api, { kind }]) => [kind, api]));
const usernamePattern = /^[A-Za-z0-9._@-]{2,64}$/;

export const credentialIssue: AdminCommand = {
  summary: 'issue a credential for one API; the secret is printed once',
  usage: `admin credential issue API --company SLUG [--username NAME] [--label TEXT]

  API              ${Object.keys(kinds).join(', ')}
${Object.entries(kinds).map(([api, { describe }]) => `                     ${api}: ${describe}`).join('\n')}
  --company SLUG   the company it belongs to
  --username NAME  dpd only: the Basic username (default: the company slug)
  --label TEXT     a note to tell credentials apart

Only a digest of the secret is stored (the OAuth consumer secret is sealed with
OAUTH_CONSUMER_SECRET_KEY instead, since signatures need it). Copy it now: it cannot be shown again.`,
  options: { company: { type: 'string' }, username: { type: 'string' }, label: { type: 'string' } },
  positionals: 1,
  async run(ctx, values, [api]) {
    const spec = kinds[api!];
    if (!spec) throw new UsageError(`unknown API ${api}: use one of ${Object.keys(kinds).join(', ')}`);
    const companyId = await companyIdOf(ctx, values.company);
    if (values.username !== undefined && spec.kind !== 'dpd_basic') throw new UsageError('--username applies to dpd only');
    const label = typeof values.label === 'string' ? values.label : null;
    if (label !== null && label.length > 200) throw new UsageError('--label is at most 200 characters');

    const secret = randomSecret(spec.prefix);
    const digest = await sha256Hex(secret);
    let keyId = digest;
    let sealed: string | null = null;
    const shown: Record<string, string> = {};
    if (spec.kind === 'dpd_basic') {
      keyId = typeof values.username === 'string' ? values.username : String(values.company);
      if (!usernamePattern.test(keyId)) throw new UsageError('--username: 2-64 letters, digits and . _ @ -');
      Object.assign(shown, { username: keyId, password: secret });
    } else if (spec.kind === 'oauth_consumer') {
      keyId = crypto.randomUUID();
      sealed = await encryptSecret(secret, ctx.oauthConsumerSecretKey);
      Object.assign(shown, { consumerKey: keyId, consumerSecret: secret });
    } else {
      Object.assign(shown, { [spec.kind === 'kit_token' ? 'token' : 'apiKey']: secret });
    }
    const { rows } = await ctx.db
      .query<{ id: string }>(
        `insert into ledger.credentials (company_id, kind, key_id, secret_digest, encrypted_secret, label)
         values ($1, $2, $3, $4, $5, $6) returning id`,
        [companyId, spec.kind, keyId, digest, sealed, label],
      )
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw new CommandError(`the ${api} username ${keyId} is already in use`);
        throw error;
      });
    const lines = Object.entries(shown).map(([name, value]) => `  ${name}: ${value}`);
    ctx.print(
      `issued ${api} credential ${rows[0]!.id} for ${values.company}\n${lines.join('\n')}\nCopy the secret now: it cannot be shown again.`,
      { id: rows[0]!.id, api, company: values.company, ...shown },
    );
  },
};

export const credentialList: AdminCommand = {
  summary: "list a company's credentials (never their secrets)",
  usage: 'admin credential list --company SLUG [--all]\n\n  --all   include revoked credentials',
  options: { company: { type: 'string' }, all: { type: 'boolean' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const { rows } = await ctx.db.query<{
      id: string; kind: string; key_id: string; label: string | null; created_at: Date; revoked_at: Date | null;
    }>(
      `select id, kind, key_id, label, created_at, revoked_at from ledger.credentials
       where company_id = $1 and ($2 or revoked_at is null) order by created_at`,
      [companyId, values.all === true],
    );
    const listed = rows.map((r) => ({
      id: r.id,
      api: apiOfKind[r.kind],
      // The public identifier where the credential has one; a bearer secret's digest is not shown.
      keyId: r.kind === 'dpd_basic' || r.kind === 'oauth_consumer' ? r.key_id : null,
      label: r.label,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
    const human = listed.length === 0
      ? 'no credentials'
      : listed
          .map((c) => `${c.id}  ${String(c.api).padEnd(14)} ${c.keyId ?? ''}${c.label ? `  (${c.label})` : ''}${c.revokedAt ? '  revoked' : ''}`)
          .join('\n');
    ctx.print(human, listed);
  },
};

export const credentialRevoke: AdminCommand = {
  summary: 'revoke a credential by id; it stops working at once',
  usage: 'admin credential revoke CREDENTIAL_ID',
  options: {},
  positionals: 1,
  async run(ctx, _values, [id]) {
    if (!/^[0-9a-f-]{36}$/i.test(id!)) throw new UsageError(`${id} is not a credential id (see: admin credential list)`);
    const { rows } = await ctx.db.query<{ kind: string }>(
      'update ledger.credentials set revoked_at = now() where id = $1 and revoked_at is null returning kind',
      [id],
    );
    if (!rows[0]) throw new CommandError(`no live credential ${id}`);
    ctx.print(`revoked ${apiOfKind[rows[0].kind]} credential ${id}`, { id, revoked: true });
  },
};
