/** Credentials for the five APIs: issued with the secret shown once, stored as a digest, revoked by id. */
import { encryptSecret, sha256Hex } from '../../shared/crypto/index.ts';
import type { CredentialKind } from '../../shared/auth/credentials.ts';
import { taggedSecret } from '../../shared/auth/key-tag.ts';
import { CommandError, UsageError, type CommandContext } from '../context.ts';
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
/** The OAuth consumer key's prefix: the key, which is sent with every request, carries the tag. */
const consumerKeyPrefix = 'gck_';
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
    const username = spec.kind === 'dpd_basic' ? (typeof values.username === 'string' ? values.username : String(values.company)) : undefined;
    if (username !== undefined && !usernamePattern.test(username)) throw new UsageError('--username: 2-64 letters, digits and . _ @ -');
    const { id, shown } = await insertCredential(ctx, companyId, spec, label, username);
    const lines = Object.entries(shown).map(([name, value]) => `  ${name}: ${value}`);
    ctx.print(
      `issued ${api} credential ${id} for ${values.company}\n${lines.join('\n')}\nCopy the secret now: it cannot be shown again.`,
      { id, api, company: values.company, ...shown },
    );
  },
};

/**
 * Issues one credential in the tagged format (shared/auth/key-tag.ts): the secret, or an OAuth
 * consumer's key, carries a tag made with CREDENTIAL_TAG_KEY. Returns its id and what to show once.
 */
async function insertCredential(
  ctx: CommandContext,
  companyId: string,
  spec: { kind: CredentialKind; prefix: string },
  label: string | null,
  username?: string,
): Promise<{ id: string; shown: Record<string, string> }> {
  const secret = await taggedSecret(spec.prefix, ctx.credentialTagKey);
  const digest = await sha256Hex(secret);
  let keyId = digest;
  let sealed: string | null = null;
  const shown: Record<string, string> = {};
  if (spec.kind === 'dpd_basic') {
    keyId = username!;
    Object.assign(shown, { username: keyId, password: secret });
  } else if (spec.kind === 'oauth_consumer') {
    keyId = await taggedSecret(consumerKeyPrefix, ctx.credentialTagKey);
    sealed = await encryptSecret(secret, ctx.oauthConsumerSecretKey);
    Object.assign(shown, { consumerKey: keyId, consumerSecret: secret });
  } else {
    Object.assign(shown, { [spec.kind === 'kit_token' ? 'token' : 'apiKey']: secret });
  }
  const { rows } = await ctx.db
    .query<{ id: string }>(
      `insert into ledger.credentials (company_id, kind, key_id, secret_digest, encrypted_secret, label, tagged)
       values ($1, $2, $3, $4, $5, $6, true) returning id`,
      [companyId, spec.kind, keyId, digest, sealed, label],
    )
    .catch((error: { code?: string }) => {
      if (error.code === '23505') throw new CommandError(`the ${apiOfKind[spec.kind]} username ${keyId} is already in use`);
      throw error;
    });
  return { id: rows[0]!.id, shown };
}

export const credentialList: AdminCommand = {
  summary: "list a company's credentials (never their secrets)",
  usage: 'admin credential list --company SLUG [--all]\n\n  --all   include revoked credentials',
  options: { company: { type: 'string' }, all: { type: 'boolean' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const { rows } = await ctx.db.query<{
      id: string; kind: string; key_id: string; label: string | null; created_at: Date; revoked_at: Date | null; tagged: boolean;
    }>(
      `select id, kind, key_id, label, created_at, revoked_at, tagged from ledger.credentials
       where company_id = $1 and ($2 or revoked_at is null) order by created_at`,
      [companyId, values.all === true],
    );
    const listed = rows.map((r) => ({
      id: r.id,
      api: apiOfKind[r.kind],
      // The public identifier where the credential has one; a bearer secret's digest is not shown.
      keyId: r.kind === 'dpd_basic' || r.kind === 'oauth_consumer' ? r.key_id : null,
      label: r.label,
      tagged: r.tagged,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
    const human = listed.length === 0
      ? 'no credentials'
      : listed
          .map((c) => `${c.id}  ${String(c.api).padEnd(14)} ${c.keyId ?? ''}${c.label ? `  (${c.label})` : ''}${c.tagged ? '' : '  untagged (see: credential rotate)'}${c.revokedAt ? '  revoked' : ''}`)
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

export const credentialRotate: AdminCommand = {
  summary: "replace a company's credentials issued before tagging with tagged ones",
  usage: `admin credential rotate --company SLUG [--api API] [--keep-old]

  --company SLUG   whose credentials
  --api API        only this API's (${Object.keys(kinds).join(', ')})
  --keep-old       leave the old credentials live (revoke each by id once clients have switched);
                   a DPD username names one live credential, so DPD's are always replaced

Each live credential issued before tagging gets a tagged replacement with the same label (DPD:
the same username with a new password). Tagged credentials are let through even from an
address that made-up keys got blocked, and made-up ones in their format cost no database lookup.
The new secrets are printed once; the old ones stop working at once unless --keep-old.`,
  options: { company: { type: 'string' }, api: { type: 'string' }, 'keep-old': { type: 'boolean' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const spec = values.api === undefined ? undefined : kinds[String(values.api)];
    if (values.api !== undefined && !spec) throw new UsageError(`unknown API ${values.api}: use one of ${Object.keys(kinds).join(', ')}`);
    const keepOld = values['keep-old'] === true;
    await ctx.db.query('begin');
    try {
      const { rows: old } = await ctx.db.query<{ id: string; kind: CredentialKind; key_id: string; label: string | null }>(
        `select id, kind, key_id, label from ledger.credentials
         where company_id = $1 and revoked_at is null and not tagged and ($2::text is null or kind = $2)
         order by created_at for update`,
        [companyId, spec?.kind ?? null],
      );
      const rotated: Array<{ replaced: string; id: string; api: string } & Record<string, string>> = [];
      for (const credential of old) {
        const api = apiOfKind[credential.kind]!;
        // A username is unique among live credentials: the old one goes first.
        if (!keepOld || credential.kind === 'dpd_basic') {
          await ctx.db.query('update ledger.credentials set revoked_at = now() where id = $1', [credential.id]);
        }
        const issued = await insertCredential(ctx, companyId, kinds[api]!, credential.label, credential.kind === 'dpd_basic' ? credential.key_id : undefined);
        rotated.push({ replaced: credential.id, id: issued.id, api, ...issued.shown });
      }
      await ctx.db.query('commit');
      const human = rotated.length === 0
        ? `${values.company} has no live credentials issued before tagging${spec ? ` for ${values.api}` : ''}`
        : rotated
            .map(({ replaced, id, api, ...shown }) =>
              `${api}: ${replaced} ${keepOld && api !== 'dpd' ? 'kept live' : 'revoked'}, replaced by ${id}\n${Object.entries(shown).map(([name, value]) => `  ${name}: ${value}`).join('\n')}`,
            )
            .join('\n') + '\nCopy the secrets now: they cannot be shown again.';
      ctx.print(human, { company: values.company, rotated, oldRevoked: !keepOld });
    } catch (error) {
      await ctx.db.query('rollback').catch(() => {});
      throw error;
    }
  },
};
