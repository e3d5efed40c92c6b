-- Group Commerce publisher offers: offers (with whether they ship), their purchasable options with
-- price and promotional price, the segments each offer is sold in, and promo codes. Orders
-- themselves land in the shared purchases ledger; their RPC comes with the ordering work.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.offers (
  id uuid primary key default gen_random_uuid(),
  -- OfferId on the wire: an int32.
  number integer generated always as identity unique,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  requires_shipping boolean not null default false,
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz not null default now()
);
comment on table ledger.offers is 'What a publisher sells; an order names offer options in segments.';
create index if not exists offers_company on ledger.offers (company_id);

create table if not exists ledger.offer_options (
  id uuid primary key default gen_random_uuid(),
  -- OfferOptionId on the wire: an int32.
  number integer generated always as identity unique,
  offer_id uuid not null references ledger.offers (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  price numeric(14, 2) not null check (price >= 0),
  promotional_price numeric(14, 2) check (promotional_price >= 0),
  -- The ledger product an order's line item names.
  product_id uuid not null references ledger.products (id) on delete restrict,
  created_at timestamptz not null default now()
);
comment on table ledger.offer_options is 'A purchasable variant of an offer, with its price and optional promotional price.';
create index if not exists offer_options_offer on ledger.offer_options (offer_id);

create table if not exists ledger.offer_segments (
  offer_id uuid not null references ledger.offers (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  segment_key text not null check (segment_key ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
  primary key (offer_id, segment_key)
);
comment on table ledger.offer_segments is 'The segments (e.g. new-york) an offer is sold in.';

create table if not exists ledger.promo_codes (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  code text not null check (code ~ '^[A-Za-z0-9_-]{1,50}$'),
  discount_type text not null check (discount_type in ('money', 'percent')),
  amount numeric(14, 2) not null check (amount > 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint promo_codes_percent_at_most_100 check (discount_type <> 'percent' or amount <= 100)
);
comment on table ledger.promo_codes is 'Codes a consumer may apply to an order: money off or a percentage off.';
create unique index if not exists promo_codes_company_code on ledger.promo_codes (company_id, upper(code));

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.offers enable row level security;
alter table ledger.offer_options enable row level security;
alter table ledger.offer_segments enable row level security;
alter table ledger.promo_codes enable row level security;
grant select on ledger.offers, ledger.offer_options, ledger.offer_segments, ledger.promo_codes to purchases_api;

drop policy if exists "Offers are visible to their company" on ledger.offers;
create policy "Offers are visible to their company" on ledger.offers
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Offer options are visible to their company" on ledger.offer_options;
create policy "Offer options are visible to their company" on ledger.offer_options
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Offer segments are visible to their company" on ledger.offer_segments;
create policy "Offer segments are visible to their company" on ledger.offer_segments
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Promo codes are visible to their company" on ledger.promo_codes;
create policy "Promo codes are visible to their company" on ledger.promo_codes
  for select to purchases_api using (company_id = (select private.caller_company_id()));
