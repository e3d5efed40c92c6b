-- Companies (the tenants) and the credentials they call the five APIs with, the helpers that turn a
-- request's JWT claims into the calling company, and the RPCs every worker authenticates through.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.companies (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);
comment on table ledger.companies is 'Tenants. Every tenant-owned row points at one company.';

-- One row per issued credential. Secrets are stored only as digests (SHA-256, hex): they are
-- high-entropy random strings, so a plain digest is enough and lets the lookup be one index probe.
-- The OAuth 1.0a consumer secret is the one secret a verifier needs in clear (HMAC); it is kept
-- encrypted with a key that lives outside the database (the workers' OAUTH_CONSUMER_SECRET_KEY).
create table if not exists ledger.credentials (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  kind text not null check (kind in ('lumen_api_key', 'operations_api_key', 'dpd_basic', 'kit_token', 'oauth_consumer')),
  key_id text not null check (length(key_id) between 1 and 200),
  secret_digest text not null check (secret_digest ~ '^[0-9a-f]{64}$'),
  encrypted_secret text,
  label text check (length(label) <= 200),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  -- A tagged credential (shared/auth/key-tag.ts) is refused for free by the workers when made up,
  -- and let through from an address that made-up keys got blocked. The digest alone cannot say
  -- whether a bearer secret is tagged, so the admin CLI records it when it issues one; `admin
  -- credential rotate` replaces the untagged ones.
  tagged boolean not null default false,
  constraint credentials_secret_encrypted_only_for_oauth
    check ((kind = 'oauth_consumer') = (encrypted_secret is not null))
);
comment on table ledger.credentials is
  'Issued credentials. key_id is the public identifier (DPD username, OAuth consumer key) or, for a bearer secret, its digest.';
comment on column ledger.credentials.secret_digest is 'Hex SHA-256 of the secret. The secret itself is never stored.';
comment on column ledger.credentials.encrypted_secret is 'OAuth consumer secret, AES-256-GCM under a key kept outside the database.';
comment on column ledger.credentials.tagged is 'Whether the secret (or OAuth consumer key) carries the platform''s tag.';

-- A key id is unique among live credentials of a kind; a revoked one frees its name.
create unique index if not exists credentials_live_key on ledger.credentials (kind, key_id) where revoked_at is null;
create index if not exists credentials_company on ledger.credentials (company_id);

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- The claims PostgREST put in request.jwt.claims for this request, or an empty object.
create or replace function private.request_claims()
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb);
$$;
comment on function private.request_claims() is 'The JWT claims of the current PostgREST request ({} outside one).';

-- The company whose live credential the worker presented, or null. The worker puts the credential's
-- kind, public id and secret digest in the claims; a match on all three (and not revoked) names the
-- company. The claims are read once into scalars, so the lookup is a probe of credentials_live_key
-- rather than a scan testing each row against a joined function result. Call as
-- (select private.caller_company_id()) so it runs once per statement. Only tokens the workers made
-- name a company (their audience says so): a token signed with the same secret for anything else
-- (the project's own users) names none.
create or replace function private.caller_company_id()
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select c.company_id
  from ledger.credentials c
  where (select private.request_claims() ->> 'aud') = 'purchases-workers'
    and c.kind = (select private.request_claims() ->> 'cred_kind')
    and c.key_id = (select private.request_claims() ->> 'cred_id')
    and c.secret_digest = (select private.request_claims() ->> 'cred_digest')
    and c.revoked_at is null;
$$;
comment on function private.caller_company_id() is
  'The company of the live credential named by the request''s claims (cred_kind, cred_id, cred_digest), or null.';

revoke all on function private.request_claims() from public;
revoke all on function private.caller_company_id() from public;
grant execute on function private.request_claims() to purchases_api;
grant execute on function private.caller_company_id() to purchases_api;

-- The caller's company, or SQLSTATE PT401 with hint invalid_credential (each API's worker words it).
create or replace function private.require_caller()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := (select private.caller_company_id());
begin
  if company is null then
    raise exception 'invalid credential' using errcode = 'PT401', hint = 'invalid_credential';
  end if;
  return company;
end;
$$;
revoke all on function private.require_caller() from public;
grant execute on function private.require_caller() to purchases_api;

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.companies enable row level security;
alter table ledger.credentials enable row level security;

grant select on ledger.companies to purchases_api;
-- No grant on credentials: workers reach them only through the security-definer helpers above.

drop policy if exists "Companies are visible to their own callers" on ledger.companies;
create policy "Companies are visible to their own callers" on ledger.companies
  for select to purchases_api
  using (id = (select private.caller_company_id()));

-- ============================================================================================
-- RPCs (exposed by PostgREST in public)
-- ============================================================================================

-- The calling company, or SQLSTATE PT401 (PostgREST answers 401) when the credential is not live.
-- Runs as the caller, so the row comes through the RLS policy above, not around it.
create or replace function public.authenticate()
returns table (company_id uuid, company_slug text, company_name text)
language plpgsql
stable
set search_path = ''
as $$
begin
  return query select c.id, c.slug, c.name from ledger.companies c;
  if not found then
    raise exception 'invalid credential' using errcode = 'PT401', hint = 'invalid_credential';
  end if;
end;
$$;
comment on function public.authenticate() is 'The company of the presented credential; 401 (invalid_credential) when none.';

-- The encrypted secret of a live OAuth consumer, or null. The worker decrypts it with a key the
-- database never sees, checks the request's HMAC signature, and only then presents the consumer as
-- a credential (whose digest must still match, so a revoked consumer fails authenticate()).
create or replace function public.oauth_consumer_secret(consumer_key text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select c.encrypted_secret
  from ledger.credentials c
  where c.kind = 'oauth_consumer' and c.key_id = consumer_key and c.revoked_at is null;
$$;
comment on function public.oauth_consumer_secret(text) is 'Encrypted secret of a live OAuth 1.0a consumer, or null.';

revoke all on function public.authenticate() from public, anon, authenticated;
revoke all on function public.oauth_consumer_secret(text) from public, anon, authenticated;
grant execute on function public.authenticate() to purchases_api;
grant execute on function public.oauth_consumer_secret(text) to purchases_api;
