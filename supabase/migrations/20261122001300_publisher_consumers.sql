-- Group Commerce consumers and their stored cards. A consumer is a customer of the publisher
-- identified by the publisher's UserKey; a stored card is what the payment processor returned for
-- it (its token, brand, last four digits, expiry), never the card number or CVV (PCI DSS).

alter table ledger.customers add column if not exists user_key text check (length(user_key) between 1 and 255);
create unique index if not exists customers_company_user_key on ledger.customers (company_id, user_key) where user_key is not null;

create table if not exists ledger.stored_cards (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  customer_id uuid not null references ledger.customers (id) on delete cascade,
  processor_token text not null,
  brand text not null,
  last4 text not null check (last4 ~ '^[0-9]{4}$'),
  expiry_month smallint not null check (expiry_month between 1 and 12),
  expiry_year smallint not null check (expiry_year between 2000 and 2200),
  created_at timestamptz not null default now()
);
comment on table ledger.stored_cards is 'Cards a consumer asked to store: the processor''s token, brand, last four digits and expiry only.';
create index if not exists stored_cards_customer on ledger.stored_cards (customer_id);

alter table ledger.stored_cards enable row level security;
grant select, insert on ledger.stored_cards to purchases_api;
drop policy if exists "Stored cards are visible to their company" on ledger.stored_cards;
create policy "Stored cards are visible to their company" on ledger.stored_cards
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies store cards of their own consumers" on ledger.stored_cards;
create policy "Companies store cards of their own consumers" on ledger.stored_cards
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.customers c where c.id = customer_id)
  );

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
    raise exception 'The oauth_nonce % was already used.', oauth_spend_nonce.nonce using errcode = 'PT401', hint = 'nonce_used';
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

-- GET /api/v3/publisher/consumer/creditcards: the consumer's stored cards, or PT404 for a UserKey
-- the publisher has no consumer for.
create or replace function public.gc_consumer_credit_cards(nonce text, signed_at bigint, window_seconds integer, user_key text)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.oauth_spend_nonce(nonce, signed_at, window_seconds);
  consumer uuid;
begin
  select c.id into consumer from ledger.customers c where c.company_id = company and c.user_key = gc_consumer_credit_cards.user_key;
  if consumer is null then
    raise exception 'There is no consumer with UserKey %.', gc_consumer_credit_cards.user_key using errcode = 'PT404', hint = 'consumer_not_found';
  end if;
  return coalesce((
    select json_agg(json_build_object(
      'storedCreditCardId', s.id, 'paymentType', s.brand, 'lastFourDigits', s.last4,
      'expirationMonth', s.expiry_month, 'expirationYear', s.expiry_year) order by s.created_at)
    from ledger.stored_cards s where s.customer_id = consumer
  ), '[]');
end;
$$;
comment on function public.gc_consumer_credit_cards(text, bigint, integer, text) is 'Group Commerce consumer stored credit cards.';
revoke all on function public.gc_consumer_credit_cards(text, bigint, integer, text) from public, anon, authenticated;
grant execute on function public.gc_consumer_credit_cards(text, bigint, integer, text) to purchases_api;
