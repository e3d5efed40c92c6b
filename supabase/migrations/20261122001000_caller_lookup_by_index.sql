-- The caller lookup every request makes, as an index probe: the claims are read once into
-- scalars, so Postgres matches them against credentials_live_key instead of scanning the table
-- and testing each row against a joined function result.

create or replace function private.caller_company_id()
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select c.company_id
  from ledger.credentials c
  where c.kind = (select private.request_claims() ->> 'cred_kind')
    and c.key_id = (select private.request_claims() ->> 'cred_id')
    and c.secret_digest = (select private.request_claims() ->> 'cred_digest')
    and c.revoked_at is null;
$$;
comment on function private.caller_company_id() is
  'The company of the live credential named by the request''s claims (cred_kind, cred_id, cred_digest), or null.';
