-- OAuth 1.0a replay protection for publisher requests (RFC 5849 section 3.3): each
-- oauth_nonce is accepted once per consumer while its timestamp is inside the accepted window.
-- The primary key decides, so two concurrent requests with one nonce cannot both pass.

create table if not exists ledger.oauth_nonces (
  credential_id uuid not null references ledger.credentials (id) on delete cascade,
  nonce text not null check (length(nonce) between 1 and 255),
  signed_at timestamptz not null,
  primary key (credential_id, nonce)
);
comment on table ledger.oauth_nonces is 'OAuth nonces seen per consumer; rows older than the timestamp window may be deleted.';
create index if not exists oauth_nonces_signed_at on ledger.oauth_nonces (signed_at);

alter table ledger.oauth_nonces enable row level security;
-- No grant: written only through private.oauth_spend_nonce().

-- Authenticates an OAuth consumer's request and spends its nonce (RFC 5849 section 3.3); the
-- shared first step of every publisher RPC, so each request stays one round trip.
create or replace function private.oauth_spend_nonce(nonce text, signed_at bigint, window_seconds integer)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  credential ledger.credentials;
begin
  select c.* into credential
  from ledger.credentials c
  where c.kind = 'oauth_consumer'
    and c.kind = (select private.request_claims() ->> 'cred_kind')
    and c.key_id = (select private.request_claims() ->> 'cred_id')
    and c.secret_digest = (select private.request_claims() ->> 'cred_digest')
    and c.revoked_at is null;
  if credential.id is null then
    raise exception 'invalid credential' using errcode = 'PT401', hint = 'invalid_credential';
  end if;
  insert into ledger.oauth_nonces (credential_id, nonce, signed_at)
  values (credential.id, oauth_spend_nonce.nonce, to_timestamp(signed_at))
  on conflict do nothing;
  if not found then
    raise exception 'nonce used' using errcode = 'PT401', hint = 'nonce_used',
      detail = jsonb_build_object('nonce', oauth_spend_nonce.nonce)::text;
  end if;
  -- Nonces older than twice the window are cleared as they are met, a few at a time.
  delete from ledger.oauth_nonces n
  where n.ctid in (
    select o.ctid from ledger.oauth_nonces o where o.signed_at < now() - make_interval(secs => 2 * window_seconds) limit 10
  );
  return credential.company_id;
end;
$$;
revoke all on function private.oauth_spend_nonce(text, bigint, integer) from public;
grant execute on function private.oauth_spend_nonce(text, bigint, integer) to purchases_api;

create or replace function public.oauth_accept_request(nonce text, signed_at bigint, window_seconds integer)
returns table (company_id uuid, company_slug text)
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.oauth_spend_nonce(nonce, signed_at, window_seconds);
begin
  return query select co.id, co.slug from ledger.companies co where co.id = company;
end;
$$;
comment on function public.oauth_accept_request(text, bigint, integer) is
  'Authenticates an OAuth 1.0a consumer and spends the request''s nonce (once per consumer).';
revoke all on function public.oauth_accept_request(text, bigint, integer) from public, anon, authenticated;
grant execute on function public.oauth_accept_request(text, bigint, integer) to purchases_api;
