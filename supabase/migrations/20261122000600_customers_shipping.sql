-- Customers (the buyers a company's purchases name), shipping details of a purchase, its external
-- id (the id the reporting API's client gave it), shipments to fulfil and account setups. Shared by
-- every API that reports buyers: Lumen now, Kit and Group Commerce next, DPD reads them.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.customers (
  id uuid primary key default gen_random_uuid(),
  -- A short integer id for the APIs whose customer ids are integers.
  number bigint generated always as identity unique,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  email text check (length(email) <= 254),
  -- One customer per email address and company, whatever its case.
  email_key text generated always as (lower(email)) stored,
  first_name text check (length(first_name) <= 200),
  last_name text check (length(last_name) <= 200),
  -- The publisher's own key for a consumer (Group Commerce UserKey): such customers are known by it,
  -- not by their email address, which they may share or change.
  user_key text check (length(user_key) between 1 and 255),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table ledger.customers is 'Buyers named by a company''s purchases: one per email address, or per publisher UserKey.';
create unique index if not exists customers_company_email on ledger.customers (company_id, email_key) where user_key is null;
create unique index if not exists customers_company_user_key on ledger.customers (company_id, user_key) where user_key is not null;

-- Purchases without an amount (Lumen reports none) carry no currency either.
alter table ledger.purchases alter column currency drop not null;
alter table ledger.purchases drop constraint if exists purchases_amount_has_currency;
alter table ledger.purchases add constraint purchases_amount_has_currency check (total is null or currency is not null);

alter table ledger.purchases
  add column if not exists customer_id uuid references ledger.customers (id) on delete restrict,
  -- The reporting client's own id for the purchase (Lumen partnerPurchaseId, Kit transaction_id).
  add column if not exists external_id text check (length(external_id) between 1 and 255),
  add column if not exists requires_shipping boolean not null default false,
  add column if not exists shipping_first_name text,
  add column if not exists shipping_last_name text,
  add column if not exists shipping_street text,
  add column if not exists shipping_street2 text,
  add column if not exists shipping_city text,
  add column if not exists shipping_state text,
  add column if not exists shipping_zip text,
  add column if not exists shipping_country_code text check (shipping_country_code ~ '^[A-Z]{2}$'),
  add column if not exists shipping_phone text,
  -- What the reporting API carried beyond the ledger's columns, kept as sent.
  add column if not exists attributes jsonb not null default '{}';

comment on column ledger.purchases.external_id is 'The reporting client''s id; unique per company and API.';

-- Duplicate detection is this constraint, so concurrent duplicates cannot both land.
create unique index if not exists purchases_external_id on ledger.purchases (company_id, source, external_id)
  where external_id is not null;
create index if not exists purchases_customer on ledger.purchases (customer_id) where customer_id is not null;

create table if not exists ledger.shipments (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  purchase_id uuid not null unique references ledger.purchases (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'shipped', 'delivered', 'cancelled')),
  carrier text,
  tracking_number text,
  created_at timestamptz not null default now(),
  shipped_at timestamptz
);
comment on table ledger.shipments is 'Goods to send for a purchase; the address is the purchase''s shipping address.';
create index if not exists shipments_company_status on ledger.shipments (company_id, status);

create table if not exists ledger.account_setups (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  customer_id uuid not null references ledger.customers (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'completed')),
  created_at timestamptz not null default now(),
  unique (company_id, customer_id)
);
comment on table ledger.account_setups is 'Customers to register for account setup, once each.';

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.customers enable row level security;
alter table ledger.shipments enable row level security;
alter table ledger.account_setups enable row level security;

grant select, insert, update on ledger.customers to purchases_api;
grant select, insert on ledger.shipments, ledger.account_setups to purchases_api;

drop policy if exists "Customers are visible to their company" on ledger.customers;
create policy "Customers are visible to their company" on ledger.customers
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies add their own customers" on ledger.customers;
create policy "Companies add their own customers" on ledger.customers
  for insert to purchases_api with check (company_id = (select private.caller_company_id()));
drop policy if exists "Companies update their own customers" on ledger.customers;
create policy "Companies update their own customers" on ledger.customers
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

drop policy if exists "Shipments are visible to their company" on ledger.shipments;
create policy "Shipments are visible to their company" on ledger.shipments
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies ship their own purchases" on ledger.shipments;
create policy "Companies ship their own purchases" on ledger.shipments
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.purchases p where p.id = purchase_id)
  );

drop policy if exists "Account setups are visible to their company" on ledger.account_setups;
create policy "Account setups are visible to their company" on ledger.account_setups
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies register their own customers" on ledger.account_setups;
create policy "Companies register their own customers" on ledger.account_setups
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.customers c where c.id = customer_id)
  );

-- Purchases may now name a customer: it must be one of the company's own.
drop policy if exists "Companies record their own purchases against accessible leads" on ledger.purchases;
create policy "Companies record their own purchases against accessible leads" on ledger.purchases
  for insert to purchases_api
  with check (
    company_id = (select private.caller_company_id())
    and (channel_id is null or channel_id = any ((select private.accessible_channel_ids())::uuid[]))
    and (customer_id is null or exists (select 1 from ledger.customers c where c.id = customer_id))
  );
