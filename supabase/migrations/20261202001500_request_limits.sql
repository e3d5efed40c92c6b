-- Request limits per credential: how many requests each company's credentials may make to each API
-- in a window. The workers count requests in a Durable Object per verified credential
-- (shared/rate-limit); the database only says what the limit is, once the credential is verified.
-- A Lumen partnership's limit stays on its partnership (ledger.lumen_partnerships), as Lumen's
-- reference puts it; the other four APIs read this table and fall back to their defaults.

-- ============================================================================================
-- Table
-- ============================================================================================

create table if not exists ledger.request_limits (
  company_id uuid not null references ledger.companies (id) on delete cascade,
  api text not null check (api in ('operations', 'kit', 'dpd', 'groupcommerce')),
  requests integer not null check (requests between 1 and 100000),
  window_seconds integer not null check (window_seconds between 1 and 86400),
  updated_at timestamptz not null default now(),
  primary key (company_id, api)
);
comment on table ledger.request_limits is
  'A company''s request limit per credential for one API (Lumen''s is on its partnership); absent: the API''s default.';

alter table ledger.request_limits enable row level security;
grant select on ledger.request_limits to purchases_api;

drop policy if exists "Request limits are visible to their company" on ledger.request_limits;
create policy "Request limits are visible to their company" on ledger.request_limits
  for select to purchases_api using (company_id = (select private.caller_company_id()));

-- ============================================================================================
-- RPC
-- ============================================================================================

-- The API's limit when a company has set none. Kit documents 600 requests per 60 seconds for an
-- OAuth app's token; the operations function, DPD and the publisher API document no limit, so they
-- get the same generous bound, high enough that no integration written for the vendor meets it.
create or replace function private.default_request_limit(api text)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case api
    when 'lumen' then jsonb_build_object('requests', 60, 'window_seconds', 60)
    else jsonb_build_object('requests', 600, 'window_seconds', 60)
  end;
$$;
revoke all on function private.default_request_limit(text) from public;
grant execute on function private.default_request_limit(text) to purchases_api;

-- Verifies the presented credential (PT401, hint invalid_credential, when it is not live) and
-- returns its company and the limit its requests to `api` are counted against. The worker calls it
-- the first time it meets a credential (and once a minute after), before any limiter state exists
-- for it, so a made-up key never gets a counter.
create or replace function public.caller_request_limit(api text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  found_limit jsonb;
begin
  if api = 'lumen' then
    select jsonb_build_object('requests', p.rate_limit, 'window_seconds', p.rate_window_seconds) into found_limit
    from ledger.lumen_partnerships p where p.company_id = company;
  else
    select jsonb_build_object('requests', l.requests, 'window_seconds', l.window_seconds) into found_limit
    from ledger.request_limits l where l.company_id = company and l.api = caller_request_limit.api;
  end if;
  return jsonb_build_object('company_id', company)
    || coalesce(found_limit, private.default_request_limit(api));
end;
$$;
comment on function public.caller_request_limit(text) is
  'The caller''s company and its request limit for one API ({company_id, limit, window_seconds}); 401 (invalid_credential) when the credential is not live.';

revoke all on function public.caller_request_limit(text) from public, anon, authenticated;
grant execute on function public.caller_request_limit(text) to purchases_api;

notify pgrst, 'reload schema';
