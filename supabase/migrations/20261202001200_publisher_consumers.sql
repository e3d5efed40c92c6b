-- Group Commerce consumers and their stored cards. A consumer is a customer of the publisher
-- identified by the publisher's UserKey; a stored card is what the payment processor returned for
-- it (its token, brand, last four digits, expiry), never the card number or CVV (PCI DSS).

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
    raise exception 'consumer not found' using errcode = 'PT404', hint = 'consumer_not_found',
      detail = jsonb_build_object('user_key', gc_consumer_credit_cards.user_key)::text;
  end if;
  return coalesce((
    select json_agg(json_build_object(
      'id', s.id, 'brand', s.brand, 'last4', s.last4, 'expiry_month', s.expiry_month, 'expiry_year', s.expiry_year)
      order by s.created_at)
    from ledger.stored_cards s where s.customer_id = consumer
  ), '[]');
end;
$$;
comment on function public.gc_consumer_credit_cards(text, bigint, integer, text) is 'Group Commerce consumer stored credit cards.';
revoke all on function public.gc_consumer_credit_cards(text, bigint, integer, text) from public, anon, authenticated;
grant execute on function public.gc_consumer_credit_cards(text, bigint, integer, text) to purchases_api;
