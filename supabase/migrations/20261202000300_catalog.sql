-- The catalog: channels (each with a currency), which companies may use which channel, the leads
-- that arrive through channels, each company's products, and the storefronts it sells through.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.channels (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz not null default now()
);
comment on table ledger.channels is 'Where leads come from. Amounts of purchases against a channel''s leads are in its currency.';

create table if not exists ledger.channel_access (
  company_id uuid not null references ledger.companies (id) on delete cascade,
  channel_id uuid not null references ledger.channels (id) on delete cascade,
  granted_at timestamptz not null default now(),
  primary key (company_id, channel_id)
);
comment on table ledger.channel_access is 'Which companies may record purchases against the leads of which channels.';
create index if not exists channel_access_channel on ledger.channel_access (channel_id);

create table if not exists ledger.leads (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null references ledger.channels (id) on delete restrict,
  email text check (length(email) <= 254),
  name text check (length(name) <= 200),
  created_at timestamptz not null default now()
);
comment on table ledger.leads is 'People who arrived through a channel. Visible to every company with access to that channel.';
create index if not exists leads_channel on ledger.leads (channel_id);

create table if not exists ledger.products (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  name text not null check (length(name) between 1 and 500),
  created_at timestamptz not null default now(),
  -- The id a client API uses for the product (a Lumen product id such as LMN_123456, a Kit pid).
  code text check (length(code) between 1 and 255),
  -- A short integer id for the APIs whose product ids are integers.
  number bigint generated always as identity,
  -- What a purchase of it delivers (DPD): downloads allowed (0 is unlimited), for how many days,
  -- and how many product keys per unit.
  download_limit integer not null default 0 check (download_limit >= 0),
  download_days integer check (download_days > 0),
  keys_per_unit integer not null default 0 check (keys_per_unit >= 0)
);
comment on table ledger.products is 'A company''s product catalog. Only its own company sees or sells a product.';
create index if not exists products_company on ledger.products (company_id);
create unique index if not exists products_company_code on ledger.products (company_id, code) where code is not null;
create unique index if not exists products_number on ledger.products (number);

create table if not exists ledger.storefronts (
  id uuid primary key default gen_random_uuid(),
  number bigint generated always as identity unique,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);
comment on table ledger.storefronts is 'Where a company sells; a purchase may name the storefront it came through.';
create index if not exists storefronts_company on ledger.storefronts (company_id);

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- The channels the calling company may use, as an array so a policy can test membership with
-- one evaluation per statement: channel_id = any ((select private.accessible_channel_ids())::uuid[]).
create or replace function private.accessible_channel_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(a.channel_id), '{}')
  from ledger.channel_access a
  where a.company_id = (select private.caller_company_id());
$$;
comment on function private.accessible_channel_ids() is 'Channels the calling company has access to.';
revoke all on function private.accessible_channel_ids() from public;
grant execute on function private.accessible_channel_ids() to purchases_api;

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.channels enable row level security;
alter table ledger.channel_access enable row level security;
alter table ledger.leads enable row level security;
alter table ledger.products enable row level security;
alter table ledger.storefronts enable row level security;

grant select on ledger.channels, ledger.channel_access, ledger.leads, ledger.products, ledger.storefronts to purchases_api;
-- Kit makes the products a purchase names that the account lacks, and keeps their names current.
grant insert on ledger.products to purchases_api;
grant update (name) on ledger.products to purchases_api;

drop policy if exists "Channels are visible to companies with access" on ledger.channels;
create policy "Channels are visible to companies with access" on ledger.channels
  for select to purchases_api
  using (id = any ((select private.accessible_channel_ids())::uuid[]));

drop policy if exists "Channel access is visible to the company it was granted to" on ledger.channel_access;
create policy "Channel access is visible to the company it was granted to" on ledger.channel_access
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));

drop policy if exists "Leads are visible to companies with access to their channel" on ledger.leads;
create policy "Leads are visible to companies with access to their channel" on ledger.leads
  for select to purchases_api
  using (channel_id = any ((select private.accessible_channel_ids())::uuid[]));

drop policy if exists "Products are visible to their company" on ledger.products;
create policy "Products are visible to their company" on ledger.products
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));

drop policy if exists "Companies add their own products" on ledger.products;
create policy "Companies add their own products" on ledger.products
  for insert to purchases_api
  with check (company_id = (select private.caller_company_id()));

drop policy if exists "Companies rename their own products" on ledger.products;
create policy "Companies rename their own products" on ledger.products
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

drop policy if exists "Storefronts are visible to their company" on ledger.storefronts;
create policy "Storefronts are visible to their company" on ledger.storefronts
  for select to purchases_api using (company_id = (select private.caller_company_id()));
