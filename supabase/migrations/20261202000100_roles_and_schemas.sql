-- The role every worker request acts as, and the schemas that keep tables and helpers away from the
-- HTTP surface. Applies unchanged to a plain Postgres prepared by the local platform and to a hosted
-- Supabase project, where anon, authenticated, service_role and authenticator already exist.

-- ============================================================================================
-- Roles
-- ============================================================================================

-- Workers sign a short-lived JWT whose `role` claim is purchases_api; PostgREST (connected as
-- authenticator) switches to it for the request. It can log in to nothing and owns nothing.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'purchases_api') then
    create role purchases_api nologin noinherit;
  end if;
end
$$;

comment on role purchases_api is
  'Acted as by the API workers through PostgREST. Sees tenant rows only through RLS and the caller''s credential.';

grant purchases_api to authenticator;

-- ============================================================================================
-- Schemas
-- ============================================================================================

-- ledger: the domain tables. PostgREST does not expose it; requests reach it through the RPCs in
-- public, running as purchases_api, so RLS decides every row they touch.
create schema if not exists ledger;
comment on schema ledger is 'Domain tables of the purchases ledger. Not exposed over HTTP; protected by RLS.';
revoke all on schema ledger from public;
grant usage on schema ledger to purchases_api;

-- private: security-definer helpers the RLS policies call. Never exposed.
create schema if not exists private;
comment on schema private is 'Helpers for RLS policies and RPCs. Not exposed over HTTP.';
revoke all on schema private from public;
grant usage on schema private to purchases_api;

-- Functions are executable by nobody until granted by name (Supabase grants them to anon and
-- authenticated by default; least privilege first).
alter default privileges in schema public revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges in schema ledger revoke execute on functions from public;
alter default privileges in schema private revoke execute on functions from public;

-- ============================================================================================
-- Settings
-- ============================================================================================

-- A statement of the workers' role ends after 4 seconds, inside the workers' own 5-second wait
-- (DB_TIMEOUT_MS): a request held by a lock is rolled back by the database and answered 503,
-- instead of committing after its client was told it failed. PostgREST applies the setting to
-- every request it runs as purchases_api (impersonated role settings).
alter role purchases_api set statement_timeout = '4s';
